import { TaskLimitError } from "../errors.js";
import type { CompiledExpression } from "../model/expression.js";
import type { GraphNode } from "../model/graph.js";
import { TaskContext } from "./context.js";
import type { Core } from "./core.js";
import { newRef, release } from "./data.js";
import { Deduplicator } from "./dedup.js";
import type { Frame } from "./frame.js";
import { backToQueue } from "./express.js";
import { InputKind } from "./inputs.js";
import type { TaskData, TaskDataResult } from "./task-data.js";
import type { ReplayedTasks } from "./replay.js";
import { TokenState, type Token } from "./token.js";
import { whenFunctionSettled, whenScriptSettled } from "./task-settled.js";

/**
 * Running the user side of nodes: the pool of `poolSize` slots and its
 * ready queue, `when` conditions, deduplication keys, the task's context
 * and its completion. User tasks take no slot: they mostly wait for a person.
 */
export class Tasks {
  readonly core: Core;
  private readonly ready: Array<Token | undefined> = [];
  private readyHead = 0;
  /* started tasks whose functions have not been called yet: token, generation, token, generation... (two arrays taking turns, kept at their size) */
  private launches: Array<Token | number | undefined> = [];
  private launchCount = 0;
  private spareLaunches: Array<Token | number | undefined> = [];
  private running = 0;
  private started = 0;
  /** a cancelled task gave up its pool slot: the next ready task starts once the token queue is empty */
  private freed = false;
  /** per node: its deduplicate key expression; undefined when no task deduplicates */
  private readonly dedupKeys: Array<CompiledExpression | undefined> | undefined;
  private readonly dedup = new Deduplicator();
  private readonly implemented: Uint8Array;
  /** per node, 1 when its task takes a pool slot (not a user task: it mostly waits for a person, and must not hold a slot while a form is open) */
  private readonly pooled: Uint8Array;
  private readonly holderOf = (token: Token): Frame | undefined => this.core.eventFrameOf(token);
  private replayed: ReplayedTasks | undefined;

  constructor(core: Core) {
    this.core = core;
    const { graph, options } = core;
    this.implemented = Uint8Array.from(graph.nodes, (node) => (options.runner.implements(node) ? 1 : 0));
    // a flag per node rather than a comparison of kinds per task start and end: the kinds are strings read from the file
    this.pooled = Uint8Array.from(graph.nodes, (node) => (node.kind === "userTask" ? 0 : 1));
    const keys = graph.nodes.map((node) => options.runner.deduplicate?.(node));
    this.dedupKeys = keys.some((key) => key !== undefined) ? keys : undefined;
  }

  /** Whether the node has a function to run (a gateway may have none). */
  implements(node: GraphNode): boolean {
    return this.implemented[node.index] === 1;
  }

  /** Runs the node's function once `when` holds and the deduplication key and a pool slot are free. */
  schedule(token: Token): void {
    if (token.node.when !== undefined && !this.when(token)) return;
    const key = this.dedupKeys?.[token.node.index];
    if (key !== undefined && !this.deduplicated(token, key)) return;
    this.admit(token);
  }

  /** A `when` that does not hold skips the node: the token goes on as if it had run. Returns whether it holds. */
  when(token: Token): boolean {
    try {
      if (token.node.when!.evaluate(this.core.scopeOf(token))) return true;
    } catch (error) {
      this.core.fail(token, error);
      return false;
    }
    this.core.route(token);
    return false;
  }

  /** A running task's token is cancelled: its slot and key go to the next. */
  stopped(token: Token): void {
    if (this.pooled[token.node.index] === 1) this.freed = true;
    const ctx = this.leave(token);
    if (ctx !== undefined) this.core.options.observer?.taskCancelled?.(ctx);
  }

  /** The task is over, however it ended: its pool slot and dedup key go to the next; returns its context. */
  leave(token: Token): TaskContext | undefined {
    if (this.pooled[token.node.index] === 1) this.running--;
    this.releaseKey(token);
    const ctx = token.context;
    token.context = undefined;
    return ctx;
  }

  /** A token waiting for its deduplication key is cancelled. */
  withdrawn(token: Token): void {
    this.dedup.withdraw(token);
  }

  /** A message event's instance ended: the keys it held go to the tokens waiting for them. */
  frameEnded(frame: Frame): void {
    if (this.dedupKeys === undefined) return;
    for (const next of this.dedup.frameEnded(frame, this.holderOf)) this.admit(next);
  }

  /** Whether the node's task deduplicates (elements/steps.ts). */
  deduplicates(node: GraphNode): boolean {
    return this.dedupKeys?.[node.index] !== undefined;
  }

  /** Runs the task now if the pool has a slot, else queues it for one (its `when` held and it holds its key). */
  admit(token: Token): void {
    if (this.pooled[token.node.index] === 0 || this.running < this.core.options.poolSize) {
      this.run(token);
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
      value = expression.evaluate(this.core.scopeOf(token));
    } catch (error) {
      this.core.fail(token, error);
      return false;
    }
    const { run, dropped } = this.dedup.acquire(`${token.node.index}\u0000${String(value)}`, token, this.holderOf(token));
    if (dropped !== undefined) {
      dropped.state = TokenState.Done;
      this.core.remove(dropped);
    }
    if (!run) token.state = TokenState.Deduplicated;
    return run;
  }

