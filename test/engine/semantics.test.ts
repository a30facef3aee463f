/*
 * One scenario per rule of SPEC section 3, each on a real BPMN fixture run
 * through the public API: given the process and its task functions, when it
 * runs, then the data, the tasks that ran, or the error.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, LoopError, TaskError, scriptedUi, type Context, type Data, type RunOptions } from "../../src/index.js";
import { barrier } from "../waiting.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/engine/${name}`, import.meta.url));

/** Records every task run (by rendered name) into `ran`, and counts tasks running at once. */
function recorder(adhesive: Adhesive) {
  const ran: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const reporter: RunOptions["reporter"] = {
    taskStarted: (ctx) => {
      ran.push(ctx.taskName);
      maxRunning = Math.max(maxRunning, ++running);
    },
    taskFinished: () => void running--,
    taskCancelled: () => void running--,
  };
  const run = (file: string, options: RunOptions = {}) => adhesive.bpmnBuild(fixture(file), { reporter, ...options });
  return { ran, run, maxRunning: () => maxRunning };
}

const noop = () => undefined;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** routing.bpmn with every task a no-op that the recorder sees. */
function routing() {
  const adhesive = new Adhesive();
  adhesive.task(["Fast Path", "Any Path", "Context Path", "Default Path", "Check Count", "Many", "Lots", "Few"], noop);
  return recorder(adhesive);
}

