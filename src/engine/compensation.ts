import type { GraphNode, Scope } from "../model/graph.js";
import type { Core } from "./core.js";
import { leaveByCancel } from "./elements/events/boundaries/cancel-boundary.js";
import { release, share } from "./data.js";
import type { CompensableEntry, Frame } from "./frame.js";
import { TokenState, type Token } from "./token.js";

/** What happens once every handler of a compensation has run. */
type Continuation = { kind: "throw"; token: Token } | { kind: "cancel"; token: Token; transaction: Token };

interface CompensationRun {
  queue: CompensableEntry[];
  then: Continuation;
}

/**
 * Compensation. An activity with a compensate boundary event is logged in
 * its scope instance when it completes, with the data it completed with.
 * A compensate throw or end event compensates the logged activities of its
 * instance (or only the one it names), in reverse order of completion, one
 * handler after the other, and goes on when the last has finished. What
 * completed inside a sub-process can be compensated from around it: its
 * log moves up when it ends, or, when it has a compensation event
 * sub-process, that event sub-process is its one handler and compensates
 * inside it. A cancel end event cancels its transaction: the rest stops,
 * what completed is compensated, and the token leaves by the cancel
 * boundary event.
 */
export class Compensation {
  private readonly core: Core;
  private readonly runs = new WeakMap<Token, CompensationRun>();
  /** compensation event sub-process tokens and the log of the sub-process they compensate */
  private readonly inner = new WeakMap<Token, CompensableEntry[]>();

  constructor(core: Core) {
    this.core = core;
  }

  /** An activity with a compensate boundary completed. */
  completed(token: Token): void {
    const handler = token.node.compensateBoundary?.handler;
    if (handler === undefined) return;
    log(token.frame, { activity: token.node, handler, frame: token.frame, ref: share(token.ref), loop: token.loop, inner: undefined });
  }

  /** A scope instance ended normally: what completed inside it stays compensable from the scope around. */
  frameEnded(frame: Frame): void {
    if (frame.compensable === undefined && frame.scope.eventSubProcesses.length === 0) return;
    const entries = frame.compensable;
    frame.compensable = undefined;
    const owner = frame.owner;
    const esp = owner === undefined ? undefined : compensationHandler(frame.scope);
    if (owner !== undefined && esp !== undefined) {
      log(owner.frame, { activity: owner.node, handler: esp, frame: owner.frame, ref: share(owner.ref), loop: owner.loop, inner: entries ?? [] });
    } else if (owner !== undefined && entries !== undefined) {
      for (const entry of entries) log(owner.frame, { ...entry, frame: owner.frame });
    } else {
      for (const entry of entries ?? []) release(entry.ref);
    }
  }

  /** A compensate throw or end event: the token goes on once the compensation is done. */
  throw(token: Token): void {
    const frame = logFrame(token.frame);
    const target = token.node.compensates;
    const all = frame.compensable ?? [];
    const chosen = all.filter((entry) => target === undefined || entry.activity === target);
    frame.compensable = all.filter((entry) => !chosen.includes(entry));
    token.state = TokenState.Catching;
    this.next({ queue: chosen.reverse(), then: { kind: "throw", token } });
  }

  /** A cancel end event: its transaction's other tokens stop, its completed activities are compensated, and it leaves by its cancel boundary. */
  cancel(token: Token): void {
    const core = this.core;
    const frame = logFrame(token.frame);
    const transaction = frame.owner!;
    const keep = holderIn(token, frame);
    for (let other = frame.head; other !== undefined; ) {
      const next = other.next;
      if (other !== keep) core.cancelToken(other);
      other = next;
    }
    token.state = TokenState.Catching;
    const queue = (frame.compensable ?? []).reverse();
    frame.compensable = undefined;
    this.next({ queue, then: { kind: "cancel", token, transaction } });
  }

  /** The log of the sub-process a compensation event sub-process compensates (its instance compensates inside it). */
  innerLog(token: Token): CompensableEntry[] | undefined {
    const entries = this.inner.get(token);
    this.inner.delete(token);
    return entries;
  }

  /** A handler finished: the next one runs. False when the token was no handler (the node just completed). */
  handlerDone(token: Token): boolean {
    const run = this.runs.get(token);
    if (run === undefined) return false;
    this.runs.delete(token);
    token.state = TokenState.Done;
    this.core.remove(token);
    this.next(run);
    return true;
  }

  private next(run: CompensationRun): void {
    const core = this.core;
    const waiting = run.then.token;
    if (waiting.state !== TokenState.Catching) return;
    const entry = run.queue.shift();
    if (entry !== undefined && !entry.frame.cancelled) {
      const handler = core.spawn(entry.handler, entry.frame, entry.ref, entry.loop, -1);
      this.runs.set(handler, run);
      if (entry.inner !== undefined) this.inner.set(handler, entry.inner);
      return;
    }
    if (entry !== undefined) {
      this.next(run);
      return;
    }
    if (run.then.kind === "throw") {
      waiting.state = TokenState.Completed;
      core.enqueue(waiting);
      return;
    }
    leaveByCancel(core, run.then.transaction);
  }
}

function log(frame: Frame, entry: CompensableEntry): void {
  (frame.compensable ??= []).push(entry);
}

/* a compensation thrown in an event sub-process compensates the scope the event sub-process belongs to */
function logFrame(frame: Frame): Frame {
  let current = frame;
  while (current.compensable === undefined && current.owner?.node.kind === "eventSubProcess") current = current.owner.frame;
  return current;
}

/* the token in `frame` that `token` is in (itself, or the event sub-process token around it) */
function holderIn(token: Token, frame: Frame): Token {
  let holder = token;
  while (holder.frame !== frame && holder.frame.owner !== undefined) holder = holder.frame.owner;
  return holder;
}

function compensationHandler(scope: Scope): GraphNode | undefined {
  return scope.eventSubProcesses.find((esp) => esp.trigger?.kind === "compensateStartEvent");
}
