import { TaskError } from "../errors.js";
import type { ExpressionScope } from "../model/expression.js";
import type { GraphFlow, GraphNode, ProcessGraph, Scope } from "../model/graph.js";
import { systemClock, type Clock } from "./clock.js";
import type { TaskContext, TaskNodeInfo } from "./context.js";
import type { Core } from "./core.js";
import { newRef, release, share, shallowCopy, type Data, type DataRef } from "./data.js";
import { behaviours } from "./elements/index.js";
import { plainSteps, takePlainStep } from "./elements/steps.js";
import type { Behaviour } from "./elements/behaviour.js";
import { callsAround, errorRecord } from "./errors.js";
import { EventParts } from "./event-parts.js";
import { createFrame, moveToken, place, unplace, type Frame } from "./frame.js";
import { InputKind } from "./inputs.js";
import { RunLoop } from "./run-loop.js";
import { Instances } from "./instances.js";
import { JoinGates } from "./join-gates.js";
import { checkpointOf, restore, type EngineCheckpoint } from "./checkpoint.js";
import type { EngineJournal, ReplayInput } from "./journal.js";
import { Replay } from "./replay.js";
import { liveTokens, type LiveToken } from "./live-tokens.js";
import type { LoopContext } from "./loop-context.js";
import { Loops } from "./loops.js";
import { mergeResult } from "./merge.js";
import { cancelFrame, cancelToken } from "./cancellation.js";
import { expressionScope } from "./expression-scope.js";
import { laneOf } from "./lane-of.js";
import { selectFlows } from "./routing.js";
import { nextTurn, Slice } from "./slice.js";
import { Tasks } from "./tasks.js";
import { standAt, tokenRecord, TokenState, type Token } from "./token.js";
import { Triggers } from "./triggers.js";
import { Outside } from "./outside.js";
import { checkFinished, failRun as endRun, frameDone } from "./run-end.js";
import { watchAbort } from "./abort.js";
import { TaskHost } from "./task-host.js";
import { applyOutcome, expressBlocks, type ExpressBlocks } from "./express.js";
import { startInstance } from "./instance-start.js";
import type { Arm } from "./waits.js";
import type { EngineOptions, TokenTracker } from "./options.js";

export type { LiveToken } from "./live-tokens.js";
export type { BlockCounter, EngineObserver, EngineOptions, NodeRunner, TokenTracker } from "./options.js";

/**
 * The token machine. Tokens are plain records on a queue; every decision is
 * a few field reads on the compiled graph. What each kind of element does is
 * in elements/, running functions in tasks.ts, loops in loops.ts, joins in
 * join-gates.ts, timers and messages in triggers.ts. User code runs through
 * the NodeRunner, so nothing here knows about workspaces, terminals or files.
 */
export class Engine implements Core {
  readonly graph: ProcessGraph;
  readonly options: EngineOptions;
  readonly infos: TaskNodeInfo[];
  readonly tasks: Tasks;
  readonly loops: Loops;
  readonly triggers: Triggers;
  readonly events: EventParts;
  readonly outside: Outside;
  readonly host: TaskHost;
  finished = false;
  /** the run's journal; undefined while it is rebuilt from it (a field, not a getter: read on every task start and end) */
  journal: EngineJournal | undefined;
  // read and set by the engine's own files (run-end.ts, checkpoint.ts); nothing outside src/engine sees the Engine
  readonly behaviours: Behaviour[];
  private readonly steps: Uint8Array;
  /** the fan-out blocks whose instances skip the token queue (express.ts, instance-start.ts) */
  readonly express: ExpressBlocks | undefined;
  readonly loop: RunLoop;
  readonly instances = new Instances();
  root: Frame | undefined;
  nextTokenId = 1;
  nextFrameId = 1;
  /** who hears how the run ends, and with what data when no instance left any */
  readonly ending: { resolve?: (data: Data) => void; reject?: (error: Error) => void; unwatch?: () => void; initial: Data } = { initial: {} };
  private readonly joins: JoinGates;
  /** rebuilding the run from its journal: no function is called, nothing is journaled again */
  private replay: Replay | undefined;
  private readonly clock: Clock;
  private readonly slice: Slice;
  private readonly tracker: TokenTracker | undefined;

