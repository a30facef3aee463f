/*
 * Instances of a fan-out block (a message start event, a parallel fork
 * into plain tasks, their join and an end) skip the token queue
 * (src/engine/express.ts). Given random blocks, task functions and events,
 * a run must be the same either way: the same task calls with the same
 * numbers, tokens and instances, the same hooks, journal records and token
 * tracker calls (what lanes hear) in the same order, the same counts in the
 * live view's monitor at every hook, and the same result or failure. The same run with `express: false`, which sends
 * every instance through the queue, is the reference.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TaskContext } from "../../src/engine/context.js";
import { Engine, type NodeRunner, type TokenTracker } from "../../src/engine/engine.js";
import type { Clock } from "../../src/engine/clock.js";
import type { EngineJournal } from "../../src/engine/journal.js";
import { compileProcess } from "../../src/model/compile.js";
import { MonitorFeed } from "../../src/monitor/engine-feed.js";
import { MonitorLayout } from "../../src/monitor/layout.js";
import { RunMonitor } from "../../src/monitor/run-monitor.js";
import type { NodeKind } from "../../src/model/definition.js";
import type { GraphNode } from "../../src/model/graph.js";
import { definition } from "./harness.js";

/** what a task does when called: return at once, with a value, after changing its data, throw, settle later, look at its signal, emit another event, or cancel the run; or return while the hook that hears it finished cancels the run or throws */
const BEHAVIOURS = ["return", "value", "write", "throw", "async", "reject", "signal", "emit", "abort", "hook aborts", "hook throws", "read", "late signal", "start hook aborts", "start hook throws"] as const;
/** and, outside the random ones, a hook that emits two events when it hears a task finished (see the last test) */
type Behaviour = (typeof BEHAVIOURS)[number] | "hook emits";

interface Case {
  tasks: number;
  /** the join's incoming flows are declared in this order of tasks (the join merges data in flow order) */
  joinOrder: number[];
  /** per event, per task: what it does (mostly return) */
  plans: Behaviour[][];
  events: Array<number | { n: number }>;
  poolSize: number;
  waitTasks: boolean;
  /** with a journal: its records are part of what must be the same */
  journal: boolean;
  /** how the events come: one after the other, with a microtask between them, or all but the first while the first instance's first task starts (they wait in the inbox) */
  arrival: "at once" | "microtasks" | "burst";
  /** the block's nodes drawn in a lane of this name */
  lane: string | undefined;
  taskLimit: number | undefined;
  /**
   * the token tracker: none; one that hears every step (lanes), to which a
   * join tells the tokens it takes in flow order (without one it only finds
   * the token that goes on); or the live view's monitor, which counts each
   * half of an express instance in one call (its counts, read at every hook
   * and at the end, are part of what must be the same)
   */
  tracker: "none" | "steps" | "monitor";
  /**
   * the process has more: a second message start event beginning a block of
   * its own (events given as { n } go there), and a none start event whose
   * task returns after a few turns of the microtask queue, so that its
   * outcome comes in between events
   */
  others: boolean;
}

function blockDefinition(c: Case) {
  const tasks = Array.from({ length: c.tasks }, (_, i) => `t${i}`);
  const nodes: Array<{ id: string; kind: NodeKind; messageName?: string }> = [{ id: "start", kind: "messageStartEvent", messageName: "Go" }, { id: "fork", kind: "parallelGateway" }, ...tasks.map((id) => ({ id, kind: "task" as const })), { id: "join", kind: "parallelGateway" }, { id: "end", kind: "endEvent" }];
  const flows = ["start->fork", ...tasks.map((id) => `fork->${id}`), ...c.joinOrder.map((i) => `t${i}->join`), "join->end"];
  if (c.others) {
    nodes.push({ id: "start2", kind: "messageStartEvent", messageName: "Go2" }, { id: "fork2", kind: "parallelGateway" }, { id: "u0", kind: "task" }, { id: "u1", kind: "task" }, { id: "join2", kind: "parallelGateway" }, { id: "end2", kind: "endEvent" });
    nodes.push({ id: "boot", kind: "startEvent" }, { id: "b0", kind: "task" }, { id: "bootEnd", kind: "endEvent" });
    flows.push("start2->fork2", "fork2->u1", "fork2->u0", "u0->join2", "u1->join2", "join2->end2", "boot->b0", "b0->bootEnd");
  }
  return definition(
    nodes.map((node) => ({ ...node, lane: c.lane })),
    flows,
  );
}