describe("exclusive gateway: first condition that holds in document order, else the default, else an error", () => {
  it("takes only the first matching flow even when a later one also holds", async () => {
    const { ran, run } = routing();
    await run("routing.bpmn", { initialData: { route: "any", count: 0 } });
    expect(ran).toEqual(["Fast Path", "Check Count", "Few"]);
  });

  it("sees data keys as bare names, through data. and through context.data, with task and taskName", async () => {
    const { ran, run } = routing();
    await run("routing.bpmn", { initialData: { route: "ctx", count: 0 } });
    expect(ran[0]).toBe("Context Path");
  });

  it("takes the default flow when no condition holds", async () => {
    const { ran, run } = routing();
    await run("routing.bpmn", { initialData: { route: "nowhere", count: 0 } });
    expect(ran[0]).toBe("Default Path");
  });

  it("fails the token with ADHESIVE_NO_ROUTE naming the gateway when nothing applies and there is no default", async () => {
    const adhesive = new Adhesive().task(["One", "Two"], noop);
    const error = await adhesive.bpmnBuild(fixture("no-route.bpmn"), { initialData: { pick: { value: 3 } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).elementId).toBe("pick");
    expect(((error as TaskError).cause as { code: string }).code).toBe("ADHESIVE_NO_ROUTE");
    expect((error as Error).message).toContain('exclusive gateway "Pick" (pick)');
  });
});

describe("other nodes take every flow whose condition holds, the default only when none does", () => {
  it("forks into every flow that holds (JavaScript and FEEL conditions) and leaves the default alone", async () => {
    const { ran, run } = routing();
    await run("routing.bpmn", { initialData: { route: "fast", count: 10 } });
    expect(ran.slice(2).sort()).toEqual(["Lots", "Many"]);
  });

  it("takes only the flow that holds", async () => {
    const { ran, run } = routing();
    await run("routing.bpmn", { initialData: { route: "fast", count: 3 } });
    expect(ran.slice(2)).toEqual(["Many"]);
  });

  it("takes the default flow of a task when none holds", async () => {
    const { ran, run } = routing();
    await run("routing.bpmn", { initialData: { route: "fast", count: 1 } });
    expect(ran.slice(2)).toEqual(["Few"]);
  });
});

describe("inclusive gateway: joins only the branches that were activated", () => {
  function inclusive() {
    const adhesive = new Adhesive();
    adhesive.task({ re: /^Do (.)$/ }, async (ctx, letter) => {
      await tick();
      ctx.data[`did${letter}`] = true;
    });
    adhesive.task("After", noop);
    return recorder(adhesive);
  }

  it("runs After once with the data of the two activated branches", async () => {
    const { ran, run } = inclusive();
    const data = await run("inclusive.bpmn", { initialData: { wantA: true, wantB: false, wantC: true } });
    expect(ran.filter((n) => n === "After")).toHaveLength(1);
    expect(ran).not.toContain("Do B");
    expect(data).toMatchObject({ didA: true, didC: true });
    expect(data.didB).toBeUndefined();
  });

  it("does not wait for branches that were not taken", async () => {
    const { ran, run } = inclusive();
    await run("inclusive.bpmn", { initialData: { wantA: false, wantB: true, wantC: false } });
    expect(ran).toEqual(["Do B", "After"]);
  });
});

describe("implicit join (waitTasks)", () => {
  it("waits at a task with two incoming paths until the slower branch arrives, then runs it once", async () => {
    const adhesive = new Adhesive();
    let rightDone!: () => void;
    const rightRan = new Promise<void>((resolve) => (rightDone = resolve));
    // Left is the slower branch: it ends only after Right has
    adhesive.task("Left", async (ctx) => {
      await rightRan;
      ctx.data.left = true;
    });
    adhesive.task("Right", (ctx) => {
      ctx.data.right = true;
      rightDone();
    });
    const seen: Data[] = [];
    adhesive.task("Together", (ctx) => void seen.push({ ...ctx.data }));
    await adhesive.bpmnBuild(fixture("parallel-join.bpmn"), { poolSize: 2 });
    expect(seen).toEqual([{ left: true, right: true }]);
  });

  it("runs the task once per arriving token with waitTasks: false", async () => {
    const adhesive = new Adhesive().task(["Left", "Right"], noop);
    let together = 0;
    adhesive.task("Together", () => void together++);
    await adhesive.bpmnBuild(fixture("parallel-join.bpmn"), { waitTasks: false });
    expect(together).toBe(2);
  });
});

describe("data: each token owns its data; joins merge it", () => {
  it("never lets a branch see another branch's changes", async () => {
    const adhesive = new Adhesive();
    adhesive.task("Left", (ctx) => {
      (ctx.data.list as number[]).push(1);
      (ctx.data.nested as { seenBy: string[] }).seenBy.push("left");
    });
    let rightSaw: unknown;
    adhesive.task("Right", (ctx) => void (rightSaw = structuredClone({ list: ctx.data.list, nested: ctx.data.nested })));
    adhesive.task("Together", noop);
    const initialData = { list: [] as number[], nested: { seenBy: [] as string[] } };
    await adhesive.bpmnBuild(fixture("parallel-join.bpmn"), { initialData });
    expect(rightSaw).toEqual({ list: [], nested: { seenBy: [] } });
    expect(initialData).toEqual({ list: [], nested: { seenBy: [] } });
  });

  it("deep-merges objects, unions Sets, merges Maps, removes null keys and lets the later flow win for other values", async () => {
    const adhesive = new Adhesive();
    adhesive.task("Left", (ctx) => {
      Object.assign(ctx.data, { winner: "left", onlyLeft: 1 });
      (ctx.data.config as Data).left = true;
      (ctx.data.tags as Set<string>).add("l");
      (ctx.data.byName as Map<string, number>).set("left", 1);
    });
    adhesive.task("Right", async (ctx) => {
      await tick();
      Object.assign(ctx.data, { winner: "right", onlyRight: 2, gone: null });
      (ctx.data.config as Data).right = true;
      (ctx.data.tags as Set<string>).add("r");
      (ctx.data.byName as Map<string, number>).set("right", 2);
    });
    let merged: Data | undefined;
    adhesive.task("Together", (ctx) => void (merged = ctx.data));
    const initialData = { gone: "x", config: { base: true }, tags: new Set(["base"]), byName: new Map([["base", 0]]) };
    await adhesive.bpmnBuild(fixture("parallel-join.bpmn"), { initialData });
    // rightIn comes after leftIn in the document, so Right's values win (and its null removes) although Left finished first
    expect(merged).toEqual({
      winner: "right",
      onlyLeft: 1,
      onlyRight: 2,
      config: { base: true, left: true, right: true },
      tags: new Set(["base", "l", "r"]),
      byName: new Map([["base", 0], ["left", 1], ["right", 2]]),
    });
  });
});

describe("expressions", () => {
  it("fails the token with the expression text and element id when a condition throws", async () => {
    const adhesive = new Adhesive().task(["One", "Two"], noop);
    const error = await adhesive.bpmnBuild(fixture("no-route.bpmn"), { initialData: { pick: 5 } }).catch((e: unknown) => e);
    // `pick === 1` is false; `data.pick.value === 2` reads a property of a number: fine. Then no route.
    expect(((error as TaskError).cause as { code: string }).code).toBe("ADHESIVE_NO_ROUTE");
    const failing = await adhesive.bpmnBuild(fixture("no-route.bpmn"), { initialData: {} }).catch((e: unknown) => e);
    expect(failing).toBeInstanceOf(TaskError);
    const cause = (failing as TaskError).cause as { code: string; expression: string; elementId: string; message: string };
    expect(cause.code).toBe("ADHESIVE_EXPRESSION");
    expect(cause.expression).toBe("pick === 1");
    expect(cause.elementId).toBe("toOne");
    expect(cause.message).toContain("pick is not defined");
  });
});

describe("expression errors name the element they are on", () => {
  it("names the gateway whose condition failed, not the task before it", async () => {
    const adhesive = new Adhesive().task("Prepare", noop);
    const error = await adhesive.bpmnBuild(fixture("task-then-gateway.bpmn")).catch((e: unknown) => e);
    expect(error).toMatchObject({ taskName: "Decide", elementId: "decide" });
    expect((error as Error).message).toContain("`missing.value` on toOther failed");
  });
});

describe("loops: the loop expression's value decides", () => {
  function looping() {
    const adhesive = new Adhesive();
    const iterations: Array<{ name: string; index: number; key: unknown; value: unknown; expression: string }> = [];
    adhesive.task("Work {loop.index}", (ctx) => {
      const loop = ctx.loop!;
      iterations.push({ name: ctx.taskName, index: loop.index, key: loop.key, value: loop.value, expression: loop.expression });
      if (ctx.data.loopOver === true && loop.index === 2) ctx.data.loopOver = false;
    });
    let after = 0;
    adhesive.task("After", () => void after++);
    return { adhesive, iterations, after: () => after, run: (loopOver: unknown) => adhesive.bpmnBuild(fixture("loop.bpmn"), { initialData: { loopOver } }) };
  }

  it("runs one iteration per array item with loop.index, loop.value and the expression, then joins once", async () => {
    const t = looping();
    await t.run(["a", "b", "c"]);
    expect(t.iterations.map((i) => [i.name, i.index, i.value, i.expression])).toEqual([
      ["Work 0", 0, "a", "loopOver"],
      ["Work 1", 1, "b", "loopOver"],
      ["Work 2", 2, "c", "loopOver"],
    ]);
    expect(t.after()).toBe(1);
  });

  it("iterates a Set by item, an object and a Map by entry", async () => {
    const set = looping();
    await set.run(new Set(["x", "y"]));
    expect(set.iterations.map((i) => i.value)).toEqual(["x", "y"]);
    const object = looping();
    await object.run({ linux: "gcc", macos: "clang" });
    expect(object.iterations.map((i) => [i.key, i.value])).toEqual([["linux", "gcc"], ["macos", "clang"]]);
    const map = looping();
    await map.run(new Map([[1, "one"]]));
    expect(map.iterations.map((i) => [i.key, i.value])).toEqual([[1, "one"]]);
  });

  it("repeats while a truthy scalar stays truthy, re-evaluating before each iteration", async () => {
    const t = looping();
    await t.run(true);
    expect(t.iterations.map((i) => i.index)).toEqual([0, 1, 2]);
    expect(t.after()).toBe(1);
  });

  it("fails a condition loop whose value is not true and that changed neither its value nor the data in an iteration: it would repeat forever", async () => {
    const t = looping();
    // a list that arrived as one item (--data '{"loopOver": "pg"}')
    const error = await t.run("pg").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).elementId).toBe("work");
    expect((error as Error).cause).toBeInstanceOf(LoopError);
    expect((error as Error).message).toContain('loop `loopOver` on work is "pg": the same value and the same data after iteration 1, so it would repeat forever');
    expect(t.iterations.map((i) => i.value)).toEqual(["pg"]);
    expect(t.after()).toBe(0);
  });

  it("lets a condition loop go on while its value or its data changes, and a true one poll the world outside", async () => {
    const counting = new Adhesive().task("Work {loop.index}", (ctx) => void (ctx.data.loopOver = (ctx.data.loopOver as number) - 1)).task("After", noop);
    expect(await counting.bpmnBuild(fixture("loop.bpmn"), { initialData: { loopOver: 3 } })).toEqual({ loopOver: 0 });
    let polls = 0;
    // a poll that records nothing until it succeeds: its condition is true each time, with the same data
    const polling = new Adhesive()
      .task("Work {loop.index}", (ctx) => {
        if (++polls === 4) ctx.data.loopOver = false;
      })
      .task("After", noop);
    await polling.bpmnBuild(fixture("loop.bpmn"), { initialData: { loopOver: true } });
    expect(polls).toBe(4);
  });

  // a falsy condition skips the task only when tested first (testBefore="true"): loops.test.ts
  it("skips the task on an empty collection and goes on", async () => {
    for (const value of [[], new Set(), {}, new Map()]) {
      const t = looping();
      await t.run(value);
      expect(t.iterations).toEqual([]);
      expect(t.after()).toBe(1);
    }
  });

  it("runs collection iterations in parallel, but one at a time when sequential, each seeing the previous one's data", async () => {
    const adhesive = new Adhesive();
    const seen: unknown[] = [];
    adhesive.task("Step {loop.value}", async (ctx) => {
      seen.push(ctx.data.last);
      await tick();
      ctx.data.last = ctx.loop!.value;
    });
    const { run, maxRunning } = recorder(adhesive);
    const data = await run("loop-sequential.bpmn", { initialData: { steps: [1, 2, 3] } });
    expect(maxRunning()).toBe(1);
    expect(seen).toEqual([undefined, 1, 2]);
    expect(data.last).toBe(3);

    // the three iterations meet: they can only if they run at once
    const parallel = new Adhesive().task("Work {loop.index}", barrier(3, "iterations"));
    const p = recorder(parallel.task("After", noop));
    await p.run("loop.bpmn", { initialData: { loopOver: [1, 2, 3] }, poolSize: 8 });
    expect(p.maxRunning()).toBe(3);
  });

  it("loops a sub-process as a unit, with nested loops seeing loop.parent, names rendered before matching", async () => {
    const adhesive = new Adhesive();
    adhesive.task("Build linux", (ctx) => void (ctx.data.built = ["linux"]));
    adhesive.task("Build macos", (ctx) => void (ctx.data.built = ["macos"]));
    adhesive.task({ re: /^Test (\w+) on (\w+)$/ }, (ctx, browser, platform) => {
      expect(ctx.loop!.parent!.value).toBe(platform);
      ctx.data.tested = new Set([`${browser}@${platform}`]);
    });
    adhesive.task("Publish", noop);
    const { ran, run } = recorder(adhesive);
    const data = await run("loop-subprocess.bpmn", { initialData: { platforms: ["linux", "macos"], browsers: ["chrome", "firefox"] } });
    expect(ran.filter((n) => n.startsWith("Build")).sort()).toEqual(["Build linux", "Build macos"]);
    expect(ran.filter((n) => n.startsWith("Test")).sort()).toEqual([
      "Test chrome on linux",
      "Test chrome on macos",
      "Test firefox on linux",
      "Test firefox on macos",
    ]);
    expect(ran.filter((n) => n === "Publish")).toHaveLength(1);
    expect(data.tested).toEqual(new Set(["chrome@linux", "firefox@linux", "chrome@macos", "firefox@macos"]));
  });

  it("fails a rendered name that no implementation matches, naming what it rendered to", async () => {
    const adhesive = new Adhesive().task("Build linux", noop).task({ re: /^Test / }, noop).task("Publish", noop);
    const error = await adhesive
      .bpmnBuild(fixture("loop-subprocess.bpmn"), { initialData: { platforms: ["linux", "windows"], browsers: [] } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as Error).message).toContain('rendered as "Build windows", which no implementation matches');
  });
});

