import { AdhesiveError, CancelledError, TaskError, TaskLimitError } from "../errors.js";
import type { CompiledExpression, ExpressionScope } from "../model/expression.js";
import type { GraphFlow, GraphNode, ProcessGraph } from "../model/graph.js";
import { TaskContext, type ContextHost, type TaskNodeInfo } from "./context.js";
import { newRef, release, setKey, share, shallowCopy, writable, type Data, type DataRef } from "./data.js";
import { checkData } from "./data-check.js";
import { mergeInto } from "./merge.js";
import { TaskData } from "./task-data.js";
import { errorRecord, pickErrorBoundary, ThrownBpmnError } from "./errors.js";
import { countBlockers, createFrame, isStalled, moveToken, place, unplace, type Frame, type JoinState } from "./frame.js";
import { loopEntries, type LoopContext } from "./loop-context.js";
import { selectFlows } from "./routing.js";
import { TokenState, type Token } from "./token.js";
import { systemClock, type Clock } from "./clock.js";
import { Waits, type Arm } from "./waits.js";
import { Deduplicator } from "./dedup.js";
import { nextTurn, Slice, type Schedule } from "./slice.js";

/** Runs the user side of executable nodes; the engine never imports it. */
export interface NodeRunner {
  /** whether the node has a function to run (gateways may have none) */
  implements(node: GraphNode): boolean;
  /** runs the node's function; a returned promise makes the task asynchronous */
  run(ctx: TaskContext, node: GraphNode, token: Token): unknown;
  /** the node's `deduplicate` key expression, if its implementation has one */
  deduplicate?(node: GraphNode): CompiledExpression | undefined;
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
}

/**
 * The token machine. Tokens are plain records on a queue; every decision is
 * a few field reads on the compiled graph. User code runs through the
 * NodeRunner, so this file knows nothing about workspaces, terminals or files.
 */
export class Engine implements ContextHost {
  private readonly graph: ProcessGraph;
  private readonly options: EngineOptions;
  private readonly infos: TaskNodeInfo[];
  private readonly implemented: Uint8Array;
  private readonly queue: Token[] = [];
  private head = 0;
  private readonly releases: Array<[Frame, JoinState]> = [];
  private readonly ready: Token[] = [];
  private readyHead = 0;
  private draining = false;
  private resumePending = false;
  private readonly slice: Slice;
  private tasksRun = 0;
  private startingReady = false;
  private running = 0;
  private nextTokenId = 1;
  private nextFrameId = 1;
  private root: Frame | undefined;
  private readonly eventFrames = new Set<Frame>();
  private openSources = 0;
  private capacityWaiters: Array<() => void> = [];
  private finished = false;
  private resolveRun: ((data: Data) => void) | undefined;
  private rejectRun: ((error: Error) => void) | undefined;
  private initial: Data = {};
  private readonly waits: Waits;
  private unwatch: (() => void) | undefined;
  private readonly tracker: TokenTracker | undefined;
  /** per node: its deduplicate key expression; undefined when no task deduplicates */
  private readonly dedupKeys: Array<CompiledExpression | undefined> | undefined;
  private readonly dedup = new Deduplicator();

  constructor(graph: ProcessGraph, options: EngineOptions) {
    this.graph = graph;
    this.options = options;
    this.infos = graph.nodes.map((node) => Object.freeze({ id: node.id, name: node.name, type: node.kind }));
    this.implemented = Uint8Array.from(graph.nodes, (node) => (options.runner.implements(node) ? 1 : 0));
    this.tracker = options.tracker;
    const keys = graph.nodes.map((node) => options.runner.deduplicate?.(node));
    this.dedupKeys = keys.some((key) => key !== undefined) ? keys : undefined;
    this.waits = new Waits(options.clock ?? systemClock, (arm, payload) => this.triggered(arm, payload));
    this.slice = new Slice(options.clock ?? systemClock, options.schedule ?? nextTurn);
  }

