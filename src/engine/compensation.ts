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
  /** the entry whose handler runs now */
  current: CompensableEntry | undefined;
}

/**
 * Compensation (BPMN 10.7). An activity with a compensate boundary event is
 * logged in its scope instance when it completes, with the data it
 * completed with. A compensate throw or end event compensates the logged
 * activities of its instance (or only the one it names), in reverse order
 * of completion, one handler after the other, and goes on when the last
 * has finished. An embedded sub-process that completed is logged in the
 * instance around it with what completed inside it: compensating it runs
 * its compensation event sub-process if it has one (which compensates
 * inside it, all or the activities it names), else compensates what
 * completed inside it, in reverse order. A handler runs in the instance of
 * its scope, which may have ended: the throwing token holds it meanwhile,
 * so cancelling the token stops the handler. What completed in a called
 * process is not compensated from the caller (as in Camunda). A cancel end
 * event cancels its transaction: the rest stops, what completed is
 * compensated, and the token leaves by the cancel boundary event.
 */
export class Compensation {
  private readonly core: Core;
  private readonly runs = new WeakMap<Token, CompensationRun>();

  constructor(core: Core) {
    this.core = core;
  }

  /** An activity with a compensate boundary completed. */
  completed(token: Token): void {
    const handler = token.node.compensateBoundary?.handler;
    if (handler === undefined) return;
    log(token.frame, { activity: token.node, handler, frame: token.frame, ref: share(token.ref), loop: token.loop, inner: undefined });
  }

  /** A scope instance ended normally: an embedded sub-process is logged around it with what completed inside it. */
  frameEnded(frame: Frame): void {
    if (frame.compensable === undefined && frame.scope.eventSubProcesses.length === 0) return;
    const entries = frame.compensable;
    frame.compensable = undefined;
    const owner = frame.owner;
    const esp = compensationHandler(frame.scope);
    if (owner === undefined || !compensableFromAround(owner) || (entries === undefined && esp === undefined)) {
      releaseAll(entries);
      return;
    }
    const ref = share(frame.result ?? owner.ref);
    log(owner.frame, { activity: owner.node, handler: esp, frame, ref, loop: owner.loop, inner: entries ?? [] });
  }

  /** A compensate throw or end event: the token goes on once the compensation is done. */
  throw(token: Token): void {
    const frame = logFrame(token.frame);
    const target = token.node.compensates;
    const all = frame.compensable ?? [];
    const chosen = all.filter((entry) => target === undefined || entry.activity === target);
    frame.compensable = all.filter((entry) => !chosen.includes(entry));
    token.state = TokenState.Catching;
    this.next({ queue: unfold(chosen.reverse()), then: { kind: "throw", token }, current: undefined });
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
    const queue = unfold((frame.compensable ?? []).reverse());
    frame.compensable = undefined;
    this.next({ queue, then: { kind: "cancel", token, transaction }, current: undefined });
  }

  /** A handler finished: the next one runs. False when the token was no handler (the node just completed). */
  handlerDone(token: Token): boolean {
    const run = this.runs.get(token);
    if (run === undefined) return false;
    this.runs.delete(token);
    const entry = run.current!;
    run.current = undefined;
    // a compensation event sub-process compensated what it chose; the rest of the log is not compensated any more
    if (entry.inner !== undefined) {
      releaseAll(entry.frame.compensable);
      entry.frame.compensable = undefined;
    }
    const waiting = run.then.token;
    if (waiting.child === entry.frame) waiting.child = undefined;
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
    if (entry === undefined) {
      if (run.then.kind === "throw") {
        waiting.state = TokenState.Completed;
        core.enqueue(waiting);
      } else leaveByCancel(core, run.then.transaction);
      return;
    }
    if (entry.frame.cancelled) {
      release(entry.ref);
      releaseAll(entry.inner);
      this.next(run);
      return;
    }
    // its compensation event sub-process compensates inside the sub-process: a throw there finds the log (logFrame)
    if (entry.inner !== undefined) entry.frame.compensable = entry.inner;
    // cancelling the waiting token must stop a handler that runs in an instance that has ended
    if (entry.frame.ended && !contains(entry.frame, waiting.frame)) waiting.child = entry.frame;
    run.current = entry;
    const handler = core.spawn(entry.handler!, entry.frame, entry.ref, entry.loop, -1);
    this.runs.set(handler, run);
  }
}

function log(frame: Frame, entry: CompensableEntry): void {
  (frame.compensable ??= []).push(entry);
}

/* a completed sub-process without a handler of its own stands for what completed inside it, latest first */
function unfold(entries: CompensableEntry[]): CompensableEntry[] {
  return entries.flatMap((entry) => {
    if (entry.handler !== undefined) return [entry];
    release(entry.ref);
    return unfold([...entry.inner!].reverse());
  });
}

function releaseAll(entries: CompensableEntry[] | undefined): void {
  for (const entry of entries ?? []) {
    release(entry.ref);
    releaseAll(entry.inner);
  }
}

/*
 * What completed in an embedded sub-process (or an event sub-process) can
 * be compensated from the instance around it, unless the sub-process has a
 * compensation handler of its own (then that handler undoes it), the
 * instance around has ended itself, or it is a called process.
 */
function compensableFromAround(owner: Token): boolean {
  const kind = owner.node.kind;
  if (kind !== "subProcess" && kind !== "transaction" && kind !== "eventSubProcess") return false;
  return owner.node.compensateBoundary === undefined && !owner.frame.ended;
}

/* a compensation thrown in an event sub-process compensates the scope the event sub-process belongs to */
function logFrame(frame: Frame): Frame {
  let current = frame;
  while (current.owner?.node.kind === "eventSubProcess") current = current.owner.frame;
  return current;
}

function contains(frame: Frame, inner: Frame): boolean {
  for (let current: Frame | undefined = inner; current !== undefined; current = current.parent) if (current === frame) return true;
  return false;
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