async function runCase(c: Case, queued: boolean): Promise<{ log: string[]; outcome: string; express: boolean }> {
  const log: string[] = [];
  const controller = new AbortController();
  let engine!: Engine;
  let start!: GraphNode;
  const planOf = (ctx: TaskContext): Behaviour => {
    if (ctx.instance === undefined) return "async";
    const event = ctx.instance - 1;
    return c.plans[event % c.plans.length][Number(ctx.task.id.slice(1)) % c.tasks];
  };
  const runner: NodeRunner = {
    implements: (node) => node.kind === "task",
    run(ctx) {
      const plan = planOf(ctx);
      log.push(`call ${ctx.task.id} seq ${ctx.seq} token ${ctx.tokenId} instance ${ctx.instance} lane ${ctx.lane} ${plan}`);
      switch (plan) {
        case "value":
          return { ignored: true };
        case "write":
          ctx.data[`by_${ctx.task.id}`] = ctx.instance;
          ctx.data.last = ctx.task.id;
          return undefined;
        case "throw":
          throw new Error(`${ctx.task.id} failed in instance ${ctx.instance}`);
        case "async":
          return ctx.instance === undefined ? Promise.resolve().then(() => Promise.resolve()).then(() => 2) : Promise.resolve(1);
        case "reject":
          return Promise.reject(new Error(`${ctx.task.id} rejected in instance ${ctx.instance}`));
        case "signal":
          ctx.signal.addEventListener("abort", () => log.push(`signal of ${ctx.tokenId} aborted`));
          return undefined;
        case "emit":
          if (ctx.instance! <= c.events.length) engine.outside.emit(start, 1000 + ctx.instance!);
          return undefined;
        case "abort":
          controller.abort(new Error("stopped by a task"));
          return undefined;
        case "read":
          log.push(`read ${JSON.stringify(ctx.data)}`);
          return undefined;
        case "late signal":
          queueMicrotask(() => ctx.signal.addEventListener("abort", () => log.push(`late signal of ${ctx.tokenId} aborted`)));
          return undefined;
        default:
          return undefined;
      }
    },
  };
  // what lanes hear of every step, part of what must be the same
  const steps: TokenTracker = {
    entered: (token) => log.push(`token ${token.id} entered ${token.node.id}`),
    moved: (token, from) => log.push(`token ${token.id} moved ${from.id} -> ${token.node.id}`),
    left: (token) => log.push(`token ${token.id} left ${token.node.id}`),
    took: (flow) => log.push(`took ${flow.source.id} -> ${flow.target.id}`),
  };
  const graph = compileProcess(blockDefinition(c));
  const monitor = new RunMonitor(new MonitorLayout(graph), 0);
  const feed = c.tracker === "monitor" ? new MonitorFeed(monitor, undefined, { taskEnded: () => undefined }) : undefined;
  // what the live view shows, where the run's hooks would have it told
  const counted = (): void => {
    if (feed !== undefined) log.push(`counts ${countsOf(monitor)}`);
  };
  engine = new Engine(graph, {
    executionId: "express",
    waitTasks: c.waitTasks,
    poolSize: c.poolSize,
    runner,
    signal: controller.signal,
    tracker: c.tracker === "steps" ? steps : feed,
    express: !queued,
    taskLimit: c.taskLimit,
    journal: c.journal ? recordingJournal(log) : undefined,
    // a clock that stands still: the engine pauses for the event loop after 20 ms of work, and where a pause falls (between two tokens, or between two instances taken through in one go) changes which inputs wait, so runs that pause by the wall clock cannot be compared
    clock: STILL,
    observer: {
      taskStarted: (ctx) => {
        feed?.taskStarted(ctx);
        counted();
        log.push(`started ${ctx.tokenId}`);
        if (c.arrival === "burst" && ctx.seq === 1) for (const event of c.events.slice(1)) engine.outside.emit(start, event);
        const plan = planOf(ctx);
        if (plan === "start hook aborts") controller.abort(new Error("stopped by a start hook"));
        if (plan === "start hook throws") throw new Error(`the start hook of ${ctx.task.id} failed`);
      },
      taskFinished: (ctx, error) => {
        feed?.taskFinished(ctx, error);
        counted();
        log.push(`finished ${ctx.tokenId}${error === undefined ? "" : ` with ${(error as Error).message}`}`);
        const plan = planOf(ctx);
        if (plan === "hook aborts") controller.abort(new Error("stopped by a hook"));
        if (plan === "hook throws") throw new Error(`the hook of ${ctx.task.id} failed`);
        if (plan === "hook emits" && ctx.instance! <= c.events.length) {
          engine.outside.emit(start, 2000 + ctx.instance!);
          engine.outside.emit(start, 3000 + ctx.instance!);
        }
      },
      taskCancelled: (ctx) => {
        feed?.taskCancelled(ctx);
        counted();
        log.push(`cancelled ${ctx.tokenId}`);
      },
      cancelledTaskSettled: () => log.push("a cancelled task settled"),
      tokenFailed: (token, error, caught) => {
        feed?.tokenFailed(token, error, caught);
        counted();
        log.push(`token ${token.id} failed${caught ? " (caught)" : ""}: ${(error as Error).message}`);
      },
    },
  });
  start = engine.graph.nodes.find((node) => node.id === "start")!;
  const start2 = engine.graph.nodes.find((node) => node.id === "start2");
  engine.outside.openSource();
  const done = engine.start({ initial: true });
  for (const event of c.arrival === "burst" ? c.events.slice(0, 1) : c.events) {
    if (engine.finished) break;
    engine.outside.emit(typeof event === "object" && start2 !== undefined ? start2 : start, event);
    if (c.arrival === "microtasks") await Promise.resolve();
  }
  engine.outside.closeSource();
  // heard at once (a run may fail before the late readers below have read), read once they have
  const ended = done.then(
    (data) => `result ${JSON.stringify(data)}`,
    (error: unknown) => `failed: ${(error as Error).message}`,
  );
  // a late reader of ctx.signal reads it after its task ended
  await new Promise((resolve) => setImmediate(resolve));
  const outcome = await ended;
  counted();
  // what the run leaves behind: the numbers later tokens, frames, tasks and instances take, and the sharing count of its result
  const { root, instances, tasks } = engine;
  log.push(`after: token ${engine.nextTokenId} frame ${engine.nextFrameId} task ${tasks.numbered} instance ${instances.numbered} frames ${instances.frames.size} root live ${root?.live} result refs ${root?.result?.refs} pending ${engine.loop.pendingInputs} quiet ${tasks.quiet}`);
  return { log, outcome, express: (engine as unknown as { express: unknown[] | undefined }).express !== undefined };
}

