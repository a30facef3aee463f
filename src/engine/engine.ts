import { CancelledError, TaskError } from "../errors.js";
import type { CompiledExpression, ExpressionScope } from "../model/expression.js";
import type { TimerSchedule } from "../model/timer.js";
import type { GraphFlow, GraphNode, ProcessGraph, Scope } from "../model/graph.js";
import { systemClock, type Clock } from "./clock.js";
import type { TaskContext, ContextHost, TaskNodeInfo } from "./context.js";
import type { Core } from "./core.js";
import { checkData } from "./data-check.js";
import { newRef, release, setKey, share, shallowCopy, writable, type Data, type DataRef } from "./data.js";
import { behaviours } from "./elements/index.js";
import type { Behaviour } from "./elements/behaviour.js";
import { errorRecord } from "./errors.js";
import { EventParts } from "./event-parts.js";
import { createFrame, moveToken, place, unplace, type Frame } from "./frame.js";
import { Inbox, InputKind } from "./inbox.js";
import { JoinGates } from "./join-gates.js";
import type { EngineJournal, ReplayInput } from "./journal.js";
import { Replay } from "./replay.js";
import { liveTokens, type LiveToken } from "./live-tokens.js";
import type { LoopContext } from "./loop-context.js";
import { Loops } from "./loops.js";
import { mergeInto } from "./merge.js";
import { selectFlows } from "./routing.js";
import { nextTurn, Slice, type Schedule } from "./slice.js";
import { TaskData } from "./task-data.js";
import { Tasks } from "./tasks.js";
import { tokenRecord, TokenState, type Token } from "./token.js";
import { Triggers } from "./triggers.js";
import type { Arm } from "./waits.js";

export type { LiveToken } from "./live-tokens.js";

/** Runs the user side of executable nodes; the engine never imports it. */
export interface NodeRunner {
  /** whether the node has a function to run (gateways may have none) */
  implements(node: GraphNode): boolean;
  /** runs the node's function; a returned promise makes the task asynchronous */
  run(ctx: TaskContext, node: GraphNode, token: Token): unknown;
  /** the node's `deduplicate` key expression, if its implementation has one */
  deduplicate?(node: GraphNode): CompiledExpression | undefined;
  /** a loop marker without an expression: the loop its implementation gives (task()'s `loop` option) */
  loop?(node: GraphNode): { expression: CompiledExpression; sequential: boolean } | undefined;
  /** a timer event without a value: when it fires, as its timer() declaration says */
  schedule?(node: GraphNode): TimerSchedule | undefined;
  /** a conditional event without a condition: its condition() declaration's */
  condition?(node: GraphNode): CompiledExpression | undefined;
  /** whether a message() or messageCallback() source sends to the node (tokens waiting there may still move) */
  fedFromOutside?(node: GraphNode): boolean;
}

/**
 * Follows tokens from node to node (lanes count the tokens in them; a live
 * view could draw them). Called synchronously on the hot path: keep it cheap.
 */
export interface TokenTracker {
  /** a new token stands at token.node (started, forked or a loop iteration) */
  entered(token: Token): void;
  /** the token went on to token.node from `from` */
  moved(token: Token, from: GraphNode): void;
  /** the token is leaving the board from token.node (finished, merged or cancelled) */
  left(token: Token): void;
  /** a token takes `flow` (a live view draws the path a run took) */
  took?(flow: GraphFlow): void;
}

/** Hooks for reporting (terminal lines, logs, lanes); all optional. */
export interface EngineObserver {
  taskStarted?(ctx: TaskContext): void;
  /** `error` is undefined when the task succeeded */
  taskFinished?(ctx: TaskContext, error: unknown): void;
  taskCancelled?(ctx: TaskContext): void;
  /** a task cancelled while it ran has now returned or thrown (its cleanup is done) */
  cancelledTaskSettled?(): void;
}