  private releaseKey(token: Token): void {
    if (this.dedupKeys === undefined) return;
    const next = this.dedup.taskEnded(token, this.holderOf);
    if (next !== undefined) this.admit(next);
  }

  /*
   * The task starts: it takes its slot and its number (seq) and is journaled
   * now, but its function runs in launch(), once the engine is idle (and,
   * with a journal, once the start is on disk).
   */
  private run(token: Token): void {
    const core = this.core;
    const { options } = core;
    const node = token.node;
    if (++this.started > (options.taskLimit ?? Infinity)) {
      core.failRun(new TaskLimitError(options.taskLimit!, token.taskName || node.name, node.id));
      return;
    }
    token.state = TokenState.Running;
    token.seq = this.started;
    if (this.pooled[node.index] === 1) this.running++;
    token.taskName = node.template.dynamic ? node.template.render({ data: token.ref.data, loop: token.loop }) : node.name;
    if (core.replaying) {
      this.replayed!.started(token);
      return;
    }
    core.journal?.started(token.seq, node, 1, core.now(), token.frame.instance);
    this.queueLaunch(token);
  }

  private queueLaunch(token: Token): void {
    this.launches[this.launchCount++] = token;
    this.launches[this.launchCount++] = token.generation;
  }

  /** How many tasks the run has started: the last task number (checkpoint.ts). */
  get numbered(): number {
    return this.started;
  }

  /** Whether tasks wait for a pool slot. */
  get poolFull(): boolean {
    return this.readyHead < this.ready.length;
  }

  /** Whether no task runs, waits for its slot, or waits to be launched. */
  get quiet(): boolean {
    return this.running === 0 && this.launchCount === 0 && this.readyHead >= this.ready.length;
  }

  /** A run rebuilt from a checkpoint numbers its next task after those it had started. */
  restoreNumbering(started: number): void {
    this.started = started;
  }

  /** A replay begins: started tasks are handed to it instead of being launched. */
  replayWith(replayed: ReplayedTasks): void {
    this.replayed = replayed;
  }

  /** The replay is over: the tasks still running were in flight when the run stopped, and run again. */
  relaunch(inFlight: Iterable<Token>, attempts: ReadonlyMap<number, number>): void {
    this.replayed = undefined;
    this.core.host.attempts = new Map(attempts);
    const core = this.core;
    for (const token of inFlight) {
      if (token.state !== TokenState.Running) continue;
      core.journal?.started(token.seq, token.node, attempts.get(token.seq) ?? 1, core.now(), token.frame.instance);
      this.queueLaunch(token);
    }
  }

  /** Whether started tasks wait for their functions to be called. */
  get hasLaunches(): boolean {
    return this.launchCount > 0;
  }

  /** Calls the functions of the tasks started since the last launch; what they return comes back as inputs. */
  launch(): void {
    const launches = this.launches;
    const count = this.launchCount;
    this.launches = this.spareLaunches;
    this.launchCount = 0;
    this.spareLaunches = launches;
    for (let i = 0; i < count; i += 2) {
      const token = launches[i] as Token;
      const generation = launches[i + 1] as number;
      launches[i] = undefined;
      if (token.generation === generation && token.state === TokenState.Running) this.call(token, generation);
    }
    // a launch of thousands of tasks (a burst of events) must not keep its room while they run: 18 B per parked task
    if (count > KEEP_LAUNCH_SLOTS) launches.length = 0;
  }

