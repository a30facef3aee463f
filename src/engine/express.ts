import { startsInstance, type GraphFlow, type GraphNode } from "../model/graph.js";
import { release, share, type DataRef } from "./data.js";
import { Step } from "./elements/behaviour.js";
import type { Engine } from "./engine.js";
import { countTokens, type Frame } from "./frame.js";
import { mergedWith, mergeResult } from "./merge.js";
import { frameDone } from "./run-end.js";
import { TokenState, type Token } from "./token.js";

/**
 * A fan-out block: a message start event, a parallel fork into plain
 * tasks, the parallel join of those tasks and a none end event, nothing
 * else on the way (no loop, boundary, mapping, condition, `when`, script,
 * message flow or lane template). Most instances of such a process start
 * and end in one step of the engine: their tasks return at once.
 *
 * Such an instance is run here as the token queue would run it, step for
 * step, the same tokens (ids, flows, generations), task numbers, contexts,
 * hooks and merges in the same order, without the queue: no trip through
 * the queue, the behaviour table, the routing and the join gates per token,
 * which cost about as much as the rest of the instance together. Its frame
 * counts no tokens per node until it goes back to the queue: nothing else
 * reads the counts, which only a join needs (frame.ts). Whatever
 * falls outside the common case (a task that is asynchronous, throws or
 * touches its data, an input that comes in meanwhile, a pool without room)
 * leaves the instance where the queue would have it, right after its tasks
 * were called, and the run loop goes on with it as usual.
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
  /** the instance's tokens while it runs, by task index (never two at once: an instance runs inside the loop's step) */
  tokens: Array<Token | undefined>;
}

/** Per node index, the block a message start event begins; none for a run that journals or tracks tokens (its records and views follow each step). */
export function expressBlocks(engine: Engine, steps: Uint8Array): Array<ExpressBlock | undefined> | undefined {
  const { options, graph } = engine;
  if (options.journal !== undefined || options.tracker !== undefined) return undefined;
  const blocks = graph.nodes.map((node) => (startsInstance(node) ? blockAt(node, steps, options.waitTasks) : undefined));
  return blocks.some((block) => block !== undefined) ? blocks : undefined;
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
 * Runs the instance of a message event in the block. Called for an emitted
 * event taken from the inbox while the loop has nothing else queued,
 * returned or waiting, and no task waiting to be launched.
 */
export function runExpress(engine: Engine, block: ExpressBlock, frame: Frame, ref: DataRef): void {
  const { tasks, intoTasks, tokens } = block;
  const count = tasks.length;
  // start -> fork -> first task, and one token more per other flow of the fork (Engine.route)
  const first = engine.createToken(block.start, frame, ref, undefined, -1);
  moveOn(engine, first, block.intoFork);
  for (let i = 1; i < count; i++) tokens[i] = engine.createToken(tasks[i], frame, share(first.ref), undefined, intoTasks[i].order);
  moveOn(engine, first, intoTasks[0]);
  tokens[0] = first;
  // the queue takes the forked tokens before the one that came in: that is the order the tasks start and are called in
  const taskRunner = engine.tasks;
  for (let k = 1; k <= count; k++) {
    taskRunner.admit(tokens[k % count]!);
    if (engine.finished) return clear(tokens);
  }
  const inbox = engine.loop.inputsWaiting;
  engine.loop.launchNow();
  if (engine.finished) return clear(tokens);
  if (!allReturned(engine, tokens, inbox)) {
    countTokens(frame);
    return clear(tokens);
  }
  const observer = engine.options.observer;
  for (let k = 1; k <= count; k++) {
    const token = tokens[k % count]!;
    engine.loop.dropReturned();
    // Tasks.ended for a task that returned without touching its data, then on to the join (Engine.complete, route, take; JoinGates.park)
    const ctx = taskRunner.leave(token);
    if (ctx !== undefined) observer?.taskFinished?.(ctx, undefined);
    if (engine.finished) return clear(tokens);
    parkAtJoin(frame, token, block.join, block.intoJoin[k % count]);
  }
  joinAndEnd(engine, block, frame);
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

/*
 * Every task returned, in the order they were called, and nothing else
 * happened: no other input, no failure, no data the task changed (its
 * view), no token cancelled.
 */
function allReturned(engine: Engine, tokens: Array<Token | undefined>, inbox: number): boolean {
  const loop = engine.loop;
  const count = tokens.length;
  if (loop.inputsWaiting !== inbox || loop.returnedWaiting !== count) return false;
  for (let k = 1; k <= count; k++) {
    const token = tokens[k % count]!;
    if (loop.returnedAt(k - 1) !== token || token.view !== undefined) return false;
  }
  return true;
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
  frame.waiting = 0;
  frame.live = 0;
  frame.head = undefined;
  for (let i = 0; i < tokens.length; i++) {
    tokens[i]!.prev = tokens[i]!.next = undefined;
    tokens[i] = undefined;
  }
  frameDone(engine, frame);
}

function clear(tokens: Array<Token | undefined>): void {
  tokens.fill(undefined);
}
