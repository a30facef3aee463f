import { startsInstance, type GraphFlow, type GraphNode, type ProcessGraph } from "../model/graph.js";
import { release, share, type DataRef } from "./data.js";
import { Step } from "./elements/behaviour.js";
import type { Engine } from "./engine.js";
import { countBlockers, countTokens, type Frame, type JoinState } from "./frame.js";
import type { BlockCounter, EngineOptions, TokenTracker } from "./options.js";
import { joinWaits, parkedAt, stillWaiting } from "./join-gates.js";
import { mergeResult } from "./merge.js";
import { frameDone } from "./run-end.js";
import { standAt, TokenState, type Token } from "./token.js";

/**
 * A fan-out block: a message start event, a parallel fork into plain
 * tasks, the parallel join of those tasks and a none end event, nothing
 * else on the way (no loop, boundary, mapping, condition, `when`, script,
 * message flow or lane template). It is the seed's shape, and that of most
 * processes that build or test on every platform at once.
 *
 * An instance of it takes the same steps as through the token queue,
 * without it: from its event to its tasks (startBlock), and from each of
 * its tasks' successes to the join, the last of them on to the end
 * (applyOutcome). The same tokens (ids, flows, generations), task numbers,
 * contexts, journal records and hooks, in the same order, and the same
 * merges; no trip through the queue, the behaviour table, routing and the
 * join gates per token, which cost about as much as the rest of the
 * instance together. An outcome that is anything else (a failure, a task
 * that changed its data) sends the instance back to the queue where it
 * stands (backToQueue): until then its frame counts no tokens per node and
 * its join keeps no gate, which only the queue's join reads.
 */
export interface ExpressBlock {
  start: GraphNode;
  /** the fork's targets, in the order of its flows */
  tasks: GraphNode[];
  join: GraphNode;
  end: GraphNode;
  /** the flows taken: start to fork, fork to each task, join to end (their `order` is a token's `via`; a task's one flow leads to the join) */
  intoFork: GraphFlow;
  intoTasks: GraphFlow[];
  intoEnd: GraphFlow;
}

/** The blocks of a run's process, by node index: of the message start event that begins each, and of each of its tasks. */
export interface ExpressBlocks {
  byStart: Array<ExpressBlock | undefined>;
  byTask: Array<ExpressBlock | undefined>;
  /** the run's tracker when it hears each token's steps (lanes need them) */
  steps: TokenTracker | undefined;
  /** the run's tracker's counter (the live view's monitor without lanes): it hears each half of an instance in one call instead */
  counter: BlockCounter | undefined;
}

/** None when the options ask for the token queue only (`express: false`). A tracker hears each step as through the queue, or counts them in one call per instance half. */
export function expressBlocks(graph: ProcessGraph, steps: Uint8Array, options: EngineOptions): ExpressBlocks | undefined {
  if (options.express === false) return undefined;
  const byStart = graph.nodes.map((node) => (startsInstance(node) ? blockAt(node, steps, options.waitTasks) : undefined));
  if (byStart.every((block) => block === undefined)) return undefined;
  const byTask = new Array<ExpressBlock | undefined>(graph.nodes.length).fill(undefined);
  for (const block of byStart) for (const task of block?.tasks ?? []) byTask[task.index] = block;
  const counter = options.tracker?.blocks;
  return { byStart, byTask, steps: counter === undefined ? options.tracker : undefined, counter };
}

function blockAt(start: GraphNode, steps: Uint8Array, waitTasks: boolean): ExpressBlock | undefined {
  if (start.scope.eventSubProcesses.length > 0) return undefined;
  const intoFork = onlyFlow(start);
  if (intoFork === undefined || steps[start.index] !== Step.Route || joinWaits(start, waitTasks) || !quiet(start)) return undefined;
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
  if (end === undefined || steps[end.index] !== Step.Finish || end.outgoing.length > 0 || joinWaits(end, waitTasks) || !quiet(end)) return undefined;
  return { start, tasks, join, end, intoFork, intoTasks, intoEnd: intoEnd! };
}