  private call(token: Token, generation: number): void {
    const core = this.core;
    const { options } = core;
    const node = token.node;
    const ctx = new TaskContext(core.host, token, core.infos[node.index], token.taskName, token.loop, token.lane, token.seq);
    token.context = ctx;
    options.observer?.taskStarted?.(ctx);
    let result: unknown;
    try {
      result = node.script !== undefined ? node.script.evaluate(core.scopeOf(token, ctx)) : options.runner.run(ctx, node, token);
    } catch (error) {
      this.settled(token, generation, error, true);
      return;
    }
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
      if (node.script === undefined) whenFunctionSettled(result as PromiseLike<unknown>, ctx);
      else whenScriptSettled(result as PromiseLike<unknown>, ctx);
    } else {
      this.settled(token, generation, result, false);
    }
  }

  /** An asynchronous task's promise settled: stale once its token no longer runs with that context (only cancelling does that). */
  asyncSettled(ctx: TaskContext, outcome: unknown, failed: boolean): void {
    const token = TaskContext.handleOf(ctx) as Token;
    if (token.context !== ctx) this.core.options.observer?.cancelledTaskSettled?.();
    else this.core.input(failed ? InputKind.Failed : InputKind.Done, token, token.generation, outcome);
  }

  /* only cancelling a running task changes its generation before it settles: the run waits for such tasks to end */
  private settled(token: Token, generation: number, outcome: unknown, failed: boolean): void {
    if (token.generation !== generation) this.core.options.observer?.cancelledTaskSettled?.();
    else this.core.input(failed ? InputKind.Failed : InputKind.Done, token, generation, outcome);
  }

  /**
   * A task's function returned `outcome` (failed: threw it); stale outcomes
   * of cancelled or moved tokens are ignored. What a deciding gateway's
   * function returned is its decision (decisions.ts).
   */
  ended(token: Token, generation: number, outcome: unknown, failed: boolean): void {
    if (token.generation !== generation) {
      // cancelled after its outcome came in, before it was applied
      this.core.options.observer?.cancelledTaskSettled?.();
      return;
    }
    if (token.state !== TokenState.Running) return;
    const core = this.core;
    // a fan-out block's instance goes back to the queue (express.ts)
    if (token.frame.counts === undefined && token.frame.scope.hasJoins) backToQueue(token.frame);
    let error = failed ? outcome : undefined;
    this.replayed?.ended(token);
    let result: TaskDataResult | undefined;
    const view = token.view;
    if (view !== undefined) {
      if (!failed) {
        try {
          result = keepChanges(token, view);
        } catch (invalid) {
          failed = true;
          error = invalid;
        }
      }
      view.discard();
      token.view = undefined;
    }
    const ctx = this.leave(token);
    if (failed) error = core.options.failure === undefined ? error : core.options.failure(error);
    if (failed) core.journal?.failed(token.seq, error, core.now());
    else core.journal?.done(token.seq, result, core.now(), token.node.decides ? outcome : undefined);
    if (ctx !== undefined) core.options.observer?.taskFinished?.(ctx, failed ? error ?? new Error("task failed") : undefined);
    // no longer Running, so cancelling it from fail() does not count it out of the pool twice
    token.state = TokenState.Completed;
    if (!failed && token.node.decides) core.events.decisions.decided(token, outcome);
    // a failed task's token still holds the data it started with: a boundary event continues from that
    if (failed) core.fail(token, error);
    // a hook that ended the run cancelled this token with the others: it does not move on in a run that is over
    else if (core.finished) return;
    else if (leavesAtOnce(token) && this.readyHead === this.ready.length && core.taken === core.queued) {
      // nothing queued before it and no task waiting for the slot it gave up: leaving now is what the queue would do next
      core.complete(token);
      return;
    } else core.enqueue(token);
    this.startReady();
  }

  /**
   * Slots that cancelled tasks gave up go to the tasks waiting for one. Not
   * at once: a boundary, a terminate end or a failure cancels many tokens in
   * one sweep, and a ready task of the same sweep must not start first.
   */
  startFreed(): void {
    if (!this.freed) return;
    this.freed = false;
    this.startReady();
  }

  /** Tasks waiting for a pool slot start while slots are free (a finished task gave up its own; express.ts calls it as ended() would). */
  startReady(): void {
    const ready = this.ready;
    // most calls find nothing waiting: setting an array's length leaves the optimised code, even to the length it has
    if (this.readyHead === ready.length) return;
    while (this.running < this.core.options.poolSize && this.readyHead < ready.length) {
      const token = ready[this.readyHead]!;
      // a taken slot lets go of its token at once: tasks falling behind a fast source must not keep every token that ever waited
      ready[this.readyHead++] = undefined;
      if (token.state === TokenState.Ready) this.run(token);
    }
    if (this.readyHead === ready.length) {
      ready.length = 0;
      this.readyHead = 0;
    } else if (this.readyHead >= COMPACT_AFTER && this.readyHead * 2 >= ready.length) {
      // a queue that never empties is moved down now and then, so its length follows what waits, not what ever waited
      ready.copyWithin(0, this.readyHead);
      ready.length -= this.readyHead;
      this.readyHead = 0;
    }
  }
}

/* slots of a launch array that is kept for the next launch once done; a larger one is given back */
const KEEP_LAUNCH_SLOTS = 4096;

/* taken slots at the head of the ready queue before it is moved down (the move costs what still waits: at most as much as was taken) */
const COMPACT_AFTER = 1024;

/** The task's changes become the token's data; a task that changed nothing keeps sharing what it had. */
function keepChanges(token: Token, view: TaskData): TaskDataResult | undefined {
  const result = view.finish();
  if (result === undefined) return undefined;
  release(token.ref);
  token.ref = newRef(result.data, result.fresh);
  return result;
}

/*
 * Whether a finished task's token may leave its node without the token
 * queue. Only a node whose leaving goes on through its flows: each of those
 * moves queues the token again, and the queue is where the engine counts
 * its steps and pauses for the event loop. A looped node's next round (and
 * an onComplete handler) may start its task again directly: a loop of
 * synchronous tasks without a journal would never give Ctrl-C a turn.
 */
function leavesAtOnce(token: Token): boolean {
  return token.node.loop === undefined && token.node.onComplete === 0;
}