export interface EngineOptions {
  executionId: string;
  waitTasks: boolean;
  poolSize: number;
  runner: NodeRunner;
  observer?: EngineObserver;
  signal?: AbortSignal;
  /** time for timer events (default: the system clock) */
  clock?: Clock;
  tracker?: TokenTracker;
  /** how the engine continues on a later turn of the event loop (default setImmediate) */
  schedule?: Schedule;
  /** the run fails once it has started this many tasks (a cycle that never ends); default: no limit */
  taskLimit?: number;
  /** what a failure becomes before it goes into `data._error` or the run's TaskError (the runtime masks secrets there) */
  failure?: (error: unknown) => unknown;
  /** records the run's inputs so it can be rebuilt after a crash (src/journal); task functions wait for it to write */
  journal?: EngineJournal;
}

/**
 * The token machine. Tokens are plain records on a queue; every decision is
 * a few field reads on the compiled graph. What each kind of element does is
 * in elements/, running functions in tasks.ts, loops in loops.ts, joins in
 * join-gates.ts, timers and messages in triggers.ts. User code runs through
 * the NodeRunner, so nothing here knows about workspaces, terminals or files.
 */
export class Engine implements Core, ContextHost {
  readonly graph: ProcessGraph;
  readonly options: EngineOptions;
  readonly infos: TaskNodeInfo[];
  readonly tasks: Tasks;
  readonly loops: Loops;
  readonly triggers: Triggers;
  readonly events: EventParts;
  readonly host: ContextHost = this;
  finished = false;
  private readonly joins: JoinGates;
  private readonly inbox = new Inbox();
  /** rebuilding the run from its journal: no function is called, nothing is journaled again */
  private replay: Replay | undefined;
  private launchRequested = false;
  private readonly clock: Clock;
  /** how many tokens took the last message delivered (-1: not applied yet) */
  private takers = -1;
  /** the time of the input being applied, -1 between inputs */
  private time = -1;
  private readonly behaviours: Behaviour[];
  private readonly queue: Array<Token | undefined> = [];
  private head = 0;
  private tail = 0;
  private draining = false;
  private resumePending = false;
  private readonly slice: Slice;
  private nextTokenId = 1;
  private nextFrameId = 1;
  private root: Frame | undefined;
  private readonly eventFrames = new Set<Frame>();
  private openSources = 0;
  /** emitted events waiting in the inbox: they count as in flight, or a fast source would fill the inbox */
  private emitsWaiting = 0;
  private capacityWaiters: Array<() => void> = [];
  private resolveRun: ((data: Data) => void) | undefined;
  private rejectRun: ((error: Error) => void) | undefined;
  private initial: Data = {};
  private unwatch: (() => void) | undefined;
  private readonly tracker: TokenTracker | undefined;

  constructor(graph: ProcessGraph, options: EngineOptions) {
    this.graph = graph;
    this.options = options;
    this.infos = graph.nodes.map((node) => Object.freeze({ id: node.id, name: node.name, type: node.kind }));
    this.behaviours = behaviours(graph.nodes.map((node) => node.kind));
    this.tracker = options.tracker;
    this.tasks = new Tasks(this);
    this.loops = new Loops(this);
    this.triggers = new Triggers(this);
    this.joins = new JoinGates(this);
    this.events = new EventParts(this);
    this.clock = options.clock ?? systemClock;
    this.slice = new Slice(this.clock, options.schedule ?? nextTurn);
  }

  get journal(): EngineJournal | undefined {
    return this.replaying ? undefined : this.options.journal;
  }

  /*
   * One time per input: everything the input sets off (timers it arms, the
   * journal's records of it) counts from when it was applied, which is also
   * what a replay of the journal uses.
   */
  now(): number {
    return this.time >= 0 ? this.time : this.clock.now();
  }

  /** Starts the run; resolves with the merged data of the tokens that finished. */
  start(initialData: Data): Promise<Data> {
    this.initial = initialData;
    const promise = new Promise<Data>((resolve, reject) => {
      this.resolveRun = resolve;
      this.rejectRun = reject;
    });
    const scope = this.graph.root;
    // a shallow copy: the engine may set top-level keys of a data object nobody else holds, never the caller's
    const ref = newRef(shallowCopy(initialData));
    // a process that only triggered start events begin has no instance running in the root frame
    const root = this.newFrame(scope, undefined, undefined, scope.starts.length > 0 ? ref : undefined);
    this.root = root;
    this.time = this.clock.now();
    for (const node of scope.starts) this.spawn(node, root, share(ref), undefined, -1);
    this.events.scopes.processStarted(root, ref);
    release(ref);
    this.watchSignal();
    this.drain();
    this.checkFinished();
    return promise;
  }