  constructor(graph: ProcessGraph, options: EngineOptions) {
    this.graph = graph;
    this.options = options;
    this.host = new TaskHost(this);
    this.infos = graph.nodes.map((node) => Object.freeze({ id: node.id, name: node.name, type: node.kind }));
    this.behaviours = behaviours(graph.nodes.map((node) => node.kind));
    this.tracker = options.tracker;
    this.tasks = new Tasks(this);
    this.steps = plainSteps(graph.nodes, this.behaviours, this.tasks);
    this.loops = new Loops(this);
    this.triggers = new Triggers(this);
    this.joins = new JoinGates(this);
    this.events = new EventParts(this);
    this.outside = new Outside(this);
    this.clock = options.clock ?? systemClock;
    this.slice = new Slice(this.clock, options.schedule ?? nextTurn);
    this.loop = new RunLoop(this, this.clock, this.slice);
    this.journal = options.journal;
    this.express = expressBlocks(graph, this.steps, options);
  }

  now(): number {
    return this.loop.now();
  }

  get taken(): number {
    return this.loop.taken;
  }

  get queued(): number {
    return this.loop.queued;
  }

  /**
   * Starts the run; resolves with the merged data of the tokens that
   * finished. `from`: a checkpoint of the run (checkpoint.ts), whose start
   * events and the instances before it are long over: the run starts empty,
   * with its numbers and result, and goes on from the inputs after it.
   */
  start(initialData: Data, from?: EngineCheckpoint): Promise<Data> {
    this.ending.initial = initialData;
    const promise = new Promise<Data>((resolve, reject) => {
      this.ending.resolve = resolve;
      this.ending.reject = reject;
    });
    const scope = this.graph.root;
    // a shallow copy: the engine may set top-level keys of a data object nobody else holds, never the caller's
    const ref = newRef(shallowCopy(initialData));
    // a process that only triggered start events begin has no instance running in the root frame
    const root = this.newFrame(scope, undefined, undefined, scope.starts.length > 0 && from === undefined ? ref : undefined);
    this.root = root;
    this.loop.startClock();
    if (from === undefined) {
      for (const node of scope.starts) this.spawn(node, root, share(ref), undefined, -1);
      this.events.scopes.processStarted(root, ref);
    } else restore(this, root, from);
    release(ref);
    // a timer start event whose value failed has failed the run (Triggers)
    if (this.finished) return promise;
    this.ending.unwatch = watchAbort(this.options.signal, (error) => this.failRun(error));
    this.drain();
    checkFinished(this);
    return promise;
  }

  /**
   * The run as a checkpoint (checkpoint.ts), when nothing is in it; else
   * undefined. Asked between turns, with the run's journal written.
   */
  checkpoint(): EngineCheckpoint | undefined {
    return checkpointOf(this);
  }

  // ---- rebuilding a run from its journal (replay.ts) ----------------------

  get replaying(): boolean {
    return this.replay !== undefined;
  }

  /** Rebuilds the run from its journal's inputs (before start()): no task function is called until it is over. */
  beginReplay(inputs: readonly ReplayInput[], setTime: (at: number) => void): Replay {
    this.replay = new Replay(this, inputs, setTime);
    this.journal = undefined;
    this.tasks.replayWith(this.replay);
    this.slice.suspended = true;
    return this.replay;
  }

  /** The run is where it was when it stopped: the tasks that were running run again, and new inputs are journaled. */
  endReplay(): void {
    const replay = this.replay;
    if (replay === undefined) return;
    this.replay = undefined;
    this.journal = this.options.journal;
    this.slice.suspended = false;
    const { tokens, attempts } = replay.inFlight();
    this.tasks.relaunch(tokens, attempts);
    this.drain();
  }