/* a task the engine admits straight away (elements/activities/task.ts) with a fixed name, one way in and one way out */
function isPlainTask(node: GraphNode, steps: Uint8Array, waitTasks: boolean): boolean {
  return node.kind === "task" && steps[node.index] === Step.Admit && node.script === undefined && !node.template.dynamic && !node.decides && node.incomingCount === 1 && onlyFlow(node) !== undefined && !joinWaits(node, waitTasks) && quiet(node);
}

function isGate(node: GraphNode, steps: Uint8Array, waitTasks: boolean, joins: boolean): boolean {
  return node.kind === "parallelGateway" && steps[node.index] === Step.Route && joinWaits(node, waitTasks) === joins && quiet(node);
}

/* nothing happens at the node besides its step */
function quiet(node: GraphNode): boolean {
  return node.loop === undefined && node.onComplete === 0 && node.boundaries.length === 0 && node.messageTargets === undefined && (node.laneTemplate === undefined || !node.laneTemplate.dynamic);
}

function onlyFlow(node: GraphNode): GraphFlow | undefined {
  return node.outgoing.length === 1 && node.outgoing[0].condition === undefined ? node.outgoing[0] : undefined;
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
  const { steps, counter } = engine.express!;
  // start -> fork -> first task, and one token more per other flow of the fork (Engine.route)
  const first = engine.newToken(block.start, frame, ref, undefined, -1);
  steps?.entered(first);
  moveOn(first, block.intoFork, TokenState.Arrived, steps);
  for (let i = 1; i < count; i++) {
    steps?.took?.(intoTasks[i]);
    const forked = engine.newToken(tasks[i], frame, share(first.ref), undefined, intoTasks[i].order);
    steps?.entered(forked);
  }
  moveOn(first, intoTasks[0], TokenState.Arrived, steps);
  // before the tasks start: their hooks see the counts of a token on each
  counter?.forked(block);
  // the queue takes the forked tokens before the one that came in: that is the order the tasks start and are called in.
  // A token made goes to the head of the frame's list, so from the first token back they stand in the order they were made
  // (walked rather than kept in an array of the block's: an array that lives as long as the run pays a write barrier per token stored)
  const taskRunner = engine.tasks;
  for (let token = first.prev; token !== undefined; ) {
    // read first: a task limit reached here cancels the instance, which takes the tokens off the list
    const made = token.prev;
    if (token.state === TokenState.Arrived) taskRunner.admit(token);
    token = made;
  }
  if (first.state === TokenState.Arrived) taskRunner.admit(first);
  // the queue would have taken the start token at the start, the fork and each task
  engine.loop.countSteps(count + 2);
}

/**
 * The second half, one outcome at a time: the next outcome the run loop
 * would apply (returned during the last launch, or waiting in the inbox)
 * is a success of a block's task whose instance has not gone back to the
 * queue, from a task that did not touch its data (no view). It is applied
 * as Tasks.ended would, and the token goes on to the join as the queue
 * would take it (Engine.complete, route, take; JoinGates.park), parked
 * without the join's gate: once the instance's last token is there, they
 * join and the instance ends (JoinGates.release, the end's Engine.finish).
 * False, with nothing done, for any other outcome.
 */
export function applyOutcome(engine: Engine, blocks: ExpressBlocks): boolean {
  const loop = engine.loop;
  const token = loop.nextOutcome();
  if (token === undefined) return false;
  const block = blocks.byTask[token.node.index];
  const frame = token.frame;
  if (block === undefined || frame.counts !== undefined || token.view !== undefined || token.state !== TokenState.Running || engine.replaying) return false;
  loop.dropOutcome();
  const taskRunner = engine.tasks;
  const ctx = taskRunner.leave(token);
  engine.journal?.done(token.seq, undefined, engine.now(), undefined);
  if (ctx !== undefined) engine.options.observer?.taskFinished?.(ctx, undefined);
  // no longer Running: cancelling it (a task limit reached below) must not count it out of the pool twice
  token.state = TokenState.Completed;
  // a hook that ended the run has cancelled the instance: nothing moves on (Tasks.ended)
  if (engine.finished) return true;
  // the slot it gave up goes to the next task waiting for one, before the token moves on
  taskRunner.startReady();
  // a task limit reached by that task ended the run
  if (engine.finished) return true;
  // the task's one flow leads to the join
  const flow = token.node.outgoing[0];
  moveOn(token, flow, TokenState.Waiting, blocks.steps);
  blocks.counter?.joined(flow);
  frame.waiting++;
  if (frame.waiting === frame.live) joinAndEnd(engine, block, frame);
  return true;
}

