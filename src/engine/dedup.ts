import type { Frame } from "./frame.js";
import type { Token } from "./token.js";

interface Slot {
  /** a token waiting for the key; a newer one replaces it */
  waiting: Token | undefined;
}

/**
 * `deduplicate` keys of tasks: at most one token per key holds it (runs the
 * task, and for a message event, goes on until that event's instance ends)
 * and at most one waits for it. Keys are per task node.
 */
export class Deduplicator {
  private readonly slots = new Map<string, Slot>();
  /** keys held by tasks running in the root instance, released when the task ends */
  private readonly byToken = new Map<Token, string>();
  /** keys held by event instances, released when the instance ends */
  private readonly byFrame = new Map<Frame, string[]>();

  /**
   * Whether the token may run now (it then holds the key, for `holder` if
   * given, else for as long as its task runs). Otherwise it waits, and the
   * token it replaced, if any, is returned as `dropped`.
   */
  acquire(key: string, token: Token, holder: Frame | undefined): { run: boolean; dropped: Token | undefined } {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      this.slots.set(key, { waiting: undefined });
      this.hold(key, token, holder);
      return { run: true, dropped: undefined };
    }
    const dropped = slot.waiting;
    slot.waiting = token;
    return { run: false, dropped };
  }

  /** The task of `token` ended: a key it held for itself goes to the waiting token, which is returned to run. */
  taskEnded(token: Token, holderOf: (token: Token) => Frame | undefined): Token | undefined {
    const key = this.byToken.get(token);
    if (key === undefined) return undefined;
    this.byToken.delete(token);
    return this.handOver(key, holderOf);
  }

  /** An event instance ended: its keys go to their waiting tokens, which are returned to run. */
  frameEnded(frame: Frame, holderOf: (token: Token) => Frame | undefined): Token[] {
    const keys = this.byFrame.get(frame);
    if (keys === undefined) return [];
    this.byFrame.delete(frame);
    const next: Token[] = [];
    for (const key of keys) {
      const token = this.handOver(key, holderOf);
      if (token !== undefined) next.push(token);
    }
    return next;
  }

  /** A waiting token was cancelled. */
  withdraw(token: Token): void {
    for (const slot of this.slots.values()) if (slot.waiting === token) slot.waiting = undefined;
  }

  private handOver(key: string, holderOf: (token: Token) => Frame | undefined): Token | undefined {
    const slot = this.slots.get(key)!;
    const next = slot.waiting;
    if (next === undefined) {
      this.slots.delete(key);
      return undefined;
    }
    slot.waiting = undefined;
    this.hold(key, next, holderOf(next));
    return next;
  }

  private hold(key: string, token: Token, holder: Frame | undefined): void {
    if (holder === undefined) this.byToken.set(token, key);
    else this.byFrame.set(holder, [...(this.byFrame.get(holder) ?? []), key]);
  }
}
