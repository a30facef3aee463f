import type { GraphNode, Scope } from "../model/graph.js";
import { WATCHED_START_KINDS, watchesData } from "../model/kinds.js";
import type { Core } from "./core.js";
import { release, share, writable, type DataRef } from "./data.js";
import { activityData } from "./data-mapping.js";
import type { Frame } from "./frame.js";
import { mergeInto } from "./merge.js";
import { setMessage } from "./messages.js";
import { tokenRecord, TokenState, type Token } from "./token.js";
import type { Arm } from "./waits.js";

/**
 * Event sub-processes and the run's triggered start events. While an
 * instance of a scope runs, the timer, message, signal and conditional
 * start events of its event sub-processes are armed on a watcher: a token
 * record that is not on the board (it holds no place in any join count and
 * never finishes), holding the data the instance started with. When one
 * triggers, an interrupting event sub-process cancels every other token of
 * the instance and the instance ends when it does; a non-interrupting one
 * runs beside them. Error and escalation start events are found by
 * raise.ts when something is thrown. Timer start events of the processes
 * that run are armed the same way, once, and start an instance per firing.
 */
export class ScopeEvents {
  private readonly core: Core;
  /** the scopes whose instances this run starts: the process, or each pool's */
  private readonly runnable: ReadonlySet<Scope>;
  private starter: Token | undefined;

  constructor(core: Core) {
    this.core = core;
    const root = core.graph.root;
    const pools = root.nodes.filter((node) => node.kind === "pool").map((node) => node.children!);
    this.runnable = new Set(pools.length > 0 ? pools : [root]);
  }

  /** Whether instances of this process scope start in this run (a called process's start events start nothing). */
  runs(scope: Scope): boolean {
    return this.runnable.has(scope);
  }

  /** An instance of a scope starts with `ref`: its event sub-processes are watched. */
  opened(frame: Frame, ref: DataRef | undefined): void {
    if (frame.scope.eventSubProcesses.length === 0) return;
    const watched = frame.scope.eventSubProcesses.filter((esp) => esp.trigger !== undefined && WATCHED_START_KINDS.has(esp.trigger.kind));
    if (watched.length === 0 || ref === undefined) return;
    const watcher = this.watcher(watched[0], frame, share(ref));
    frame.watcher = watcher;
    for (const esp of watched) this.core.triggers.waits.arm(watcher, esp.trigger!);
  }

  /** The instance ended or was cancelled: its event sub-processes stop watching. A cancelled run's timer starts stop too. */
  closed(frame: Frame, cancelled: boolean): void {
    const watcher = frame.watcher;
    if (watcher !== undefined) {
      frame.watcher = undefined;
      this.core.triggers.waits.disarm(watcher);
      release(watcher.ref);
    }
    if (cancelled && this.starter?.frame === frame) this.stopStarts();
  }

  /**
   * The run started in `root` with `ref`: the timer start events of its
   * processes are armed (each keeps the run open while it may fire again),
   * and a conditional start event whose condition holds starts an instance.
   */
  processStarted(root: Frame, ref: DataRef): void {
    for (const scope of this.runnable) {
      for (const start of scope.triggeredStarts) {
        // a multiple start event may be both
        if (this.core.triggers.waits.isTimer(start)) this.armStart(root, ref, start);
        if (watchesData(start) && this.holds(start, ref)) this.core.startInstance(start, undefined);
      }
    }
  }

  /** A watched start event triggered (applied as an input for timers, at once for messages, signals and conditions). */
  triggered(arm: Arm, payload: unknown): void {
    const { token: watcher, event } = arm;
    if (watcher === this.starter) {
      this.core.startInstance(event, undefined);
      if (!this.core.triggers.waits.rearm(arm)) this.core.outside.closeSource();
      return;
    }
    const esp = event.scope.owner!;
    let ref = instanceData(watcher.frame, watcher.ref);
    if (payload !== undefined) {
      ref = writable(ref);
      setMessage(ref.data, payload);
    }
    this.start(watcher.frame, esp, ref);
    if (!event.interrupting && arm.schedule !== undefined) this.core.triggers.waits.rearm(arm);
  }

  /**
   * Starts the event sub-process `esp` in `frame` with `ref`. An
   * interrupting one first takes the instance's place (so the frame stays
   * open), then every other token of the instance is cancelled and nothing
   * else is watched.
   */
  start(frame: Frame, esp: GraphNode, ref: DataRef): void {
    const core = this.core;
    const token = core.spawn(esp, frame, ref, frame.owner?.loop, -1);
    if (!esp.trigger!.interrupting) return;
    const watcher = frame.watcher;
    if (watcher !== undefined) core.triggers.waits.disarm(watcher);
    for (let other = frame.head; other !== undefined; ) {
      const next = other.next;
      if (other !== token) core.cancelToken(other);
      other = next;
    }
  }

  private holds(start: GraphNode, ref: DataRef): boolean {
    const scope = { data: ref.data, context: { data: ref.data }, task: undefined, taskName: start.name, loop: undefined, lane: start.lane };
    return Boolean(this.core.events.conditions.conditionOf(start)?.evaluate(scope));
  }

  private armStart(root: Frame, ref: DataRef, start: GraphNode): void {
    this.starter ??= this.watcher(start, root, share(ref));
    this.core.outside.openSource();
    this.core.triggers.waits.armTimer(this.starter, start);
  }

  private stopStarts(): void {
    const starter = this.starter!;
    this.starter = undefined;
    this.core.triggers.waits.disarm(starter);
  }

  private watcher(node: GraphNode, frame: Frame, ref: DataRef): Token {
    const watcher = tokenRecord(0, node, frame, ref, frame.owner?.loop, -1);
    watcher.state = TokenState.Watching;
    return watcher;
  }
}

/*
 * What an instance's data is now, for an event sub-process that starts in
 * it: what the instance started with, then what its ended paths left
 * (frame.result), then what each of its live tokens carries, in the order
 * they were made; merged as joins merge.
 */
function instanceData(frame: Frame, start: DataRef): DataRef {
  let ref = share(start);
  const tokens: Token[] = [];
  for (let token = frame.head; token !== undefined; token = token.next) tokens.push(token);
  tokens.sort((a, b) => a.id - b.id);
  const parts = [frame.result?.data, ...tokens.map((token) => activityData(token).data)];
  for (const data of parts) {
    if (data === undefined || data === ref.data) continue;
    ref = writable(ref);
    mergeInto(ref, data);
  }
  return ref;
}
