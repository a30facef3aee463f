/*
 * Instances of a fan-out block (a message start event, a parallel fork
 * into plain tasks, their join and an end) run in one go (src/engine/express.ts)
 * instead of through the token queue. Given random blocks, task functions
 * and events, a run must be the same either way: the same task calls with
 * the same numbers, tokens and instances, the same hooks in the same order,
 * and the same result or failure. The token queue runs a block when the
 * engine tracks tokens (as the CLI's live view does), so the same run with
 * a tracker that does nothing is the reference.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TaskContext } from "../../src/engine/context.js";
import { Engine, type NodeRunner, type TokenTracker } from "../../src/engine/engine.js";
import type { EngineJournal } from "../../src/engine/journal.js";
import { compileProcess } from "../../src/model/compile.js";
import type { GraphNode } from "../../src/model/graph.js";
import { definition } from "./harness.js";

/** what a task does when called: return at once, with a value, after changing its data, throw, settle later, look at its signal, emit another event, or cancel the run; or return while the hook that hears it finished cancels the run or throws */
const BEHAVIOURS = ["return", "value", "write", "throw", "async", "reject", "signal", "emit", "abort", "hook aborts", "hook throws"] as const;
type Behaviour = (typeof BEHAVIOURS)[number];

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
}

function blockDefinition(c: Case) {
  const tasks = Array.from({ length: c.tasks }, (_, i) => `t${i}`);
  return definition(
    [{ id: "start", kind: "messageStartEvent", messageName: "Go" }, { id: "fork", kind: "parallelGateway" }, ...tasks.map((id) => ({ id, kind: "task" as const })), { id: "join", kind: "parallelGateway" }, { id: "end", kind: "endEvent" }],
    ["start->fork", ...tasks.map((id) => `fork->${id}`), ...c.joinOrder.map((i) => `t${i}->join`), "join->end"],
  );
}

async function runCase(c: Case, tracked: boolean): Promise<{ log: string[]; outcome: string; express: boolean }> {
  const log: string[] = [];
  const controller = new AbortController();
  let engine!: Engine;
  let start!: GraphNode;
  const planOf = (ctx: TaskContext): Behaviour => {
    const event = ctx.instance! - 1;
    return c.plans[event % c.plans.length][Number(ctx.task.id.slice(1)) % c.tasks];
  };
  const runner: NodeRunner = {
    implements: (node) => node.kind === "task",
    run(ctx) {
      const plan = planOf(ctx);
      log.push(`call ${ctx.task.id} seq ${ctx.seq} token ${ctx.tokenId} instance ${ctx.instance} ${plan}`);
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
          return Promise.resolve(1);
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
        default:
          return undefined;
      }
    },
  };
  const nothing = (): void => {};
  const tracker: TokenTracker | undefined = tracked ? { entered: nothing, moved: nothing, left: nothing } : undefined;
  const journal = c.journal ? recordingJournal(log) : undefined;
  engine = new Engine(compileProcess(blockDefinition(c)), {
    journal,
    executionId: "express",
    waitTasks: c.waitTasks,
    poolSize: c.poolSize,
    runner,
    signal: controller.signal,
    tracker,
    observer: {
      taskStarted: (ctx) => {
        log.push(`started ${ctx.tokenId}`);
        if (c.arrival === "burst" && ctx.seq === 1) for (const event of c.events.slice(1)) engine.outside.emit(start, event);
      },
      taskFinished: (ctx, error) => {
        log.push(`finished ${ctx.tokenId}${error === undefined ? "" : ` with ${(error as Error).message}`}`);
        const plan = planOf(ctx);
        if (plan === "hook aborts") controller.abort(new Error("stopped by a hook"));
        if (plan === "hook throws") throw new Error(`the hook of ${ctx.task.id} failed`);
      },
      taskCancelled: (ctx) => log.push(`cancelled ${ctx.tokenId}`),
      cancelledTaskSettled: () => log.push("a cancelled task settled"),
    },
  });
  start = engine.graph.nodes.find((node) => node.id === "start")!;
  engine.outside.openSource();
  const done = engine.start({ initial: true });
  for (const event of c.arrival === "burst" ? c.events.slice(0, 1) : c.events) {
    if (engine.finished) break;
    engine.outside.emit(start, event);
    if (c.arrival === "microtasks") await Promise.resolve();
  }
  engine.outside.closeSource();
  let outcome: string;
  try {
    outcome = `result ${JSON.stringify(await done)}`;
  } catch (error) {
    outcome = `failed: ${(error as Error).message}`;
  }
  return { log, outcome, express: (engine as unknown as { express: unknown[] | undefined }).express !== undefined };
}

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

const cases: fc.Arbitrary<Case> = fc.integer({ min: 2, max: 5 }).chain((tasks) =>
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
      { numRuns: 400 },
    );
  });

  it("given five tasks that return at once and three events, runs each task once per event and ends with the last event's data", async () => {
    const c: Case = { tasks: 5, joinOrder: [4, 3, 2, 1, 0], plans: [["return", "return", "return", "return", "return"]], events: [1, 2, 3], poolSize: 1e9, waitTasks: false, journal: false, arrival: "at once" };
    const { log, outcome, express } = await runCase(c, false);
    expect(express).toBe(true);
    expect(log.filter((line) => line.startsWith("call"))).toHaveLength(15);
    // the queue starts the forked tokens' tasks before the first flow's: t1..t4, then t0
    expect(log.slice(0, 2)).toEqual(["started 2", "call t1 seq 1 token 2 instance 1 return"]);
    expect(outcome).toBe('result {"initial":true,"event":3}');
  });

  it("given tasks that change data, merges their changes in the order of the join's flows", async () => {
    const c: Case = { tasks: 3, joinOrder: [2, 0, 1], plans: [["write", "write", "write"]], events: [7], poolSize: 1e9, waitTasks: false, journal: false, arrival: "at once" };
    const quick = await runCase(c, false);
    const queued = await runCase(c, true);
    expect(quick.outcome).toBe(queued.outcome);
    // t1's flow into the join comes last in the file: its `last` wins
    expect(JSON.parse(quick.outcome.slice("result ".length))).toMatchObject({ last: "t1", by_t0: 1, by_t1: 1, by_t2: 1 });
  });
});