/* the counts the live view sends: per element and flow, and the run's totals (its times aside) */
function countsOf(monitor: RunMonitor): string {
  const { elements, flows, summary } = monitor.snapshot(0);
  const { tokens, running, waiting, completed, failed, caught, events } = summary;
  // the harness numbers flow ids for each definition it makes (f12_start_fork): one run's are not the other's
  const taken = Object.entries(flows).map(([id, count]) => [id.replace(/^f\d+_/, ""), count]);
  return JSON.stringify({ elements, flows: taken, tokens, running, waiting, completed, failed, caught, events });
}

const STILL: Clock = { now: () => 0, setTimer: () => undefined, clearTimer: () => undefined };

/* a journal that records what the engine journals (times aside: the clock runs) and "writes" on the next turn of the event loop, as the real one does */
function recordingJournal(log: string[]): EngineJournal {
  let waiting: Array<() => void> = [];
  const write = (): void => {
    const launches = waiting;
    waiting = [];
    for (const launch of launches) launch();
  };
  return {
    started: (seq, node, attempt, _at, instance) => log.push(`journal started ${seq} ${node.id} attempt ${attempt} instance ${instance}`),
    done: (seq, result, _at, decision) => log.push(`journal done ${seq} ${JSON.stringify(result?.data ?? null)} ${String(decision)}`),
    failed: (seq, error) => log.push(`journal failed ${seq} ${(error as Error).message}`),
    timer: (arm) => log.push(`journal timer ${arm}`),
    emitted: (node, event, _at, instance) => log.push(`journal emitted ${node.id} ${JSON.stringify(event)} instance ${instance}`),
    instanceEnded: (instance) => log.push(`journal instance ${instance} ended`),
    delivered: (node, event) => log.push(`journal delivered ${node.id} ${JSON.stringify(event)}`),
    whenWritten(launch) {
      if (waiting.length === 0) setImmediate(write);
      waiting.push(launch);
    },
    writeNow() {
      write();
      return true;
    },
    whenDurable: (done) => done(true),
  };
}

const behaviour = fc.oneof({ weight: 6, arbitrary: fc.constant<Behaviour>("return") }, { weight: 4, arbitrary: fc.constantFrom(...BEHAVIOURS) });

// mostly a few tasks; now and then more than a join sorts in place (join-gates.ts SMALL_JOIN)
const taskCounts = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 2, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: 6, max: 20 }) });