describe("multi-instance loops from Camunda files run unchanged", () => {
  it("Camunda 7: a sequential loopCardinality, a camunda:collection with elementVariable and a JUEL-wrapped condition", async () => {
    const adhesive = new Adhesive();
    const pings: number[] = [];
    adhesive.task("Ping {loop.index}", async (ctx) => {
      pings.push(ctx.loop!.index);
      await tick();
    });
    const deployed: unknown[] = [];
    adhesive.task("Deploy", (ctx) => void deployed.push([ctx.data.server, ctx.loop!.value]));
    adhesive.task(["Announce Production", "Announce Staging"], (ctx) => void (ctx.data.announced = ctx.taskName));
    const { run, maxRunning } = recorder(adhesive);
    const data = await run("camunda7-multi-instance.bpmn", { initialData: { servers: ["web-1", "web-2"], env: "prod" } });
    expect(pings).toEqual([0, 1, 2]);
    expect(deployed.sort()).toEqual([["web-1", "web-1"], ["web-2", "web-2"]]);
    expect(data.announced).toBe("Announce Production");
    expect(maxRunning()).toBeLessThanOrEqual(2);
  });

  it("fails a camunda:collection that is not a collection, naming the element and the value, instead of looping on it", async () => {
    const adhesive = new Adhesive().task(["Ping {loop.index}", "Deploy", "Announce Production", "Announce Staging"], noop);
    const error = await adhesive.bpmnBuild(fixture("camunda7-multi-instance.bpmn"), { initialData: { servers: "web-1", env: "prod" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).elementId).toBe("deploy");
    expect((error as Error).message).toContain('loop `servers` on deploy is "web-1": a multi-instance collection must be a list');
  });

  it("Camunda 8: zeebe inputCollection/inputElement and FEEL conditions on an exclusive gateway", async () => {
    const shipped: string[] = [];
    const adhesive = new Adhesive();
    adhesive.task({ re: /^Ship (\w+)$/ }, (ctx, id) => {
      expect((ctx.data.order as { id: string }).id).toBe(id);
      shipped.push(id);
    });
    let held = 0;
    adhesive.task("Hold Orders", () => void held++);
    const orders = [{ id: "A1" }, { id: "B2" }];
    await adhesive.bpmnBuild(fixture("camunda8-multi-instance.bpmn"), { initialData: { route: "fast", orders } });
    expect(shipped.sort()).toEqual(["A1", "B2"]);
    await adhesive.bpmnBuild(fixture("camunda8-multi-instance.bpmn"), { initialData: { route: "slow", orders } });
    await adhesive.bpmnBuild(fixture("camunda8-multi-instance.bpmn"), { initialData: { route: "fast", orders: [] } });
    expect(held).toBe(2);
    expect(shipped).toHaveLength(2);
  });
});

describe("errors: boundary events catch, cancel the scope and carry data._error", () => {
  it("catches a failure inside a sub-process on its boundary, cancels the sibling task and skips the normal path", async () => {
    const adhesive = new Adhesive();
    let slowSignal: AbortSignal | undefined;
    let slowStarted!: () => void;
    const slowRunning = new Promise<void>((resolve) => (slowStarted = resolve));
    adhesive.task("Slow Step", (ctx) => {
      slowSignal = ctx.signal;
      slowStarted();
      return new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    });
    adhesive.task("Failing Step", async (ctx) => {
      ctx.data.partial = true;
      // fails once its sibling runs, so there is a running task to cancel
      await slowRunning;
      throw new Error("disk full");
    });
    let error: unknown;
    adhesive.task("Recover", (ctx) => void (error = ctx.data._error));
    adhesive.task(["Never Reached", "Continue"], () => {
      throw new Error("must not run");
    });
    const { ran, run } = recorder(adhesive);
    // two slots: both steps run at once however few CPUs the pool size defaults to (taskset)
    const data = await run("error-scope.bpmn", { initialData: { version: 1 }, poolSize: 2 });
    expect(slowSignal?.aborted).toBe(true);
    expect(error).toMatchObject({ message: "disk full", task: "Failing Step", elementId: "failing" });
    expect(ran).not.toContain("Continue");
    expect(ran).not.toContain("Never Reached");
    expect(data.version).toBe(1);
  });

  it("routes by error code: a matching code first, the catch-all for the rest, and error end events inside sub-processes", async () => {
    async function runWith(behaviour: () => void, exists = true) {
      const adhesive = new Adhesive();
      adhesive.task("Call Service", behaviour);
      adhesive.task(["Retry Later", "Give Up", "Handle Missing"], noop);
      const t = recorder(adhesive);
      await t.run("error-codes.bpmn", { initialData: { exists } });
      return t.ran;
    }
    const timeout = Object.assign(new Error("too slow"), { code: "TIMEOUT" });
    expect(await runWith(() => { throw timeout; })).toEqual(["Call Service", "Retry Later"]);
    expect(await runWith(() => { throw new Error("boom"); })).toEqual(["Call Service", "Give Up"]);
    expect(await runWith(noop, false)).toEqual(["Call Service", "Handle Missing"]);
    expect(await runWith(noop, true)).toEqual(["Call Service"]);
  });

  it("rejects with a TaskError naming the task when nothing catches, cancelling the other running tasks", async () => {
    const adhesive = new Adhesive();
    let leftSignal: AbortSignal | undefined;
    let leftStarted!: () => void;
    const leftRunning = new Promise<void>((resolve) => (leftStarted = resolve));
    adhesive.task("Left", (ctx) => {
      leftSignal = ctx.signal;
      leftStarted();
      return new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    });
    adhesive.task("Right", async () => {
      await leftRunning;
      throw new Error("tests failed");
    });
    adhesive.task("Together", noop);
    const error = await adhesive.bpmnBuild(fixture("parallel-join.bpmn"), { poolSize: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect(error).toMatchObject({ code: "ADHESIVE_TASK_FAILED", taskName: "Right", elementId: "right" });
    expect((error as Error).message).toContain("tests failed");
    expect(leftSignal?.aborted).toBe(true);
  });
});

describe("starting, task kinds and pool size", () => {
  it("starts at every task without incoming flows when there is no start event", async () => {
    const adhesive = new Adhesive().task(["First A", "First B"], noop);
    let both = 0;
    adhesive.task("Both Done", () => void both++);
    const { ran, run } = recorder(adhesive);
    await run("start-points.bpmn");
    expect(ran.slice(0, 2).sort()).toEqual(["First A", "First B"]);
    expect(both).toBe(1);
  });

  it("runs service, send, receive, manual and business rule tasks like tasks, and JavaScript script tasks", async () => {
    const adhesive = new Adhesive().task(["Service", "Send", "Receive", "Manual", "Rule"], (ctx: Context) => {
      (ctx.data.ran as string[]).push(ctx.taskName);
    });
    const data = await adhesive.bpmnBuild(fixture("task-kinds.bpmn"), { initialData: { ran: [] } });
    expect(data.ran).toEqual(["Service", "Send", "Receive", "Manual", "Rule"]);
    expect(data.scripted).toBe("Script after 5");
  });

  it("never runs more tasks at once than poolSize, also after caught failures", async () => {
    const adhesive = new Adhesive();
    // jobs meet in pairs: two always run at once, and a third never starts while they wait
    const pair = barrier(2, "jobs");
    adhesive.task("Job {loop.value}", async (ctx) => {
      await pair();
      if ((ctx.loop!.value as number) % 2 === 1) throw new Error("odd job");
    });
    const { run, ran, maxRunning } = recorder(adhesive);
    await run("pool.bpmn", { initialData: { jobs: [1, 2, 3, 4, 5, 6, 7, 8] }, poolSize: 2 });
    expect(ran).toHaveLength(8);
    expect(maxRunning()).toBe(2);
  });

  it("does not let user tasks waiting for a person hold pool slots", async () => {
    const adhesive = new Adhesive();
    adhesive.usertask(["Enter Details", "Choose Options"], (_ctx, ui) => ui.addInputText("answer"));
    let backgroundDone = false;
    adhesive.task("Background Work", () => void (backgroundDone = true));
    adhesive.task("Summarize", noop);
    let open = 0;
    let release!: () => void;
    const answered = new Promise<void>((resolve) => (release = resolve));
    const ui = scriptedUi(async () => {
      if (++open === 2) release();
      await answered; // both forms stay open until the second one is shown
      return { answer: backgroundDone ? "background ran meanwhile" : "blocked" };
    });
    const data = await adhesive.bpmnBuild(fileURLToPath(new URL("../fixtures/ui/parallel-forms.bpmn", import.meta.url)), { ui, poolSize: 1 });
    expect(data.answer).toBe("background ran meanwhile");
  });
});
