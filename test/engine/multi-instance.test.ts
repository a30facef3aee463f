/*
 * A multi-instance activity as BPMN 2.0 (section 13.3.7) and Camunda define
 * it: one instance per item of its collection (or its cardinality), in
 * parallel or one after another, and the activity completes once, when its
 * instances are done or its completion condition holds; one token then
 * leaves it with the instances' data merged. A boundary event of the
 * activity ends every instance. (adhesive's own loop expression, kept from
 * the original for standard loops, goes on per iteration: README, Loops.)
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, SimulatedClock, type Context, type RunOptions } from "../../src/index.js";
import { until } from "../waiting.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/engine/multi-instance/${name}`, import.meta.url));

/** A run of `file` that records each task it starts, by rendered name. */
function recorded(adhesive: Adhesive) {
  const ran: string[] = [];
  const reporter: RunOptions["reporter"] = { taskStarted: (ctx) => void ran.push(ctx.taskName) };
  const run = (file: string, options: RunOptions = {}) => adhesive.bpmnBuild(fixture(file), { reporter, ...options });
  return { ran, run };
}

/** A task that runs until it is cancelled, noting that it was. */
function untilCancelled(cancelled: string[]) {
  return (ctx: Context) =>
    new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => (cancelled.push(ctx.taskName), resolve()), { once: true }));
}

describe("a parallel multi-instance activity followed by a gateway", () => {
  for (const waitTasks of [true, false]) {
    it(`completes once: the gateway decides once and Notify runs once, with every instance's data and the output collection (waitTasks: ${waitTasks})`, async () => {
      const adhesive = new Adhesive()
        .task("Deploy {loop.value}", (ctx) => void (ctx.data.versions = { [String(ctx.data.region)]: "1.2" }))
        .task(["Notify", "Roll Back"], () => undefined);
      const { ran, run } = recorded(adhesive);
      const data = await run("deploy-then-notify.bpmn", { waitTasks, initialData: { regions: ["eu", "us", "ap"] } });
      expect(ran.filter((name) => name.startsWith("Deploy")).sort()).toEqual(["Deploy ap", "Deploy eu", "Deploy us"]);
      expect(ran.filter((name) => !name.startsWith("Deploy"))).toEqual(["Notify"]);
      // merged in the instances' order; the input element is each instance's own, not the process's
      expect(data).toEqual({ regions: ["eu", "us", "ap"], versions: { eu: "1.2", us: "1.2", ap: "1.2" }, deployed: ["eu ok", "us ok", "ap ok"] });
    });
  }
});

describe("a sequential multi-instance activity", () => {
  function attempts(succeedAt: number | undefined) {
    const adhesive = new Adhesive()
      .task("Attempt {loop.index}", (ctx) => {
        ctx.data.tried = [...((ctx.data.tried as number[] | undefined) ?? []), ctx.loop!.index];
        if (ctx.loop!.index === succeedAt) ctx.data.succeeded = true;
      })
      .task("Report", () => undefined);
    return recorded(adhesive);
  }

  it("runs its instances one after another, each seeing what the one before wrote, then leaves once through an intermediate event", async () => {
    const { ran, run } = attempts(undefined);
    const data = await run("sequential-cardinality.bpmn", { waitTasks: false, initialData: { attempts: 3 } });
    expect(ran).toEqual(["Attempt 0", "Attempt 1", "Attempt 2", "Report"]);
    expect(data.tried).toEqual([0, 1, 2]);
  });

  it("stops at the instance after which its completion condition holds", async () => {
    const { ran, run } = attempts(1);
    const data = await run("sequential-cardinality.bpmn", { waitTasks: false, initialData: { attempts: 5 } });
    expect(ran).toEqual(["Attempt 0", "Attempt 1", "Report"]);
    expect(data).toMatchObject({ tried: [0, 1], succeeded: true });
  });

  it("with a cardinality of 0 runs no instance and goes on", async () => {
    const { ran, run } = attempts(undefined);
    await run("sequential-cardinality.bpmn", { initialData: { attempts: 0 } });
    expect(ran).toEqual(["Report"]);
  });
});