const cases: fc.Arbitrary<Case> = taskCounts.chain((tasks) =>
  fc.record({
    tasks: fc.constant(tasks),
    joinOrder: fc.shuffledSubarray(
      Array.from({ length: tasks }, (_, i) => i),
      { minLength: tasks, maxLength: tasks },
    ),
    plans: fc.array(fc.array(behaviour, { minLength: tasks, maxLength: tasks }), { minLength: 1, maxLength: 4 }),
    events: fc.array(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.record({ n: fc.integer({ min: 0, max: 9 }) })), { minLength: 1, maxLength: 6 }),
    poolSize: fc.constantFrom(1, 2, 3, 8, 1e9),
    waitTasks: fc.boolean(),
    journal: fc.boolean(),
    arrival: fc.constantFrom<Case["arrival"]>("at once", "microtasks", "burst"),
    lane: fc.constantFrom(undefined, "Ops"),
    taskLimit: fc.constantFrom(undefined, undefined, 3, 7, 12),
    tracker: fc.constantFrom<Case["tracker"]>("none", "steps", "monitor"),
    others: fc.boolean(),
  }),
);

describe("an instance of a fan-out block run in one go", () => {
  it("calls, hooks and ends exactly as the token queue would run it", async () => {
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const quick = await runCase(c, false);
        const queued = await runCase(c, true);
        expect(quick.express).toBe(true);
        expect(queued.express).toBe(false);
        expect(quick.log).toEqual(queued.log);
        expect(quick.outcome).toBe(queued.outcome);
      }),
      { numRuns: 2000 },
    );
  });

  it("given five tasks that return at once and three events, runs each task once per event and ends with the last event's data", async () => {
    const c: Case = { tasks: 5, joinOrder: [4, 3, 2, 1, 0], plans: [["return", "return", "return", "return", "return"]], events: [1, 2, 3], poolSize: 1e9, waitTasks: false, journal: false, arrival: "at once", lane: undefined, taskLimit: undefined, tracker: "steps", others: false };
    const { log, outcome, express } = await runCase(c, false);
    expect(express).toBe(true);
    expect(log.filter((line) => line.startsWith("call"))).toHaveLength(15);
    // the queue starts the forked tokens' tasks before the first flow's: t1..t4, then t0
    expect(log.filter((line) => !line.startsWith("to")).slice(0, 2)).toEqual(["started 2", "call t1 seq 1 token 2 instance 1 lane undefined return"]);
    expect(outcome).toBe('result {"initial":true,"event":3}');
  });

  it("given a second block and a task of the root that returns later, runs both blocks' instances the same as through the queue", async () => {
    const c: Case = { tasks: 3, joinOrder: [1, 2, 0], plans: [["return", "write", "return"]], events: [1, { n: 2 }, 3, { n: 4 }], poolSize: 1e9, waitTasks: false, journal: false, arrival: "microtasks", lane: "Ops", taskLimit: undefined, tracker: "steps", others: true };
    const quick = await runCase(c, false);
    const queued = await runCase(c, true);
    expect(quick.express).toBe(true);
    expect(quick.log).toEqual(queued.log);
    expect(quick.outcome).toBe(queued.outcome);
    expect(quick.log.filter((line) => line.startsWith("call u0"))).toHaveLength(2);
    expect(quick.log.filter((line) => line.startsWith("call b0"))).toHaveLength(1);
  });

  it("given tasks that change data, merges their changes in the order of the join's flows", async () => {
    const c: Case = { tasks: 3, joinOrder: [2, 0, 1], plans: [["write", "write", "write"]], events: [7], poolSize: 1e9, waitTasks: false, journal: false, arrival: "at once", lane: undefined, taskLimit: undefined, tracker: "steps", others: false };
    const quick = await runCase(c, false);
    const queued = await runCase(c, true);
    expect(quick.outcome).toBe(queued.outcome);
    // t1's flow into the join comes last in the file: its `last` wins
    expect(JSON.parse(quick.outcome.slice("result ".length))).toMatchObject({ last: "t1", by_t0: 1, by_t1: 1, by_t2: 1 });
  });

  /* events that code the engine calls emits while it drains (here an observer's taskFinished) wait in the inbox behind what is under way, as through the queue */
  it("given a hook that emits two events, calls their instances' tasks as the queue does", async () => {
    const c: Case = { tasks: 2, joinOrder: [0, 1], plans: [["hook emits", "return"]], events: [0], poolSize: 1e9, waitTasks: false, journal: false, arrival: "at once", lane: undefined, taskLimit: undefined, tracker: "steps", others: false };
    const quick = await runCase(c, false);
    const queued = await runCase(c, true);
    // the queue: both instances' tasks are started and called, then both finish; express: one instance after the other
    expect(quick.log).toEqual(queued.log);
  });
});