  /** Keeps the run open while an event source may still emit. */
  openSource(): void {
    this.openSources++;
  }

  closeSource(): void {
    this.openSources--;
    this.checkFinished();
  }

  /** An event source failed: the run fails and names the message event. */
  failSource(node: GraphNode, error: unknown, heldRun: boolean): void {
    if (heldRun) this.openSources--;
    this.failRun(new TaskError(node.name, node.id, error));
  }

  /** Whether the run has ended (finished, failed or cancelled); sources stop pulling then. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** Message event instances that have started and not ended, or are about to start. */
  get eventsInFlight(): number {
    return this.eventFrames.size + this.emitsWaiting;
  }

  /** Resolves once fewer than `limit` event instances are in flight. */
  whenBelow(limit: number): Promise<void> | undefined {
    if (this.eventsInFlight < limit || this.finished) return undefined;
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Starts a new instance at a message start event, with `data.event` set. Throws a DataError for an event data cannot hold. */
  emit(node: GraphNode, event: unknown): void {
    if (this.finished) return;
    checkData(event, "data.event", `message event "${node.name}" (${node.id})`);
    this.emitsWaiting++;
    this.input(InputKind.Emitted, node, 0, event);
  }

  /**
   * A message for a catch event or message boundary event: every token
   * waiting for it there takes it (with `data.event` set); a message nobody
   * waits for is dropped. Returns how many tokens wait for it now.
   */
  deliver(node: GraphNode, event: unknown, correlation?: CompiledExpression): number {
    if (this.finished) return 0;
    checkData(event, "data.event", `message event "${node.name}" (${node.id})`);
    const waiting = this.triggers.waits.waiting(node).length;
    this.takers = -1;
    this.input(InputKind.Delivered, node, 0, correlation === undefined ? event : new Correlated(event, correlation));
    // applied at once when the engine was idle (the usual case): how many took it; else how many wait now
    return this.takers >= 0 ? this.takers : waiting;
  }

  // ---- rebuilding a run from its journal (replay.ts) ----------------------

  get replaying(): boolean {
    return this.replay !== undefined;
  }

  /** Rebuilds the run from its journal's inputs (before start()): no task function is called until it is over. */
  beginReplay(inputs: readonly ReplayInput[], setTime: (at: number) => void): Replay {
    this.replay = new Replay(this, inputs, setTime);
    this.tasks.replayWith(this.replay);
    this.slice.suspended = true;
    return this.replay;
  }

  /** The run is where it was when it stopped: the tasks that were running run again, and new inputs are journaled. */
  endReplay(): void {
    const replay = this.replay;
    if (replay === undefined) return;
    this.replay = undefined;
    this.slice.suspended = false;
    const { tokens, attempts } = replay.inFlight();
    this.tasks.relaunch(tokens, attempts);
    this.drain();
  }

  /** A journaled completion: the task's recorded changes become its data, as they did then (and a gateway's decision its decision). */
  replayDone(token: Token, set: Data, deleted: readonly string[], decision?: unknown): void {
    if (deleted.length > 0 || Object.keys(set).length > 0) {
      const data = shallowCopy(token.ref.data);
      const fresh = new Set<object>();
      for (const key of deleted) delete data[key];
      for (const key of Object.keys(set)) {
        const value = set[key];
        setKey(data, key, value);
        if (typeof value === "object" && value !== null) fresh.add(value);
      }
      release(token.ref);
      token.ref = newRef(data, fresh);
    }
    this.input(InputKind.Done, token, token.generation, decision);
  }

  replayFailed(token: Token, error: unknown): void {
    this.input(InputKind.Failed, token, token.generation, error);
  }

  /** A journaled timer firing; false when no armed timer has that number. */
  replayTimer(seq: number): boolean {
    const arm = this.triggers.waits.timer(seq);
    if (arm === undefined) return false;
    this.input(InputKind.Triggered, arm, 0, undefined);
    return true;
  }

  input(kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void {
    if (this.finished) return;
    this.inbox.push(kind, target, generation, payload);
    this.drain();
  }

  private readonly apply = (kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void => {
    // inputs applied in one go share a time: a slice lasts 20 ms at most, and reading the clock per input would cost more than applying many
    if (this.time < 0) this.time = this.clock.now();
    switch (kind) {
      case InputKind.Done:
        this.tasks.ended(target as Token, generation, payload, false);
        return;
      case InputKind.Failed:
        this.tasks.ended(target as Token, generation, payload, true);
        return;
      case InputKind.Triggered:
        this.triggers.triggered(target as Arm, payload);
        return;
      case InputKind.Emitted:
        this.emitsWaiting--;
        this.journal?.emitted(target as GraphNode, payload, this.now());
        this.startInstance(target as GraphNode, payload);
        return;
      case InputKind.Delivered:
        this.delivered(target as GraphNode, payload);
        return;
    }
  };

  /*
   * A message goes to the tokens waiting on the node; a correlated one (from
   * the inbox) to those whose data its correlation expression accepts, all
   * or none if it throws. Chosen when the input is applied, so a replay of
   * the journal chooses the same.
   */
  private delivered(node: GraphNode, payload: unknown): void {
    if (!(payload instanceof Correlated)) {
      this.journal?.delivered(node, payload, this.now(), undefined);
      this.takers = this.triggers.waits.deliver(node, payload);
      return;
    }
    const { event, correlation } = payload;
    this.journal?.delivered(node, event, this.now(), correlation.text);
    const arms = this.triggers.waits.waiting(node).filter((arm) => Boolean(correlation.evaluate(this.scopeOf(arm.token))));
    this.takers = arms.length;
    for (const arm of arms) this.input(InputKind.Triggered, arm, 0, event);
  }

  /** A new instance of the process at a start event: a message event, or a signal, timer or condition (those follow from other inputs). */
  startInstance(node: GraphNode, event: unknown): void {
    const data: Data = { ...this.initial };
    if (event !== undefined) setKey(data, "event", event);
    const ref = newRef(data);
    const frame = this.newFrame(node.scope, undefined, undefined, ref);
    this.eventFrames.add(frame);
    this.spawn(node, frame, ref, undefined, -1);
  }

  /** Every live token, for status output (SIGUSR1): where it is, what it does, which data keys it carries. */
  liveTokens(): LiveToken[] {
    return liveTokens(this.root ? [this.root, ...this.eventFrames] : this.eventFrames);
  }

  signalFor(handle: object): AbortSignal {
    const token = handle as Token;
    token.abort ??= new AbortController();
    if (token.state === TokenState.Cancelled) token.abort.abort(new CancelledError("the task was cancelled"));
    return token.abort.signal;
  }

  /* called once per task context; once its task has ended (a reporter, a late callback) the view only reads */
  dataFor(handle: object, ctx: TaskContext): Data {
    const token = handle as Token;
    const view = new TaskData(token.ref.data, ctx.taskName, ctx.task.id);
    if (token.context === ctx && token.state === TokenState.Running && token.view === undefined) token.view = view;
    else view.discard();
    return view.proxy;
  }

  // ---- the queue -------------------------------------------------------

  spawn(node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token {
    const token = this.createToken(node, frame, ref, loop, via);
    this.queue[this.tail++] = token;
    return token;
  }

  createToken(node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token {
    const token = tokenRecord(this.nextTokenId++, node, frame, ref, loop, via);
    place(frame, token);
    token.lane = laneOf(token);
    this.tracker?.entered(token);
    return token;
  }

  enqueue(token: Token): void {
    this.queue[this.tail++] = token;
  }

  drain(): void {
    if (this.draining || this.resumePending) return;
    if (this.slice.step()) {
      this.resumeLater();
      return;
    }
    this.draining = true;
    try {
      this.work();
    } catch (error) {
      this.failRun(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.draining = false;
    }
  }

  /*
   * Drains the queue, then applies the next waiting input (drained in full
   * before the next one), and once nothing is left calls the functions of
   * the tasks that started: with a journal, after it has written their
   * starts. Task functions never run inside a drain, so the state an input
   * meets depends only on the inputs before it.
   */
  private work(): void {
    try {
      this.workUntilIdle();
    } finally {
      this.time = -1;
    }
  }

  private workUntilIdle(): void {
    for (;;) {
      if (!this.drainQueue() || this.finished) return;
      if (this.inbox.shift(this.apply)) continue;
      if (this.replaying) return;
      if (!this.tasks.hasLaunches) {
        // nothing left to do: when tokens wait for messages, signals or conditions and nothing can start instances, see whether they wait in vain
        if (this.triggers.waits.subscriptions > 0 && this.openSources === 0 && this.emitsWaiting === 0) this.events.stall.check(this.root!, this.eventFrames);
        return;
      }
      const journal = this.options.journal;
      if (journal === undefined) {
        this.tasks.launch();
        continue;
      }
      if (!this.launchRequested) {
        this.launchRequested = true;
        journal.whenWritten(this.launchWritten);
      }
      return;
    }
  }

  private readonly launchWritten = (): void => {
    this.launchRequested = false;
    if (this.finished) return;
    this.draining = true;
    try {
      this.tasks.launch();
      this.work();
    } catch (error) {
      this.failRun(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.draining = false;
    }
  };

  /*
   * Joins are released only once the token queue is empty: a token that has
   * already moved onto the join node but is still queued must be parked (and
   * merged) before the join lets the others go. False when it paused for the
   * event loop.
   */
  private drainQueue(): boolean {
    const queue = this.queue;
    for (;;) {
      if (this.head < this.tail) {
        if (this.slice.step()) {
          this.resumeLater();
          return false;
        }
        const token = queue[this.head]!;
        queue[this.head++] = undefined;
        if (token.state === TokenState.Arrived) this.arrive(token);
        else if (token.state === TokenState.Completed) this.complete(token);
        continue;
      }
      // the array keeps its capacity: it empties after every input, and shrinking it would reallocate each time
      this.head = this.tail = 0;
      if (!this.joins.releaseNext()) return true;
    }
  }

  /* the rest of the queue waits for the next turn of the event loop (signals, timers and I/O go first) */
  private resumeLater(): void {
    if (this.resumePending || this.finished) return;
    this.resumePending = true;
    this.slice.later(this.resume);
  }

  private readonly resume = (): void => {
    this.resumePending = false;
    if (!this.finished) this.drain();
  };

  // ---- arriving at a node and leaving it --------------------------------

  private arrive(token: Token): void {
    if (this.joins.mustWait(token)) this.joins.park(token);
    else this.enter(token);
  }

  enter(token: Token): void {
    if (token.node.loop !== undefined) this.loops.start(token);
    else this.execute(token);
  }

  execute(token: Token): void {
    this.behaviours[token.node.index].execute(this, token);
  }

  private complete(token: Token): void {
    if (token.arms !== undefined) this.triggers.waits.disarm(token);
    if (token.node.onComplete !== 0 && this.events.completed(token)) return;
    if (token.node.loop !== undefined && token.loop?.node === token.node && this.loops.next(token)) return;
    this.route(token);
  }

  route(token: Token): void {
    if (token.arms !== undefined) this.triggers.waits.disarm(token);
    const node = token.node;
    let flows: readonly GraphFlow[];
    try {
      flows = selectFlows(node, () => this.scopeOf(token));
    } catch (error) {
      this.fail(token, error);
      return;
    }
    if (token.loop !== undefined && token.loop.node === node) token.loop = token.loop.parent;
    if (flows.length === 0) {
      this.finish(token);
      return;
    }
    for (let i = 1; i < flows.length; i++) {
      this.tracker?.took?.(flows[i]);
      this.spawn(flows[i].target, token.frame, share(token.ref), token.loop, flows[i].order);
    }
    this.tracker?.took?.(flows[0]);
    this.move(token, flows[0]);
  }

  take(token: Token, flow: GraphFlow): void {
    this.move(token, flow);
  }

  /** Reuses the token record for the first outgoing flow: no allocation on a straight path. */
  private move(token: Token, flow: GraphFlow): void {
    this.relocate(token, flow.target, flow.order);
    token.abort = undefined;
    // errors on the next node (a failing condition) must not be reported under the last task's name
    token.taskName = "";
    token.state = TokenState.Arrived;
    this.queue[this.tail++] = token;
  }

  relocate(token: Token, target: GraphNode, via: number): void {
    const released = moveToken(token.frame, token, target);
    const from = token.node;
    token.node = target;
    token.via = via;
    token.generation++;
    token.lane = laneOf(token);
    this.tracker?.moved(token, from);
    this.joins.unblocked(token.frame, released);
  }

  finish(token: Token): void {
    this.mergeResult(token.frame, token.ref);
    token.state = TokenState.Done;
    this.remove(token);
  }

  remove(token: Token): void {
    this.tracker?.left(token);
    release(token.ref);
    const frame = token.frame;
    this.joins.unblocked(frame, unplace(frame, token));
    if (frame.live === 0) this.frameDone(frame);
    else this.joins.checkStalled(frame);
  }

  // ---- frames ------------------------------------------------------------

  newFrame(scope: Scope, parent: Frame | undefined, owner: Token | undefined, ref?: DataRef): Frame {
    const frame = createFrame(this.nextFrameId++, scope, parent, owner);
    this.events.scopes.opened(frame, ref ?? owner?.ref);
    return frame;
  }

  eventFrameOf(token: Token): Frame | undefined {
    let frame = token.frame;
    while (frame.parent !== undefined) frame = frame.parent;
    return this.eventFrames.has(frame) ? frame : undefined;
  }

  /** The last token of a frame finished: hand its data to whoever waits for the frame. */
  private frameDone(frame: Frame): void {
    this.tasks.frameEnded(frame);
    if (frame.cancelled) return;
    this.events.scopes.closed(frame, false);
    this.events.compensation.frameEnded(frame);
    const owner = frame.owner;
    if (owner !== undefined) {
      const result = this.childResult(owner, frame.result);
      if (result === null) return;
      if (result !== undefined && result !== owner.ref) {
        release(owner.ref);
        owner.ref = result;
      }
      owner.child = undefined;
      owner.state = TokenState.Completed;
      this.queue[this.tail++] = owner;
      return;
    }
    if (frame !== this.root) {
      this.eventFrames.delete(frame);
      if (frame.result !== undefined) this.mergeResult(this.root!, frame.result);
      this.wakeSources();
    }
    this.checkFinished();
  }

  /* what the owner goes on with: the frame's result, unless its behaviour maps it (a call activity); null when that failed the owner */
  private childResult(owner: Token, result: DataRef | undefined): DataRef | undefined | null {
    const map = this.behaviours[owner.node.index].childResult;
    if (map === undefined) return result;
    try {
      return map(this, owner, result);
    } catch (error) {
      owner.child = undefined;
      owner.state = TokenState.Completed;
      this.fail(owner, error);
      return null;
    }
  }

  private mergeResult(frame: Frame, ref: DataRef): void {
    if (frame.result === undefined) {
      frame.result = share(ref);
      return;
    }
    if (frame.result.data === ref.data) return;
    frame.result = writable(frame.result);
    mergeInto(frame.result, ref.data);
  }

  // ---- errors and cancellation -----------------------------------------

  /** Hands the error to the nearest error boundary event, walking up the sub-processes; else the run fails. */
  fail(token: Token, failure: unknown): void {
    const error = this.options.failure === undefined ? failure : this.options.failure(failure);
    const record = errorRecord(error, token.taskName || token.node.name, token.node.id);
    if (this.events.raise.error(token, error, record)) return;
    this.failRun(new TaskError(token.taskName || token.node.name, token.node.id, error, token.id));
  }

  cancelToken(token: Token): void {
    const state = token.state;
    if (state === TokenState.Done || state === TokenState.Cancelled) return;
    if (state === TokenState.Running) this.tasks.stopped(token);
    if (state === TokenState.Waiting) this.joins.unpark(token);
    if (state === TokenState.Deduplicated) this.tasks.withdrawn(token);
    token.state = TokenState.Cancelled;
    token.generation++;
    token.abort?.abort(new CancelledError(`task "${token.taskName || token.node.name}" was cancelled`));
    token.view?.discard();
    token.view = undefined;
    if (token.arms !== undefined) this.triggers.waits.disarm(token);
    if (token.child !== undefined) this.cancelFrame(token.child);
    this.remove(token);
  }

  cancelFrame(frame: Frame): void {
    frame.cancelled = true;
    this.events.scopes.closed(frame, true);
    while (frame.head !== undefined) this.cancelToken(frame.head);
  }

  failRun(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.cancelAll();
    this.unwatch?.();
    this.wakeSources();
    this.rejectRun?.(error);
  }

  /* every token goes, then the outcomes still waiting in the inbox: those of tasks cancelled just now tell the runtime they ended */
  private cancelAll(): void {
    if (this.root) this.cancelFrame(this.root);
    for (const frame of this.eventFrames) this.cancelFrame(frame);
    this.eventFrames.clear();
    this.inbox.drain(this.dropped);
  }

  private readonly dropped = (kind: InputKind, target: Token | Arm | GraphNode, generation: number): void => {
    if ((kind === InputKind.Done || kind === InputKind.Failed) && (target as Token).generation !== generation) {
      this.options.observer?.cancelledTaskSettled?.();
    }
  };

  private checkFinished(): void {
    if (this.finished || this.openSources > 0 || this.eventFrames.size > 0) return;
    if (this.root === undefined || this.root.live > 0) return;
    this.finished = true;
    this.unwatch?.();
    this.wakeSources();
    this.resolveRun?.(this.root.result?.data ?? this.initial);
  }

  private wakeSources(): void {
    const waiters = this.capacityWaiters;
    if (waiters.length === 0) return;
    this.capacityWaiters = [];
    for (const wake of waiters) wake();
  }

  /** A CancelledError given as the abort reason is the run's error as it is; anything else is described in one. */
  private cancelFor(reason: unknown): void {
    this.failRun(reason instanceof CancelledError ? reason : new CancelledError(describeReason(reason)));
  }

  /* The caller's signal may outlive the run (one per CLI session): the listener goes when the run ends. */
  private watchSignal(): void {
    const signal = this.options.signal;
    if (signal === undefined) return;
    if (signal.aborted) {
      this.cancelFor(signal.reason);
      return;
    }
    const onAbort = (): void => this.cancelFor(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    this.unwatch = () => signal.removeEventListener("abort", onAbort);
  }

  // ---- expressions -----------------------------------------------------

  /* a script gets the task's copy-on-write view; conditions read the token's data as it is */
  scopeOf(token: Token, context?: TaskContext): ExpressionScope {
    const data = context !== undefined ? context.data : token.ref.data;
    return {
      data,
      context: context ?? { data, loop: token.loop, task: this.infos[token.node.index], executionId: this.options.executionId },
      task: this.infos[token.node.index],
      taskName: token.taskName || token.node.name,
      loop: token.loop,
      lane: token.node.lane,
    };
  }
}

/** An inbox message with the correlation expression that picks who takes it. */
class Correlated {
  readonly event: unknown;
  readonly correlation: CompiledExpression;

  constructor(event: unknown, correlation: CompiledExpression) {
    this.event = event;
    this.correlation = correlation;
  }
}

/*
 * A lane name is rendered when the token enters the node, before a loop on
 * it starts, so the iterations of a looped task share one lane (as in the
 * original adhesive); a looped sub-process renders it per iteration inside.
 */
function laneOf(token: Token): string | undefined {
  const template = token.node.laneTemplate;
  if (template === undefined) return undefined;
  return template.dynamic ? template.render({ data: token.ref.data, loop: token.loop }) : template.raw;
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? "aborted" : String(reason);
}
