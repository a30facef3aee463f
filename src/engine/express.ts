import { startsInstance, type GraphFlow, type GraphNode, type ProcessGraph } from "../model/graph.js";
import { release, share, type DataRef } from "./data.js";
import { Step } from "./elements/behaviour.js";
import type { Engine } from "./engine.js";
import type { Frame } from "./frame.js";
import type { EngineOptions } from "./options.js";
import { mergedWith, mergeResult } from "./merge.js";
import { frameDone } from "./run-end.js";
import { TokenState, type Token } from "./token.js";

/**
 * A fan-out block: a message start event, a parallel fork into plain
 * tasks, the parallel join of those tasks and a none end event, nothing
 * else on the way (no loop, boundary, mapping, condition, `when`, script,
 * message flow or lane template). It is the seed's shape, and that of most
 * processes that build or test on every platform at once.
 *
 * An instance of it takes the same steps as through the token queue, in
 * two halves without it: from its event to its tasks (startBlock), and,
 * once its tasks have all returned at once, from their outcomes to its end
 * (finishBlock). The same tokens (ids, flows, generations), task numbers,
 * contexts, journal records and hooks, in the same order, and the same
 * merges; no trip through the queue, the behaviour table, routing and the
 * join gates per token, which cost about as much as the rest of the
 * instance together. Whatever falls outside the common case (a task that
 * is asynchronous, throws or touches its data, a pool without room) leaves
 * the instance to the queue where it stands. Its frame counts no tokens
 * per node until then: only a join reads the counts (countTokens, called
 * by Tasks.ended before a token of it moves through the queue).
 */
export interface ExpressBlock {
  start: GraphNode;
  fork: GraphNode;
  /** the fork's targets, in the order of its flows */
  tasks: GraphNode[];
  join: GraphNode;
  end: GraphNode;
  /** the flows taken: start to fork, fork to each task, each task to the join, join to end (their `order` is a token's `via`) */
  intoFork: GraphFlow;
  intoTasks: GraphFlow[];
  intoJoin: GraphFlow[];
  intoEnd: GraphFlow;
  /** task indices in the order the join merges their tokens: by the order of their flows into it */
  mergeOrder: number[];
  /** the instance's tokens while one of its halves runs, by task index (one instance at a time: each half runs inside one step of the loop) */
  tokens: Array<Token | undefined>;
}

/** The blocks of a run's process, by node index: of the message start event that begins each, and of each of its tasks. */
export interface ExpressBlocks {
  byStart: Array<ExpressBlock | undefined>;
  byTask: Array<ExpressBlock | undefined>;
}

/** None for a run that tracks tokens: its tracker hears every step (the CLI's live view, lanes). */
export function expressBlocks(graph: ProcessGraph, steps: Uint8Array, options: EngineOptions): ExpressBlocks | undefined {
  if (options.tracker !== undefined) return undefined;
  const byStart = graph.nodes.map((node) => (startsInstance(node) ? blockAt(node, steps, options.waitTasks) : undefined));
  if (byStart.every((block) => block === undefined)) return undefined;
  const byTask = new Array<ExpressBlock | undefined>(graph.nodes.length).fill(undefined);
  for (const block of byStart) for (const task of block?.tasks ?? []) byTask[task.index] = block;
  return { byStart, byTask };
}

function blockAt(start: GraphNode, steps: Uint8Array, waitTasks: boolean): ExpressBlock | undefined {
  if (start.scope.eventSubProcesses.length > 0) return undefined;
  const intoFork = onlyFlow(start);
  if (intoFork === undefined || steps[start.index] !== Step.Route || waits(start, waitTasks) || !quiet(start)) return undefined;
  const fork = intoFork.target;
  if (!isGate(fork, steps, waitTasks, false) || fork.incomingCount !== 1 || fork.outgoing.length < 2 || fork.defaultFlow !== undefined) return undefined;
  const intoTasks = fork.outgoing;
  if (intoTasks.some((flow) => flow.condition !== undefined)) return undefined;
  const tasks = intoTasks.map((flow) => flow.target);
  if (new Set(tasks).size !== tasks.length || !tasks.every((task) => isPlainTask(task, steps, waitTasks))) return undefined;
  const intoJoin = tasks.map((task) => task.outgoing[0]);
  const join = intoJoin[0].target;
  if (!intoJoin.every((flow) => flow.target === join) || !isGate(join, steps, waitTasks, true) || join.incomingCount !== tasks.length) return undefined;
  const intoEnd = onlyFlow(join);
  const end = intoEnd?.target;
  if (end === undefined || steps[end.index] !== Step.Finish || end.outgoing.length > 0 || waits(end, waitTasks) || !quiet(end)) return undefined;
  const mergeOrder = tasks.map((_, i) => i).sort((a, b) => intoJoin[a].order - intoJoin[b].order);
  return { start, fork, tasks, join, end, intoFork, intoTasks, intoJoin, intoEnd: intoEnd!, mergeOrder, tokens: new Array<Token | undefined>(tasks.length) };
}