describe("parallel instances with a completion condition and boundary events", () => {
  // poolSize 3: the three instances run at once whatever the CPU count (the pool size defaults to it)
  it("the first instance that satisfies the condition completes the activity; the others are cancelled and the activity leaves once", async () => {
    const cancelled: string[] = [];
    const slow = untilCancelled(cancelled);
    const adhesive = new Adhesive().task("Ask {loop.value}", (ctx) => {
      if (ctx.data.mirror !== "b") return slow(ctx);
      ctx.data.answer = "from b";
    });
    adhesive.task(["Give Up", "Repair"], () => undefined);
    const { ran, run } = recorded(adhesive);
    const data = await run("first-answer.bpmn", { poolSize: 3, initialData: { mirrors: ["a", "b", "c"] } });
    expect(cancelled.sort()).toEqual(["Ask a", "Ask c"]);
    expect(ran.filter((name) => !name.startsWith("Ask"))).toEqual([]);
    expect(data).toEqual({ mirrors: ["a", "b", "c"], answer: "from b" });
  });

  it("an interrupting timer boundary cancels every instance (each one's ctx.signal fires) and only its path goes on, once", async () => {
    const cancelled: string[] = [];
    const clock = new SimulatedClock();
    const adhesive = new Adhesive().task("Ask {loop.value}", untilCancelled(cancelled)).task(["Give Up", "Repair"], () => undefined);
    const { ran, run } = recorded(adhesive);
    const done = run("first-answer.bpmn", { clock, poolSize: 3, initialData: { mirrors: ["a", "b", "c"] } });
    await until(() => ran.length === 3 && clock.size > 0, "three instances running and the timer armed");
    await clock.advance(10 * 60_000);
    const data = await done;
    expect(cancelled.sort()).toEqual(["Ask a", "Ask b", "Ask c"]);
    expect(ran.filter((name) => !name.startsWith("Ask"))).toEqual(["Give Up"]);
    // the boundary path leaves with the data the activity started with, without an instance's element variable
    expect(data).toEqual({ mirrors: ["a", "b", "c"] });
  });

  it("an error thrown by one instance and caught by the activity's error boundary cancels the others; only the error path goes on, once", async () => {
    const cancelled: string[] = [];
    const slow = untilCancelled(cancelled);
    const adhesive = new Adhesive().task("Ask {loop.value}", (ctx) => {
      if (ctx.data.mirror === "c") throw new Error("mirror c is down");
      return slow(ctx);
    });
    adhesive.task(["Give Up", "Repair"], () => undefined);
    const { ran, run } = recorded(adhesive);
    const data = await run("first-answer.bpmn", { poolSize: 3, initialData: { mirrors: ["a", "b", "c"] } });
    expect(cancelled.sort()).toEqual(["Ask a", "Ask b"]);
    expect(ran.filter((name) => !name.startsWith("Ask"))).toEqual(["Repair"]);
    expect((data._error as { message: string }).message).toContain("mirror c is down");
  });
});

describe("a multi-instance activity with BPMN's data items", () => {
  it("runs an instance per item of loopDataInputRef with inputDataItem set, and collects each outputDataItem in loopDataOutputRef", async () => {
    const shipped: number[] = [];
    const adhesive = new Adhesive()
      .task("Quote", (ctx) => void (ctx.data.price = (ctx.data.order as { qty: number }).qty * 10))
      .task("Ship", (ctx) => void shipped.push(ctx.data.parcel as number));
    const data = await adhesive.bpmnBuild(fixture("data-items.bpmn"), { initialData: { orders: [{ qty: 1 }, { qty: 3 }, { qty: 2 }] } });
    // the collection in the instances' order; the input item is each instance's own and gone afterwards
    expect(data.quotes).toEqual([10, 30, 20]);
    expect(data).not.toHaveProperty("order");
    expect(data).not.toHaveProperty("parcel");
    // a reference by text (SpiffWorkflow) names the data key the same way
    expect(shipped).toEqual([10, 30, 20]);
  });
});