/* Engine.route's took, then Engine.take without the queue: the token stands on the flow's target in `state`. Engine.relocate without the frame's counts and join gates, which a block's instance keeps none of until it goes back to the queue */
function moveOn(token: Token, flow: GraphFlow, state: TokenState, steps: TokenTracker | undefined): void {
  steps?.took?.(flow);
  const from = token.node;
  standAt(token, flow.target, flow.order);
  steps?.moved(token, from);
  token.abort = undefined;
  token.taskName = "";
  token.state = state;
}

/*
 * JoinGates.release, then the end event's Engine.finish: one token goes on
 * and finishes, the others are done. No task of the instance touched its
 * data (applyOutcome takes no outcome with a view), so every token still
 * holds the ref the instance was forked with and the join's merges would
 * change nothing. A tracker that hears each step tells the tokens apart:
 * it hears them leave in flow order and the first flow's go on, as
 * through the join's gate. Without one (none, or one that counts), nothing
 * ever sees which token went on.
 */
function joinAndEnd(engine: Engine, block: ExpressBlock, frame: Frame): void {
  const { steps, counter } = engine.express!;
  const merged = frame.live;
  const first = steps === undefined ? frame.head! : leftInFlowOrder(frame, steps);
  for (let token = frame.head; token !== undefined; ) {
    const next = token.next;
    // every token leaves the frame (Engine.remove)
    token.prev = token.next = undefined;
    if (token !== first) {
      token.state = TokenState.Done;
      release(token.ref);
    }
    token = next;
  }
  frame.waiting = 0;
  frame.live = 0;
  frame.head = undefined;
  first.state = TokenState.Arrived;
  moveOn(first, block.intoEnd, TokenState.Arrived, steps);
  mergeResult(frame, first.ref);
  first.state = TokenState.Done;
  steps?.left(first);
  counter?.ended(block, merged);
  release(first.ref);
  frameDone(engine, frame);
  // the queue would have taken one token on to the end
  engine.loop.countSteps(1);
}

/*
 * A tracker hears the tokens the join takes in the order of the flows they
 * came by, as the join's gate orders them; returns the first. In an array
 * of its own, made here: storing young tokens into one that lives as long
 * as the run costs a write barrier each.
 */
function leftInFlowOrder(frame: Frame, tracker: TokenTracker): Token {
  const parked = new Array<Token | undefined>(frame.live);
  // the list's head is the token made last: filled from the back, the sort finds them in order but for the ones that moved
  let count = frame.live;
  for (let token = frame.head; token !== undefined; token = token.next) parked[--count] = token;
  count = stillWaiting(parked, frame.live);
  for (let i = 1; i < count; i++) {
    parked[i]!.state = TokenState.Done;
    tracker.left(parked[i]!);
  }
  return parked[0]!;
}

/**
 * A block's instance goes back to the queue (Tasks.ended, for an outcome
 * applyOutcome does not take): its frame gets the per-node counts, and the
 * tokens parked at its join without the gate get the gate, as the queue
 * would have made it when the first of them parked.
 */
export function backToQueue(frame: Frame): void {
  countTokens(frame);
  let join: JoinState | undefined;
  for (let token = frame.head; token !== undefined; token = token.next) {
    if (token.state !== TokenState.Waiting) continue;
    if (join === undefined) join = { node: token.node, waiting: parkedAt(token), parked: 1, blockers: 0 };
    else join.waiting[join.parked++] = token;
  }
  if (join === undefined) return;
  join.blockers = countBlockers(frame, join.node);
  frame.joins = [join];
}