  apply(kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void {
    switch (kind) {
      case InputKind.Done:
      case InputKind.Failed:
        this.tasks.ended(target as Token, generation, payload, kind === InputKind.Failed);
        return;
      case InputKind.Triggered:
        this.triggers.triggered(target as Arm, payload);
        return;
      case InputKind.Emitted:
        this.outside.emitted(target as GraphNode, payload);
        return;
      case InputKind.Delivered:
        this.outside.delivered(target as GraphNode, payload);
        return;
    }
  }

  /** A new instance of the process at a start event: a message event (`instance`: its number), or a signal, timer or condition (those follow from other inputs). */
  startInstance(node: GraphNode, event: unknown, instance = 0): void {
    startInstance(this, node, event, instance);
  }

  get hasBlocks(): boolean {
    return this.express !== undefined;
  }

  applyBlockOutcome(): boolean {
    return applyOutcome(this, this.express!);
  }

  /** Every live token, for status output (SIGUSR1): where it is, what it does, which data keys it carries. */
  liveTokens(): LiveToken[] {
    return liveTokens(this.root ? [this.root, ...this.instances.frames] : this.instances.frames);
  }

  // ---- the queue -------------------------------------------------------

  spawn(node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token {
    const token = this.createToken(node, frame, ref, loop, via);
    this.loop.enqueue(token);
    return token;
  }

  createToken(node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token {
    const token = this.newToken(node, frame, ref, loop, via);
    this.tracker?.entered(token);
    return token;
  }

  /** createToken without telling the tracker: express.ts tells a counting tracker of a whole instance instead */
  newToken(node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token {
    const token = tokenRecord(this.nextTokenId++, node, frame, ref, loop, via);
    place(frame, token);
    token.lane = laneOf(token);
    return token;
  }

  enqueue(token: Token): void {
    this.loop.enqueue(token);
  }

  drain(): void {
    this.loop.drain();
  }

  input(kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void {
    this.loop.input(kind, target, generation, payload);
  }

  get hasLaunches(): boolean {
    return this.tasks.hasLaunches;
  }

  get poolFull(): boolean {
    return this.tasks.poolFull;
  }

  launch(): void {
    this.tasks.launch();
  }

  releaseWaiting(): boolean {
    if (this.events.stepOver()) return true;
    this.tasks.startFreed();
    return this.joins.releaseNext();
  }

  /*
   * Nothing left to do: the run may be over (an input it waited for, even a
   * stale one, has just been applied), or its tokens may wait for messages,
   * signals or conditions in vain.
   */
  idle(): void {
    checkFinished(this);
    const { instances } = this;
    if (!this.finished && this.triggers.waits.subscriptions > 0 && instances.openSources === 0 && instances.waitingEmits === 0) this.events.stall.check(this.root!, instances.frames);
  }

  // ---- arriving at a node and leaving it --------------------------------

  arrive(token: Token): void {
    if (this.joins.mustWait(token)) this.joins.park(token);
    else this.enter(token);
  }

  enter(token: Token): void {
    if (token.node.loop !== undefined) this.loops.start(token);
    else this.execute(token);
  }

  execute(token: Token): void {
    const index = token.node.index;
    if (!takePlainStep(this, token, this.steps[index])) this.behaviours[index].execute(this, token);
  }

  complete(token: Token): void {
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
      flows = selectFlows(node, token, this);
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
    this.take(token, flows[0]);
  }

  /** Reuses the token record for the first outgoing flow: no allocation on a straight path. */
  take(token: Token, flow: GraphFlow): void {
    this.relocate(token, flow.target, flow.order);
    token.abort = undefined;
    // errors on the next node (a failing condition) must not be reported under the last task's name
    token.taskName = "";
    token.state = TokenState.Arrived;
    this.loop.enqueue(token);
  }

  relocate(token: Token, target: GraphNode, via: number): void {
    const released = moveToken(token.frame, token, target);
    const from = token.node;
    standAt(token, target, via);
    this.tracker?.moved(token, from);
    this.joins.unblocked(token.frame, released);
  }

  finish(token: Token): void {
    mergeResult(token.frame, token.ref);
    token.state = TokenState.Done;
    this.remove(token);
  }

  remove(token: Token): void {
    this.tracker?.left(token);
    release(token.ref);
    const frame = token.frame;
    this.joins.unblocked(frame, unplace(frame, token));
    if (frame.live === 0) frameDone(this, frame);
    else this.joins.checkStalled(frame);
  }

  // ---- frames ------------------------------------------------------------

  newFrame(scope: Scope, parent: Frame | undefined, owner: Token | undefined, ref?: DataRef, counted = scope.hasJoins): Frame {
    const frame = createFrame(this.nextFrameId++, scope, parent, owner, counted);
    this.events.scopes.opened(frame, ref ?? owner?.ref);
    return frame;
  }

  eventFrameOf(token: Token): Frame | undefined {
    let frame = token.frame;
    while (frame.parent !== undefined) frame = frame.parent;
    return this.instances.frames.has(frame) ? frame : undefined;
  }

  // ---- errors and cancellation -----------------------------------------

  /** Hands the error to the nearest error boundary event, walking up the sub-processes; else the run fails. */
  fail(token: Token, failure: unknown): void {
    const error = this.options.failure === undefined ? failure : this.options.failure(failure);
    const calls = callsAround(token);
    const record = errorRecord(error, token.taskName || token.node.name, token.node.id, calls);
    if (this.events.raise.error(token, error, record)) return;
    this.options.observer?.tokenFailed?.(token, error, false);
    this.failRun(new TaskError(token.taskName || token.node.name, token.node.id, error, token.id, calls, token.frame.instance));
  }

  cancelToken(token: Token): void {
    cancelToken(this, this.joins, token);
  }

  cancelFrame(frame: Frame): void {
    cancelFrame(this, frame);
  }

  failRun(error: Error): void {
    endRun(this, error);
  }

  // ---- expressions -----------------------------------------------------

  scopeOf(token: Token, context?: TaskContext): ExpressionScope {
    return expressionScope(token, this.infos[token.node.index], this.options.executionId, context);
  }
}