/** A task of `seconds` on the simulated clock, cut short when its token is cancelled. */
function takes(clock: SimulatedClock, seconds: number, then: (ctx: Context) => void = () => undefined) {
  return (ctx: Context) =>
    new Promise<void>((resolve) => {
      const timer = clock.setTimer(seconds * 1000, () => (then(ctx), resolve()), undefined);
      ctx.signal.addEventListener("abort", () => (clock.clearTimer(timer), resolve()), { once: true });
    });
}

describe("boundary events belong to the multi-instance activity, not to each instance", () => {
  it("an interrupting 15 s timer on two sequential instances of 10 s is armed once: it fires during the second and cancels it", async () => {
    const clock = new SimulatedClock();
    const cancelled: string[] = [];
    const adhesive = new Adhesive().task("Step {loop.index}", takes(clock, 10)).task(["After", "Timed Out"], () => undefined);
    const { ran, run } = recorded(adhesive);
    const done = run("sequential-deadline.bpmn", { clock, reporter: { taskStarted: (ctx) => void ran.push(ctx.taskName), taskCancelled: (ctx) => void cancelled.push(ctx.taskName) } });
    await until(() => ran.length === 1 && clock.size === 2, "the first instance running and the deadline armed");
    await clock.advance(10_000);
    await until(() => ran.length === 2 && clock.size === 2, "the second instance running");
    await clock.advance(5_000);
    await done;
    expect(ran).toEqual(["Step 0", "Step 1", "Timed Out"]);
    expect(cancelled).toEqual(["Step 1"]);
  });

  /** parallel-watchers.bpmn with Check implemented by `check`; `ping()` sends the Ping message. */
  function watchers(check: (ctx: Context) => Promise<void>) {
    const emitter: { ping: (event: unknown) => void } = { ping: () => undefined };
    const adhesive = new Adhesive()
      .task("Check {loop.value}", check)
      .task(["After", "Remind", "Answer Ping", "Note Progress"], () => undefined)
      .messageCallback("Ping", (_ctx, emit) => void (emitter.ping = emit));
    const { ran, run } = recorded(adhesive);
    return { ran, run, ping: (event: unknown) => emitter.ping(event), times: (name: string) => ran.filter((n) => n === name).length };
  }

  it("a non-interrupting 5 s timer on three parallel instances of 10 s takes its path once", async () => {
    const clock = new SimulatedClock();
    const t = watchers(takes(clock, 10));
    const done = t.run("parallel-watchers.bpmn", { clock, poolSize: 6, initialData: { hosts: ["a", "b", "c"] } });
    await until(() => t.ran.length === 3 && clock.size === 4, "three instances running and the timer armed");
    await clock.advance(5_000);
    await until(() => t.times("Remind") === 1, "the reminder");
    await clock.advance(5_000);
    await done;
    expect(t.times("Remind")).toBe(1);
    expect(t.times("After")).toBe(1);
  });

  it("a non-interrupting message boundary takes its path once per message, not once per instance", async () => {
    const clock = new SimulatedClock();
    const t = watchers(takes(clock, 10));
    const done = t.run("parallel-watchers.bpmn", { clock, poolSize: 6, initialData: { hosts: ["a", "b", "c"] } });
    await until(() => t.ran.length === 3 && clock.size === 4, "three instances running and the boundaries armed");
    t.ping({ n: 1 });
    await until(() => t.times("Answer Ping") === 1, "the answer to the ping");
    await clock.advance(10_000);
    await done;
    expect(t.times("Answer Ping")).toBe(1);
    expect(t.times("Remind")).toBe(1);
  });

  it("a non-interrupting conditional boundary fires once, when the first instance's data satisfies it", async () => {
    const clock = new SimulatedClock();
    // the instances end one after the other: a at 6 s, b at 7 s, c at 8 s
    const t = watchers((ctx) => takes(clock, 6 + ctx.loop!.index, (c) => void (c.data.checked = { [String(c.data.host)]: true }))(ctx));
    const done = t.run("parallel-watchers.bpmn", { clock, poolSize: 6, initialData: { hosts: ["a", "b", "c"] } });
    await until(() => t.ran.length === 3 && clock.size === 4, "three instances running and the timer armed");
    await clock.advance(10_000);
    const data = await done;
    expect(t.times("Note Progress")).toBe(1);
    expect(data.checked).toEqual({ a: true, b: true, c: true });
  });
});