/* a task the engine admits straight away (elements/activities/task.ts) with a fixed name, one way in and one way out */
function isPlainTask(node: GraphNode, steps: Uint8Array, waitTasks: boolean): boolean {
  return node.kind === "task" && steps[node.index] === Step.Admit && node.script === undefined && !node.template.dynamic && !node.decides && node.incomingCount === 1 && onlyFlow(node) !== undefined && !waits(node, waitTasks) && quiet(node);
}

function isGate(node: GraphNode, steps: Uint8Array, waitTasks: boolean, joins: boolean): boolean {
  return node.kind === "parallelGateway" && steps[node.index] === Step.Route && waits(node, waitTasks) === joins && quiet(node);
}

/* nothing happens at the node besides its step */
function quiet(node: GraphNode): boolean {
  return node.loop === undefined && node.onComplete === 0 && node.boundaries.length === 0 && node.messageTargets === undefined && (node.laneTemplate === undefined || !node.laneTemplate.dynamic);
}

function onlyFlow(node: GraphNode): GraphFlow | undefined {
  return node.outgoing.length === 1 && node.outgoing[0].condition === undefined ? node.outgoing[0] : undefined;
}

/* JoinGates.mustWait, for the node rather than a token on it */
function waits(node: GraphNode, waitTasks: boolean): boolean {
  return node.ancestors !== undefined && (node.join === "always" || waitTasks);
}

/**
 * The first half of an instance of the block, from its message event to
 * its tasks: what the token queue does with the start token, straight
 * away. Called for an emitted event taken from the inbox, when the queue
 * is empty; the tasks start (Tasks.admit: a pool slot, a number, the
 * journal's record) and the run loop calls them as usual.
 */
export function startBlock(engine: Engine, block: ExpressBlock, frame: Frame, ref: DataRef): void {
  const { tasks, intoTasks } = block;
  const count = tasks.length;
  // start -> fork -> first task, and one token more per other flow of the fork (Engine.route)
  const first = engine.createToken(block.start, frame, ref, undefined, -1);
  moveOn(engine, first, block.intoFork);
  const taskRunner = engine.tasks;
  const forked = block.tokens;
  for (let i = 1; i < count; i++) forked[i] = engine.createToken(tasks[i], frame, share(first.ref), undefined, intoTasks[i].order);
  moveOn(engine, first, intoTasks[0]);
  // the queue takes the forked tokens before the one that came in: that is the order the tasks start and are called in
  for (let i = 1; i < count; i++) {
    const token = forked[i]!;
    forked[i] = undefined;
    if (token.state === TokenState.Arrived) taskRunner.admit(token);
  }
  if (first.state === TokenState.Arrived) taskRunner.admit(first);
  // the queue would have taken the start token at the start, the fork and each task
  engine.loop.countSteps(count + 2);
}

/**
 * The second half: the next outcomes the run loop would apply (returned
 * during the last launch, or waiting in the inbox) are those of one
 * instance of a block, all its tasks
 * returned without touching their data, in the order they were called,
 * and nothing else happened to the instance: they are applied, the tokens
 * join and the instance ends, as the loop would do one outcome and one
 * token at a time (Tasks.ended, Engine.complete, route and take,
 * JoinGates.park and release, the end's Engine.finish). False, with
 * nothing done, when that is not so.
 */
