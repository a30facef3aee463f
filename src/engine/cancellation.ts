import { CancelledError } from "../errors.js";
import type { Core } from "./core.js";
import type { Frame } from "./frame.js";
import type { JoinGates } from "./join-gates.js";
import { TokenState, type Token } from "./token.js";

/**
 * A token is cancelled wherever it stands: its task is stopped (its signal
 * aborts), its place at a join or in a dedup queue is given up, its timers
 * and message waits are disarmed (its loop's too, once no iteration of it
 * is left), and its sub-process goes with it. Its generation moves on, so
 * an outcome of its task that comes in later is ignored.
 */
export function cancelToken(core: Core, joins: JoinGates, token: Token): void {
  const state = token.state;
  if (state === TokenState.Done || state === TokenState.Cancelled) return;
  if (state === TokenState.Running) core.tasks.stopped(token);
  if (state === TokenState.Waiting) joins.unpark(token);
  if (state === TokenState.Deduplicated) core.tasks.withdrawn(token);
  token.state = TokenState.Cancelled;
  token.generation++;
  token.abort?.abort(new CancelledError(`task "${token.taskName || token.node.name}" was cancelled`));
  token.view?.discard();
  token.view = undefined;
  if (token.arms !== undefined) core.triggers.waits.disarm(token);
  if (token.run !== undefined) core.loops.cancelled(token);
  if (token.child !== undefined) core.cancelFrame(token.child);
  core.remove(token);
}

/** Every token of the frame is cancelled; the frame's scope events close. */
export function cancelFrame(core: Core, frame: Frame): void {
  frame.cancelled = true;
  core.events.scopes.closed(frame, true);
  while (frame.head !== undefined) core.cancelToken(frame.head);
}
