/*
 * Standard loops as BPMN 2.0.2 defines them (sections 10.3.8 and 13.3.6):
 * testBefore="false", the default, runs the activity once before its
 * condition counts (do-while), testBefore="true" tests first, loopMaximum
 * bounds the iterations, and a boundary event belongs to the looped
 * activity as a whole. adhesive's list convention stays: a collection
 * gives one iteration per item (README, Loops). A loop that cannot go on
 * (its expression throws, or its value is no count or list where one is
 * needed) is an error of its activity.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, LoopError, SimulatedClock, TaskError, loadBpmn, type Context, type Data, type RunOptions } from "../../src/index.js";
import { Engine } from "../../src/engine/engine.js";
import type { Token } from "../../src/engine/token.js";
import { compileProcess } from "../../src/model/compile.js";
import { until } from "../waiting.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/engine/${name}`, import.meta.url));

/** A run of a loops/ fixture recording each task it starts and each one cancelled, by rendered name. */
function recorded(adhesive: Adhesive) {
  const ran: string[] = [];
  const cancelled: string[] = [];
  const reporter: RunOptions["reporter"] = { taskStarted: (ctx) => void ran.push(ctx.taskName), taskCancelled: (ctx) => void cancelled.push(ctx.taskName) };
  const run = (file: string, options: RunOptions = {}) => adhesive.bpmnBuild(fixture(`loops/${file}`), { reporter, ...options });
  return { ran, cancelled, run };
}

/** The do-while and while-do files: Attempt clears `retry` at `stopAt` (never when undefined). */
function attempts(stopAt?: number) {
  const adhesive = new Adhesive()
    .task("Attempt {loop.index}", (ctx) => {
      if (ctx.loop!.index === stopAt) ctx.data.retry = false;
    })
    .task("Report", () => undefined);
  return recorded(adhesive);
}

describe("a standard loop without testBefore (BPMN's default: do-while)", () => {
  it("runs the activity once before its condition is evaluated: a false condition still gives one iteration", async () => {
    const { ran, run } = attempts();
    await run("do-while.bpmn", { initialData: { retry: false } });
    expect(ran).toEqual(["Attempt 0", "Report"]);
  });

  it("goes round while the condition holds after each iteration", async () => {
    const { ran, run } = attempts(1);
    await run("do-while.bpmn", { initialData: { retry: true } });
    expect(ran).toEqual(["Attempt 0", "Attempt 1", "Report"]);
  });

  it("stops at loopMaximum when the condition keeps holding", async () => {
    const { ran, run } = attempts();
    await run("do-while.bpmn", { initialData: { retry: true } });
    expect(ran).toEqual(["Attempt 0", "Attempt 1", "Attempt 2", "Attempt 3", "Report"]);
  });

  it("reads a missing value (undefined, null) as a false condition: one iteration", async () => {
    for (const retry of [undefined, null]) {
      const { ran, run } = attempts();
      await run("do-while.bpmn", { initialData: { retry } });
      expect(ran).toEqual(["Attempt 0", "Report"]);
    }
  });

  it("keeps adhesive's list convention: a list gives one iteration per item, an empty one none; loopMaximum bounds them", async () => {
    const six = attempts();
    await six.run("do-while.bpmn", { initialData: { retry: ["a", "b", "c", "d", "e", "f"] } });
    expect(six.ran.filter((name) => name !== "Report").sort()).toEqual(["Attempt 0", "Attempt 1", "Attempt 2", "Attempt 3"]);
    const none = attempts();
    await none.run("do-while.bpmn", { initialData: { retry: [] } });
    expect(none.ran).toEqual(["Report"]);
  });
});

describe('a standard loop with testBefore="true" (while-do)', () => {
  it("evaluates the condition before the first iteration: a false one skips the activity", async () => {
    for (const retry of [false, 0, null, undefined]) {
      const { ran, run } = attempts();
      await run("while-do.bpmn", { initialData: { retry } });
      expect(ran).toEqual(["Report"]);
    }
  });

  it("goes round while it holds, and stops at loopMaximum", async () => {
    const cleared = attempts(1);
    await cleared.run("while-do.bpmn", { initialData: { retry: true } });
    expect(cleared.ran).toEqual(["Attempt 0", "Attempt 1", "Report"]);
    const endless = attempts();
    await endless.run("while-do.bpmn", { initialData: { retry: true } });
    expect(endless.ran).toEqual(["Attempt 0", "Attempt 1", "Attempt 2", "Attempt 3", "Report"]);
  });
});

describe("a loop marker drawn without a condition, looping as the code's loop option says", () => {
  it("tests the option's expression first, as adhesive's loops do: a false one skips the task, a list gives an iteration per item", async () => {
    for (const [recipients, expected] of [[false, ["Report"]], [["ana", "bo"], ["Notify ana", "Notify bo", "Report"]]] as const) {
      const { ran, run } = recorded(new Adhesive().task({ name: "Notify {loop.value}", loop: "recipients" }, () => undefined).task("Report", () => undefined));
      await run("drawn-loop.bpmn", { initialData: { recipients } });
      expect([...ran].sort()).toEqual(expected);
    }
  });
});