export function finishBlock(engine: Engine, blocks: ExpressBlocks): boolean {
  const loop = engine.loop;
  const head = loop.outcomeAt(0);
  const block = head === undefined ? undefined : blocks.byTask[head.node.index];
  if (block === undefined || !waitingToJoin(engine, block, head!.frame)) return false;
  const { tokens, intoJoin } = block;
  const count = tokens.length;
  const frame = head!.frame;
  const taskRunner = engine.tasks;
  const observer = engine.options.observer;
  for (let k = 1; k <= count; k++) {
    const token = tokens[k % count]!;
    loop.dropOutcome();
    const ctx = taskRunner.leave(token);
    engine.journal?.done(token.seq, undefined, engine.now(), undefined);
    if (ctx !== undefined) observer?.taskFinished?.(ctx, undefined);
    // no longer Running: cancelling it (a task limit reached below, a hook that ended the run) must not count it out of the pool twice
    token.state = TokenState.Completed;
    // the slot it gave up goes to the next task waiting for one, before the token moves on
    taskRunner.startReady();
    // a hook that ended the run has cancelled the instance (or a task limit reached by the next task)
    if (engine.finished) {
      tokens.fill(undefined);
      return true;
    }
    parkAtJoin(frame, token, block.join, intoJoin[k % count]);
  }
  joinAndEnd(engine, block, frame);
  // the queue would have taken each token to the join, and one on to the end (the loop counts one more step for the instance)
  loop.countSteps(count);
  return true;
}

/*
 * The next outcomes are those of the block's tasks in the frame, in the
 * order they were called (the forked flows' tasks, then the first flow's),
 * each a success of a task that did not touch its data (no view), and the
 * instance is as its start left it: every token on its task, none parked.
 * Puts the tokens in block.tokens by task.
 */
function waitingToJoin(engine: Engine, block: ExpressBlock, frame: Frame): boolean {
  const loop = engine.loop;
  const { tasks, tokens } = block;
  const count = tasks.length;
  if (frame.live !== count || frame.waiting !== 0 || engine.replaying) return false;
  for (let k = 1; k <= count; k++) {
    const token = loop.outcomeAt(k - 1);
    if (token === undefined || token.frame !== frame || token.node !== tasks[k % count] || token.view !== undefined) {
      tokens.fill(undefined);
      return false;
    }
    tokens[k % count] = token;
  }
  return true;
}

/* Engine.take without the queue: the token stands on the flow's target, arrived */
function moveOn(engine: Engine, token: Token, flow: GraphFlow): void {
  engine.relocate(token, flow.target, flow.order);
  token.abort = undefined;
  token.taskName = "";
  token.state = TokenState.Arrived;
}

/* Engine.relocate onto the join and JoinGates.park, but for the join's own list of parked tokens: every token of the instance ends up there, and they are merged right after */
function parkAtJoin(frame: Frame, token: Token, join: GraphNode, flow: GraphFlow): void {
  const counts = frame.counts;
  if (counts !== undefined) {
    counts[token.node.local]--;
    counts[join.local]++;
  }
  frame.waiting++;
  arriveAt(token, join, flow, TokenState.Waiting);
}

/* the fields Engine.relocate and take set */
function arriveAt(token: Token, node: GraphNode, flow: GraphFlow, state: TokenState): void {
  token.node = node;
  token.via = flow.order;
  token.generation++;
  token.lane = node.laneTemplate?.raw;
  token.abort = undefined;
  token.taskName = "";
  token.state = state;
}

/* JoinGates.release, then the end event's Engine.finish: the first token by flow order takes the others' data, goes on and finishes */
function joinAndEnd(engine: Engine, block: ExpressBlock, frame: Frame): void {
  const { tokens, mergeOrder } = block;
  const first = tokens[mergeOrder[0]]!;
  for (let i = 1; i < mergeOrder.length; i++) {
    const source = tokens[mergeOrder[i]]!;
    first.ref = mergedWith(first.ref, source.ref.data);
    source.state = TokenState.Done;
    release(source.ref);
  }
  arriveAt(first, block.end, block.intoEnd, TokenState.Done);
  mergeResult(frame, first.ref);
  release(first.ref);
  // every token has left the frame (Engine.remove)
  if (frame.counts !== undefined) frame.counts[block.join.local] = 0;
  frame.waiting = 0;
  frame.live = 0;
  frame.head = undefined;
  for (let i = 0; i < tokens.length; i++) {
    tokens[i]!.prev = tokens[i]!.next = undefined;
    tokens[i] = undefined;
  }
  frameDone(engine, frame);
}