  /** Starts the run; resolves with the merged data of the tokens that finished. */
  start(initialData: Data): Promise<Data> {
    this.initial = initialData;
    const promise = new Promise<Data>((resolve, reject) => {
      this.resolveRun = resolve;
      this.rejectRun = reject;
    });
    const scope = this.graph.root;
    const root = createFrame(this.nextFrameId++, scope, undefined, undefined);
    this.root = root;
    // a shallow copy: the engine may set top-level keys of a data object nobody else holds, never the caller's
    const ref = newRef(shallowCopy(initialData));
    for (const node of scope.starts) this.spawn(node, root, share(ref), undefined, -1);
    release(ref);
    this.watchSignal();
    this.drain();
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

  /** Message event instances that have started and not ended. */
  get eventsInFlight(): number {
    return this.eventFrames.size;
  }

  /** Resolves once fewer than `limit` event instances are in flight. */
  whenBelow(limit: number): Promise<void> | undefined {
    if (this.eventFrames.size < limit || this.finished) return undefined;
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Starts a new instance at a message start event, with `data.event` set. */
  emit(node: GraphNode, event: unknown): void {
    if (this.finished) return;
    checkData(event, "data.event", `message event "${node.name}" (${node.id})`);
    const data: Data = { ...this.initial };
    setKey(data, "event", event);
    const frame = createFrame(this.nextFrameId++, this.graph.root, undefined, undefined);
    this.eventFrames.add(frame);
    this.spawn(node, frame, newRef(data), undefined, -1);
    this.drain();
  }

  /**
   * A message for a catch event or message boundary event: every token
   * waiting for it there takes it (with `data.event` set). Returns how many
   * did; a message nobody waits for is dropped.
   */
  deliver(node: GraphNode, event: unknown, correlation?: CompiledExpression): number {
    if (this.finished) return 0;
    checkData(event, "data.event", `message event "${node.name}" (${node.id})`);
    // an inbox message may go only to the waiting tokens whose data the correlation expression accepts
    const accepts = correlation === undefined ? undefined : (token: Token) => Boolean(correlation.evaluate(this.scopeOf(token)));
    return this.waits.deliver(node, event, accepts);
  }

  /** Every live token, for status output (SIGUSR1): where it is, what it does, which data keys it carries. */
  liveTokens(): LiveToken[] {
    const result: LiveToken[] = [];
    const frames: Frame[] = this.root ? [this.root, ...this.eventFrames] : [...this.eventFrames];
    while (frames.length > 0) {
      const frame = frames.shift()!;
      for (let token = frame.head; token !== undefined; token = token.next) {
        result.push(describeToken(token));
        if (token.child !== undefined) frames.push(token.child);
      }
    }
    return result;
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

  private spawn(node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token {
    const token = this.createToken(node, frame, ref, loop, via);
    this.queue.push(token);
    return token;
  }

  /** A new token standing at `node`, not yet queued. */
  private createToken(node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token {
    const token: Token = {
      id: this.nextTokenId++,
      node,
      frame,
      ref,
      loop,
      run: undefined,
      state: TokenState.Arrived,
      via,
      generation: 0,
      taskName: "",
      abort: undefined,
      view: undefined,
      context: undefined,
      child: undefined,
      arms: undefined,
      lane: undefined,
      prev: undefined,
      next: undefined,
    };
    place(frame, token);
    this.enteredNode(token);
    return token;
  }

  private drain(): void {
    if (this.draining || this.resumePending) return;
    if (this.slice.step()) {
      this.resumeLater();
      return;
    }
    this.draining = true;
    try {
      this.drainQueue();
    } catch (error) {
      this.failRun(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.draining = false;
    }
  }

  /*
   * Joins are released only once the token queue is empty: a token that has
   * already moved onto the join node but is still queued must be parked (and
   * merged) before the join lets the others go.
   */
  private drainQueue(): void {
    const queue = this.queue;
    for (;;) {
      if (this.head < queue.length) {
        if (this.slice.step()) {
          this.resumeLater();
          return;
        }
        const token = queue[this.head++];
        if (token.state === TokenState.Arrived) this.arrive(token);
        else if (token.state === TokenState.Completed) this.complete(token);
        continue;
      }
      queue.length = 0;
      this.head = 0;
      if (this.releases.length === 0) break;
      const [frame, join] = this.releases.shift()!;
      this.releaseJoin(frame, join);
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

  // ---- arriving at a node: join, loop, execute -------------------------

  private arrive(token: Token): void {
    const node = token.node;
    if (node.ancestors !== undefined && (node.join === "always" || this.options.waitTasks)) {
      this.park(token);
      return;
    }
    this.enter(token);
  }

  private park(token: Token): void {
    const frame = token.frame;
    token.state = TokenState.Waiting;
    frame.waiting++;
    let join = frame.joins.find((j) => j.node === token.node);
    if (join) {
      join.waiting.push(token);
    } else {
      join = { node: token.node, waiting: [token], blockers: countBlockers(frame, token.node) };
      frame.joins.push(join);
    }
    if (join.blockers === 0) this.releases.push([frame, join]);
    else this.checkStalled(frame);
  }

  /** Every token that could still arrive has arrived: merge the parked ones into one and go on. */
  private releaseJoin(frame: Frame, join: JoinState): void {
    const index = frame.joins.indexOf(join);
    if (index < 0) return;
    frame.joins.splice(index, 1);
    const waiting = join.waiting.filter((t) => t.state === TokenState.Waiting).sort((a, b) => a.via - b.via);
    frame.waiting -= waiting.length;
    if (waiting.length === 0) return;
    const first = waiting[0];
    for (let i = 1; i < waiting.length; i++) this.mergeInto(first, waiting[i]);
    first.state = TokenState.Arrived;
    this.enter(first);
  }

  private mergeInto(target: Token, source: Token): void {
    if (source.ref.data !== target.ref.data) {
      target.ref = writable(target.ref);
      mergeInto(target.ref, source.ref.data);
    }
    source.state = TokenState.Done;
    this.remove(source);
  }

  private enter(token: Token): void {
    if (token.node.loop !== undefined) this.startLoop(token);
    else this.execute(token);
  }

  private execute(token: Token): void {
    const node = token.node;
    switch (node.kind) {
      case "task":
      case "userTask":
      case "scriptTask":
        this.armBoundaries(token);
        this.schedule(token);
        return;
      case "subProcess":
        if (node.when !== undefined && !this.evaluateWhen(token)) return;
        this.armBoundaries(token);
        this.enterSubProcess(token);
        return;
      case "intermediateCatchEvent":
        token.state = TokenState.Catching;
        this.waits.arm(token, node);
        return;
      case "eventBasedGateway":
        token.state = TokenState.Catching;
        for (const flow of node.outgoing) this.waits.arm(token, flow.target);
        return;
      case "endEvent":
        if (node.errorCode !== undefined) this.fail(token, new ThrownBpmnError(node.errorCode, node.id));
        else this.finish(token);
        return;
      default:
        if (this.implemented[node.index] === 1) this.schedule(token);
        else this.route(token);
    }
  }

  // ---- running tasks ---------------------------------------------------

  private schedule(token: Token): void {
    if (token.node.when !== undefined && !this.evaluateWhen(token)) return;
    const key = this.dedupKeys?.[token.node.index];
    if (key !== undefined && !this.deduplicated(token, key)) return;
    this.admit(token);
  }

  /** Runs the task now if the pool has room, else queues it. */
  private admit(token: Token): void {
    if (!usesPool(token.node) || this.running < this.options.poolSize) {
      this.runTask(token);
    } else {
      token.state = TokenState.Ready;
      this.ready.push(token);
    }
  }

  /**
   * Whether the token may run its deduplicated task now; otherwise it waits
   * for the key, replacing (dropping) the token that waited before it.
   */
  private deduplicated(token: Token, expression: CompiledExpression): boolean {
    let value: unknown;
    try {
      value = expression.evaluate(this.scopeOf(token));
    } catch (error) {
      this.fail(token, error);
      return false;
    }
    const { run, dropped } = this.dedup.acquire(`${token.node.index}\u0000${String(value)}`, token, this.holderOf(token));
    if (dropped !== undefined) {
      dropped.state = TokenState.Done;
      this.remove(dropped);
    }
    if (!run) token.state = TokenState.Deduplicated;
    return run;
  }

  /* A key taken in a message event's instance is held until that instance ends; in the root, while the task runs. */
  private readonly holderOf = (token: Token): Frame | undefined => {
    let frame = token.frame;
    while (frame.parent !== undefined) frame = frame.parent;
    return this.eventFrames.has(frame) ? frame : undefined;
  };

  private releaseKey(token: Token): void {
    if (this.dedupKeys === undefined) return;
    const next = this.dedup.taskEnded(token, this.holderOf);
    if (next !== undefined) this.admit(next);
  }

  /** A `when` that does not hold skips the task: the token goes on as if it had run. */
  private evaluateWhen(token: Token): boolean {
    try {
      if (token.node.when!.evaluate(this.scopeOf(token))) return true;
    } catch (error) {
      this.fail(token, error);
      return false;
    }
    this.route(token);
    return false;
  }

  private runTask(token: Token): void {
    const node = token.node;
    if (++this.tasksRun > (this.options.taskLimit ?? Infinity)) {
      this.failRun(new TaskLimitError(this.options.taskLimit!, token.taskName || node.name, node.id));
      return;
    }
    token.state = TokenState.Running;
    if (usesPool(node)) this.running++;
    const taskName = node.template.dynamic ? node.template.render({ data: token.ref.data, loop: token.loop }) : node.name;
    token.taskName = taskName;
    const ctx = new TaskContext(this, token, this.infos[node.index], taskName, token.loop, token.lane, this.options.executionId, token.id);
    const generation = token.generation;
    token.context = ctx;
    this.options.observer?.taskStarted?.(ctx);
    let result: unknown;
    try {
      result = node.script !== undefined ? node.script.evaluate(this.scopeOf(token, ctx)) : this.options.runner.run(ctx, node, token);
    } catch (error) {
      this.taskEnded(token, generation, error, true);
      return;
    }
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
      // plain callbacks, not an async function: one less promise and frame per asynchronous task
      (result as PromiseLike<unknown>).then(
        () => this.settled(token, generation, undefined, false),
        (error: unknown) => this.settled(token, generation, error, true),
      );
    } else {
      this.taskEnded(token, generation, undefined, false);
    }
  }

  private settled(token: Token, generation: number, error: unknown, failed: boolean): void {
    this.taskEnded(token, generation, error, failed);
    this.drain();
  }

  private taskEnded(token: Token, generation: number, error: unknown, failed: boolean): void {
    if (token.generation !== generation || token.state !== TokenState.Running) return;
    if (!failed && token.view !== undefined) {
      try {
        this.keepChanges(token, token.view);
      } catch (invalid) {
        failed = true;
        error = invalid;
      }
    }
    token.view?.discard();
    token.view = undefined;
    if (usesPool(token.node)) this.running--;
    this.releaseKey(token);
    const ctx = token.context!;
    token.context = undefined;
    this.options.observer?.taskFinished?.(ctx, failed ? error ?? new Error("task failed") : undefined);
    // no longer Running, so cancelling it from fail() does not count it out of the pool twice
    token.state = TokenState.Completed;
    // a failed task's token still holds the data it started with: a boundary event continues from that
    if (failed) this.fail(token, error);
    else this.queue.push(token);
    this.startReady();
  }

  /** The task's changes become the token's data; a task that changed nothing keeps sharing what it had. */
  private keepChanges(token: Token, view: TaskData): void {
    const result = view.finish();
    if (result === undefined) return;
    release(token.ref);
    token.ref = newRef(result.data, result.fresh);
  }

  private startReady(): void {
    // synchronous tasks finish inside runTask and call back here; the outer loop keeps going
    if (this.startingReady) return;
    this.startingReady = true;
    const ready = this.ready;
    while (this.running < this.options.poolSize && this.readyHead < ready.length) {
      const token = ready[this.readyHead++];
      if (token.state === TokenState.Ready) this.runTask(token);
    }
    if (this.readyHead === ready.length) {
      ready.length = 0;
      this.readyHead = 0;
    }
    this.startingReady = false;
  }

  // ---- sub-processes ---------------------------------------------------

  private enterSubProcess(token: Token): void {
    const scope = token.node.children!;
    token.state = TokenState.InSubProcess;
    const child = createFrame(this.nextFrameId++, scope, token.frame, token);
    token.child = child;
    for (const start of scope.starts) this.spawn(start, child, share(token.ref), token.loop, -1);
  }

  /** The last token of a frame finished: hand its data to whoever waits for the frame. */
  private frameDone(frame: Frame): void {
    if (this.dedupKeys !== undefined) for (const next of this.dedup.frameEnded(frame, this.holderOf)) this.admit(next);
    if (frame.cancelled) return;
    const owner = frame.owner;
    if (owner !== undefined) {
      if (frame.result !== undefined) {
        release(owner.ref);
        owner.ref = frame.result;
      }
      owner.child = undefined;
      owner.state = TokenState.Completed;
      this.queue.push(owner);
      return;
    }
    if (frame !== this.root) {
      this.eventFrames.delete(frame);
      if (frame.result !== undefined) this.mergeResult(this.root!, frame.result);
      this.wakeSources();
    }
    this.checkFinished();
  }

  // ---- loops -----------------------------------------------------------

  private startLoop(token: Token): void {
    const node = token.node;
    const loop = node.loop!;
    let value: unknown;
    try {
      value = this.evaluateLoop(token);
    } catch (error) {
      this.fail(token, error);
      return;
    }
    const entries = loop.cardinality !== undefined ? countEntries(value) : loopEntries(value);
    if (entries === undefined) {
      token.run = { kind: "condition", entries: undefined, outer: token.loop };
      token.loop = this.loopContext(token.node, 0, value, value, token.loop);
      this.execute(token);
    } else if (entries.length === 0) {
      this.route(token);
    } else if (loop.sequential) {
      token.run = { kind: "sequential", entries, outer: token.loop };
      this.startIteration(token, 0, entries[0]);
    } else {
      this.startParallel(token, entries);
    }
  }

  private evaluateLoop(token: Token): unknown {
    const loop = token.node.loop!;
    const expression = loop.cardinality ?? loop.collection ?? loop.expression;
    return expression === undefined ? undefined : expression.evaluate(this.scopeOf(token));
  }

  private startParallel(token: Token, entries: Array<[unknown, unknown]>): void {
    const outer = token.loop;
    const iterations: Token[] = [token];
    for (let i = 1; i < entries.length; i++) {
      iterations.push(this.createToken(token.node, token.frame, share(token.ref), outer, token.via));
    }
    for (let i = 0; i < iterations.length; i++) {
      iterations[i].loop = outer;
      this.startIteration(iterations[i], i, entries[i]);
    }
  }

  private startIteration(token: Token, index: number, [key, value]: [unknown, unknown]): void {
    const loop = token.node.loop!;
    token.loop = this.loopContext(token.node, index, key, value, token.run?.outer ?? token.loop);
    if (loop.elementVariable !== undefined) {
      token.ref = writable(token.ref);
      setKey(token.ref.data, loop.elementVariable, value);
    }
    this.execute(token);
  }

  private loopContext(node: GraphNode, index: number, key: unknown, value: unknown, parent: LoopContext | undefined): LoopContext {
    return { index, key, value, expression: node.loop!.text, parent, node };
  }

  /**
   * After an iteration. Returns true when the token stays in the loop (a
   * condition loop goes round again); a sequential loop starts its next
   * iteration as a new token and lets this one leave.
   */
  private continueLoop(token: Token): boolean {
    const run = token.run;
    let next: unknown = false;
    try {
      const completed = this.completionReached(token);
      if (run === undefined || completed) next = false;
      else if (run.kind === "condition") next = continuesCondition(this.evaluateLoop(token));
      else next = token.loop!.index + 1 < run.entries!.length;
    } catch (error) {
      this.fail(token, error);
      return true;
    }
    if (run === undefined) return false;
    token.run = undefined;
    if (!next) return false;
    const index = token.loop!.index + 1;
    if (run.kind === "condition") {
      token.run = run;
      token.loop = this.loopContext(token.node, index, next, next, run.outer);
      this.execute(token);
      return true;
    }
    const iteration = this.createToken(token.node, token.frame, share(token.ref), run.outer, token.via);
    iteration.run = run;
    this.startIteration(iteration, index, run.entries![index]);
    return false;
  }

  /** Multi-instance completion condition: once it holds, the other iterations are cancelled. */
  private completionReached(token: Token): boolean {
    const condition = token.node.loop?.completionCondition;
    if (condition === undefined || token.loop?.node !== token.node) return false;
    if (!condition.evaluate(this.scopeOf(token))) return false;
    const instance = token.loop.parent;
    for (let other = token.frame.head; other !== undefined; ) {
      const next = other.next;
      if (other !== token && other.loop?.node === token.node && other.loop.parent === instance) this.cancelToken(other);
      other = next;
    }
    return true;
  }

  // ---- leaving a node --------------------------------------------------

  private complete(token: Token): void {
    if (token.arms !== undefined) this.waits.disarm(token);
    if (token.node.loop !== undefined && token.loop?.node === token.node && this.continueLoop(token)) return;
    this.route(token);
  }

  private route(token: Token): void {
    if (token.arms !== undefined) this.waits.disarm(token);
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

  /** Reuses the token record for the first outgoing flow: no allocation on a straight path. */
  private move(token: Token, flow: GraphFlow): void {
    this.relocate(token, flow.target, flow.order);
    token.abort = undefined;
    // errors on the next node (a failing condition) must not be reported under the last task's name
    token.taskName = "";
    token.state = TokenState.Arrived;
    this.queue.push(token);
  }

  /** Moves a token to another node of its frame, keeping join counts and the tracker up to date. */
  private relocate(token: Token, target: GraphNode, via: number): void {
    const released = moveToken(token.frame, token, target);
    const from = token.node;
    token.node = target;
    token.via = via;
    token.generation++;
    token.lane = laneOf(token);
    this.tracker?.moved(token, from);
    if (released !== undefined) this.releases.push([token.frame, released]);
  }

  private enteredNode(token: Token): void {
    token.lane = laneOf(token);
    this.tracker?.entered(token);
  }

  /** The token reached an end: its data joins the frame's result. */
  private finish(token: Token): void {
    this.mergeResult(token.frame, token.ref);
    token.state = TokenState.Done;
    this.remove(token);
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

  /** Takes a token off the board, releasing joins it was blocking and closing its frame if it was the last. */
  private remove(token: Token): void {
    this.tracker?.left(token);
    release(token.ref);
    const frame = token.frame;
    const released = unplace(frame, token);
    if (released !== undefined) this.releases.push([frame, released]);
    if (frame.live === 0) this.frameDone(frame);
    else this.checkStalled(frame);
  }

  private checkStalled(frame: Frame): void {
    // a cycle of joins waiting on each other: let the oldest one go rather than hang
    if (isStalled(frame) && frame.joins.length > 0 && this.releases.length === 0) this.releases.push([frame, frame.joins[0]]);
  }

  // ---- timers and messages ---------------------------------------------

  private armBoundaries(token: Token): void {
    const node = token.node;
    for (const boundary of node.timerBoundaries) this.waits.arm(token, boundary);
    for (const boundary of node.messageBoundaries) this.waits.arm(token, boundary);
  }

  /** A timer fired or a message arrived for one of the token's arms. */
  private triggered(arm: Arm, payload: unknown): void {
    if (this.finished) return;
    const { token, event } = arm;
    const message = event.schedule === undefined;
    if (token.state === TokenState.Catching) {
      this.caught(token, event, message, payload);
    } else if (event.interrupting) {
      this.spawnFromBoundary(token, event, message ? "event" : undefined, payload);
      this.cancelToken(token);
    } else {
      this.spawnFromBoundary(token, event, message ? "event" : undefined, payload);
      if (!message) this.waits.rearm(arm);
    }
    this.drain();
  }

  /** The token's catch event (or, after an event-based gateway, the first of its events) happened: it moves on. */
  private caught(token: Token, event: GraphNode, message: boolean, payload: unknown): void {
    this.waits.disarm(token);
    if (token.node !== event) {
      // the other events of the gateway are withdrawn; the token passes the one that happened
      const flow = token.node.outgoing.find((f) => f.target === event)!;
      this.tracker?.took?.(flow);
      this.relocate(token, event, flow.order);
    }
    if (message) {
      token.ref = writable(token.ref);
      setKey(token.ref.data, "event", payload);
    }
    token.state = TokenState.Completed;
    this.queue.push(token);
  }

  /**
   * A token leaves `holder` through one of its boundary events, with the
   * data the activity started with (plus `key`: `_error` or `event`).
   */
  private spawnFromBoundary(holder: Token, boundary: GraphNode, key: string | undefined, value: unknown): void {
    let ref = share(holder.ref);
    if (key !== undefined) {
      ref = writable(ref);
      setKey(ref.data, key, value);
    }
    const loop = holder.loop?.node === holder.node ? holder.loop.parent : holder.loop;
    this.spawn(boundary, holder.frame, ref, loop, -1);
  }

  // ---- errors and cancellation -----------------------------------------

  /** Hands the error to the nearest error boundary event, walking up the sub-processes; else the run fails. */
  private fail(token: Token, failure: unknown): void {
    const error = this.options.failure === undefined ? failure : this.options.failure(failure);
    const record = errorRecord(error, token.taskName || token.node.name, token.node.id);
    for (let holder: Token | undefined = token; holder !== undefined; holder = holder.frame.owner) {
      const boundary = pickErrorBoundary(holder.node, error);
      if (boundary === undefined) continue;
      this.spawnFromBoundary(holder, boundary, "_error", record);
      this.cancelToken(holder);
      return;
    }
    this.failRun(new TaskError(token.taskName || token.node.name, token.node.id, error, token.id));
  }

  private cancelToken(token: Token): void {
    const state = token.state;
    if (state === TokenState.Done || state === TokenState.Cancelled) return;
    if (state === TokenState.Running) this.stopRunning(token);
    if (state === TokenState.Waiting) this.unpark(token);
    if (state === TokenState.Deduplicated) this.dedup.withdraw(token);
    token.state = TokenState.Cancelled;
    token.generation++;
    token.abort?.abort(new CancelledError(`task "${token.taskName || token.node.name}" was cancelled`));
    token.view?.discard();
    token.view = undefined;
    if (token.arms !== undefined) this.waits.disarm(token);
    if (token.child !== undefined) this.cancelFrame(token.child);
    this.remove(token);
  }

  private stopRunning(token: Token): void {
    if (usesPool(token.node)) this.running--;
    this.releaseKey(token);
    const ctx = token.context;
    token.context = undefined;
    if (ctx !== undefined) this.options.observer?.taskCancelled?.(ctx);
  }

  private unpark(token: Token): void {
    const frame = token.frame;
    frame.waiting--;
    const join = frame.joins.find((j) => j.node === token.node);
    if (join === undefined) return;
    join.waiting.splice(join.waiting.indexOf(token), 1);
    if (join.waiting.length === 0) frame.joins.splice(frame.joins.indexOf(join), 1);
  }

  private cancelFrame(frame: Frame): void {
    frame.cancelled = true;
    while (frame.head !== undefined) this.cancelToken(frame.head);
  }

  private failRun(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.unwatch?.();
    if (this.root) this.cancelFrame(this.root);
    for (const frame of this.eventFrames) this.cancelFrame(frame);
    this.eventFrames.clear();
    this.wakeSources();
    this.rejectRun?.(error);
  }

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
  private scopeOf(token: Token, context?: TaskContext): ExpressionScope {
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

/* A user task mostly waits for a person: it must not hold one of the pool's slots while a form is open. */
function usesPool(node: GraphNode): boolean {
  return node.kind !== "userTask";
}

/** A live token as status output shows it. */
export interface LiveToken {
  tokenId: number;
  elementId: string;
  name: string;
  state: string;
  loop: string | undefined;
  dataKeys: string[];
}

const STATE_NAMES = ["arrived", "waiting at a join", "waiting for a pool slot", "running", "in its sub-process", "completed", "done", "cancelled", "waiting for an event", "waiting for its deduplication key"];

function describeToken(token: Token): LiveToken {
  const loop = token.loop === undefined ? undefined : `${token.loop.index}: ${String(token.loop.value)}`;
  return {
    tokenId: token.id,
    elementId: token.node.id,
    name: token.taskName || token.node.name,
    state: STATE_NAMES[token.state] ?? String(token.state),
    loop,
    dataKeys: Object.keys(token.ref.data),
  };
}

/* A condition loop goes round again on the same values that start one: an empty collection stops it too. */
function continuesCondition(value: unknown): boolean {
  const entries = loopEntries(value);
  return entries === undefined || entries.length > 0;
}

function countEntries(value: unknown): Array<[unknown, unknown]> {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) {
    throw new AdhesiveError("ADHESIVE_EXPRESSION", `loop cardinality must be a whole number, got ${String(value)}`);
  }
  return Array.from({ length: count }, (_, i) => [i, i] as [unknown, unknown]);
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? "aborted" : String(reason);
}
