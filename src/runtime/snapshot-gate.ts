/**
 * Holds message generators back while the journal waits for an empty
 * engine to take a snapshot (src/journal/snapshot.ts): a generator is
 * pulled only as fast as the run drains anyway, so a short pause costs it
 * nothing; the instances in flight end, and the engine is empty. Callbacks
 * (messageCallback) and the inbox are not held: what they bring arrives
 * when it arrives, and the snapshot waits for an empty moment between.
 */
export class SnapshotGate {
  private closed: Promise<void> | undefined;
  private open: (() => void) | undefined;

  /** Resolves when the gate opens again; undefined while it is open (the usual case: nothing to await). */
  get held(): Promise<void> | undefined {
    return this.closed;
  }

  hold(): void {
    this.closed ??= new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    const open = this.open;
    this.closed = undefined;
    this.open = undefined;
    open?.();
  }
}
