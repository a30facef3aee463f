import { CancelledError } from "../errors.js";

/**
 * Cancels the run when the caller's signal aborts. The signal may outlive
 * the run (the CLI has one per session): the returned function removes the
 * listener, and the run calls it when it ends. A CancelledError given as the
 * abort reason is the run's error as it is; anything else is described in one.
 */
export function watchAbort(signal: AbortSignal | undefined, cancel: (error: CancelledError) => void): (() => void) | undefined {
  if (signal === undefined) return undefined;
  const onAbort = (): void => cancel(signal.reason instanceof CancelledError ? signal.reason : new CancelledError(describeReason(signal.reason)));
  if (signal.aborted) {
    onAbort();
    return undefined;
  }
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? "aborted" : String(reason);
}