describe("a boundary event on a standard loop belongs to the looped activity", () => {
  it("an interrupting 25 s timer on a Poll that takes 10 s a round fires during the third round, once, and cancels it", async () => {
    const clock = new SimulatedClock();
    const adhesive = new Adhesive()
      .task("Poll", (ctx: Context) => new Promise<void>((resolve) => {
        const timer = clock.setTimer(10_000, () => resolve(), undefined);
        ctx.signal.addEventListener("abort", () => (clock.clearTimer(timer), resolve()), { once: true });
      }))
      .task(["Use Service", "Give Up"], () => undefined);
    const { ran, cancelled, run } = recorded(adhesive);
    const done = run("poll-deadline.bpmn", { clock });
    for (const round of [1, 2, 3]) {
      await until(() => ran.length === round && clock.size === 2, `round ${round} of Poll running with the deadline armed`);
      if (round < 3) await clock.advance(10_000);
    }
    await clock.advance(5_000);
    await done;
    expect(ran).toEqual(["Poll", "Poll", "Poll", "Give Up"]);
    expect(cancelled).toEqual(["Poll"]);
    expect(clock.size).toBe(0);
  });
});

describe("a loop that cannot go on is an error of its activity", () => {
  const tasks = () =>
    new Adhesive().task(["Deploy {loop.value}", "Ping {loop.index}", "Ship {loop.value}", "Poll {loop.index}", "Finish"], () => undefined);

  const cases: Array<{ what: string; data: Data; elementId: string; ran: string[]; code: string; message: string }> = [
    { what: "a loop expression that throws", data: { servers: 3 }, elementId: "deploy", ran: [], code: "ADHESIVE_EXPRESSION", message: "servers.split is not a function" },
    {
      what: "a loopCardinality that is not a count",
      data: { servers: "a,b", pings: "many" },
      elementId: "ping",
      ran: ["Deploy a", "Deploy b"],
      code: "ADHESIVE_LOOP",
      message: 'loop `pings` on ping is "many": a loopCardinality must be a whole number',
    },
    {
      what: "a collection that is not a list",
      data: { servers: "a", pings: 1, parcels: 5 },
      elementId: "ship",
      ran: ["Deploy a", "Ping 0"],
      code: "ADHESIVE_LOOP",
      message: "loop `parcels` on ship is 5: a multi-instance collection must be a list",
    },
    {
      what: "a collection that is null",
      data: { servers: "a", pings: 1, parcels: null },
      elementId: "ship",
      ran: ["Deploy a", "Ping 0"],
      code: "ADHESIVE_LOOP",
      message: "loop `parcels` on ship is null: a multi-instance collection must be a list",
    },
    {
      what: "a condition loop that would repeat forever, after its first iteration",
      data: { servers: "a", pings: 1, parcels: [], mode: "pg" },
      elementId: "poll",
      ran: ["Deploy a", "Ping 0", "Poll 0"],
      code: "ADHESIVE_LOOP",
      message: 'loop `mode` on poll is "pg": the same value and the same data after iteration 1',
    },
  ];

  for (const c of cases) {
    it(`${c.what}: the activity's error boundary catches it, with data._error as for a task's error`, async () => {
      const { ran, run } = recorded(tasks());
      const data = await run("failing-loops.bpmn", { initialData: c.data });
      expect(ran).toEqual(c.ran);
      expect(data._error).toMatchObject({ elementId: c.elementId, code: c.code });
      expect((data._error as { message: string }).message).toContain(c.message);
    });
  }

  it("the file's loops run through when nothing fails", async () => {
    const { ran, run } = recorded(tasks());
    const data = await run("failing-loops.bpmn", { initialData: { servers: "a", pings: 1, parcels: ["p"], mode: false } });
    expect(ran).toEqual(["Deploy a", "Ping 0", "Ship p", "Poll 0", "Finish"]);
    expect(data._error).toBeUndefined();
  });

  for (const c of cases.filter((c) => c.elementId !== "poll")) {
    it(`${c.what}, without an error boundary, fails the run naming the element`, async () => {
      const { ran, run } = recorded(tasks());
      const error = await run("failing-loops-uncaught.bpmn", { initialData: c.data }).catch((e: unknown) => e);
      expect(ran).toEqual(c.ran);
      expect(error).toBeInstanceOf(TaskError);
      expect((error as TaskError).elementId).toBe(c.elementId);
      expect((error as Error).message).toContain(c.message);
      if (c.code === "ADHESIVE_LOOP") expect((error as Error).cause).toBeInstanceOf(LoopError);
    });
  }
});

describe("a multi-instance activity that a boundary event cancels lets go of what it held", () => {
  /*
   * Token data is shared by count (src/engine/data.ts): a holder that never
   * lets go makes the next writer copy data nobody else holds. The engine's
   * TokenTracker sees the boundary path's token; once the activity is gone
   * it must be the only holder of its data.
   */
  it("the timer path's data is held by its token alone once every instance is cancelled", async () => {
    const clock = new SimulatedClock();
    const holders: number[] = [];
    const graph = compileProcess(await loadBpmn(fixture("multi-instance/first-answer.bpmn")));
    const engine = new Engine(graph, {
      executionId: "exec",
      waitTasks: true,
      poolSize: 3,
      clock,
      runner: {
        implements: () => true,
        run: (ctx) => (ctx.task.id === "ask" ? new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve())) : undefined),
      },
      tracker: {
        entered: () => undefined,
        moved: (token: Token) => void (token.node.id === "gaveUp" && holders.push(token.ref.refs)),
        left: () => undefined,
      },
    });
    const done = engine.start({ mirrors: ["a", "b", "c"] });
    await until(() => clock.size > 0, "the activity's timer armed");
    await clock.advance(10 * 60_000);
    expect(await done).toEqual({ mirrors: ["a", "b", "c"] });
    expect(holders).toEqual([1]);
  });
});
