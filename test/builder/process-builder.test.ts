import { describe, expect, it } from "vitest";
import { Adhesive, UsageError, scriptedUi, type Context, type Data } from "../../src/index.js";

/** Lets other tokens run before the task finishes, so parallel work overlaps without relying on timing. */
async function yieldTurns(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * An Adhesive instance whose tasks record what happened: how often each
 * (interpolated) task name ran, the order runs started, how many ran at once,
 * and a data key per task so joins can be checked.
 */
function recorder() {
  const adhesive = new Adhesive();
  const runs = new Map<string, number>();
  const order: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const record = async (ctx: Context): Promise<void> => {
    runs.set(ctx.taskName, (runs.get(ctx.taskName) ?? 0) + 1);
    order.push(ctx.taskName);
    maxRunning = Math.max(maxRunning, ++running);
    ctx.data[ctx.taskName] = true;
    await yieldTurns();
    running--;
  };
  return {
    adhesive,
    record,
    /** registers the recording implementation for these names */
    tasks(...names: string[]) {
      for (const name of names) adhesive.task(name, record);
      return this;
    },
    count: (name: string) => runs.get(name) ?? 0,
    counts: () => Object.fromEntries(runs),
    order,
    maxRunning: () => maxRunning,
  };
}

const options = { poolSize: 8 };

describe("builder: a chain of tasks", () => {
  it("runs each task once, in order, handing the data along", async () => {
    const r = recorder().tasks("Checkout", "Build", "Test");
    const data = await r.adhesive.processStart().task("Checkout").task("Build").task("Test").processEnd().build({ ...options, initialData: { env: "ci" } });

    expect(r.order).toEqual(["Checkout", "Build", "Test"]);
    expect(r.maxRunning()).toBe(1);
    expect(data).toEqual({ env: "ci", Checkout: true, Build: true, Test: true });
  });

  it("matches the builder's names like BPMN names: whitespace folded, regex implementations with capture groups", async () => {
    const adhesive = new Adhesive();
    const tools: string[] = [];
    adhesive.task({ re: /^Ensure Tooling: (.+)$/ }, (_ctx, tool) => void tools.push(tool));
    await adhesive.processStart().task("Ensure Tooling:\n  docker").task("Ensure Tooling: node").processEnd().build(options);

    expect(tools).toEqual(["docker", "node"]);
  });

  it("runs user tasks with the answers of the given UI", async () => {
    const adhesive = new Adhesive();
    adhesive.usertask("Approve?", (_ctx, ui) => ui.addInputText("approver", { title: "Who approves?" }));
    adhesive.task("Deploy", (ctx) => void (ctx.data.deployedBy = ctx.data.approver));
    const data = await adhesive.processStart().usertask("Approve?").task("Deploy").processEnd().build({ ui: scriptedUi({ approver: "alice" }) });

    expect(data.deployedBy).toBe("alice");
  });
});

describe("builder: parallel branches", () => {
  it("forks consecutive branches from the same step and joins them at the next task", async () => {
    const r = recorder().tasks("Prepare", "Chrome", "Firefox", "Report");
    const built = r.adhesive
      .processStart()
      .task("Prepare")
      .branchStart().task("Chrome").branchEnd()
      .branchStart().task("Firefox").branchEnd()
      .task("Report")
      .processEnd();
    const data = await built.build(options);

    expect(r.counts()).toEqual({ Prepare: 1, Chrome: 1, Firefox: 1, Report: 1 });
    expect(r.maxRunning()).toBe(2);
    expect(r.order.at(-1)).toBe("Report");
    expect(data).toEqual({ Prepare: true, Chrome: true, Firefox: true, Report: true });
    const flows = built.definition.root.flows.map((f) => `${f.source}->${f.target}`);
    expect(flows).toEqual(expect.arrayContaining(["task_1->task_2", "task_1->task_3", "task_2->task_4", "task_3->task_4"]));
  });

  it("runs three branches of several tasks at once and merges all their data into one run of the join", async () => {
    const r = recorder().tasks("A1", "A2", "B1", "B2", "C1", "C2", "Join");
    const data = await r.adhesive
      .processStart()
      .branchStart().task("A1").task("A2").branchEnd()
      .branchStart().task("B1").task("B2").branchEnd()
      .branchStart().task("C1").task("C2").branchEnd()
      .task("Join")
      .processEnd()
      .build(options);

    expect(r.count("Join")).toBe(1);
    expect(r.maxRunning()).toBe(3);
    // a branch's second task runs after its first one only
    expect(r.order.indexOf("A2")).toBeGreaterThan(r.order.indexOf("A1"));
    expect(r.order.indexOf("C2")).toBeGreaterThan(r.order.indexOf("C1"));
    expect(data).toEqual({ A1: true, A2: true, B1: true, B2: true, C1: true, C2: true, Join: true });
  });

  it("keeps each branch's data to itself until the join", async () => {
    const adhesive = new Adhesive();
    const seenByRight: unknown[] = [];
    adhesive.task("Left", async (ctx) => {
      ctx.data.left = "written";
      ctx.data.shared = { fromLeft: 1 };
      await yieldTurns();
    });
    adhesive.task("Right", async (ctx) => {
      await yieldTurns(10);
      seenByRight.push(ctx.data.left);
      ctx.data.shared = { fromRight: 2 };
    });
    adhesive.task("Join", () => undefined);
    const data = await adhesive
      .processStart()
      .branchStart().task("Left").branchEnd()
      .branchStart().task("Right").branchEnd()
      .task("Join")
      .processEnd()
      .build(options);

    expect(seenByRight).toEqual([undefined]);
    expect(data).toEqual({ left: "written", shared: { fromLeft: 1, fromRight: 2 } });
  });

  it("runs the joined task once per branch when waitTasks is off: the join is the engine's implicit one", async () => {
    const r = recorder().tasks("Chrome", "Firefox", "Report");
    await r.adhesive
      .processStart()
      .branchStart().task("Chrome").branchEnd()
      .branchStart().task("Firefox").branchEnd()
      .task("Report")
      .processEnd()
      .build({ ...options, waitTasks: false });

    expect(r.count("Report")).toBe(2);
  });

  it("nests branches inside a branch; the inner ends and the outer branch all meet at the next task", async () => {
    const r = recorder().tasks("Start", "Build", "Linux", "Windows", "Docs", "Publish");
    const data = await r.adhesive
      .processStart()
      .task("Start")
      .branchStart()
        .task("Build")
        .branchStart().task("Linux").branchEnd()
        .branchStart().task("Windows").branchEnd()
      .branchEnd()
      .branchStart().task("Docs").branchEnd()
      .task("Publish")
      .processEnd()
      .build(options);

    expect(r.counts()).toEqual({ Start: 1, Build: 1, Linux: 1, Windows: 1, Docs: 1, Publish: 1 });
    expect(r.order.indexOf("Linux")).toBeGreaterThan(r.order.indexOf("Build"));
    expect(data).toEqual({ Start: true, Build: true, Linux: true, Windows: true, Docs: true, Publish: true });
  });

  it("joins nested branches inside their branch when the branch goes on after them", async () => {
    const r = recorder().tasks("Build", "Linux", "Windows", "Package", "Docs", "Publish");
    await r.adhesive
      .processStart()
      .branchStart()
        .task("Build")
        .branchStart().task("Linux").branchEnd()
        .branchStart().task("Windows").branchEnd()
        .task("Package")
      .branchEnd()
      .branchStart().task("Docs").branchEnd()
      .task("Publish")
      .processEnd()
      .build(options);

    expect(r.count("Package")).toBe(1);
    expect(r.count("Publish")).toBe(1);
    expect(r.order.indexOf("Package")).toBeGreaterThan(Math.max(r.order.indexOf("Linux"), r.order.indexOf("Windows")));
  });

  it("runs a sub-process as one branch next to a plain task and joins after both", async () => {
    const r = recorder().tasks("Compile", "Link", "Lint", "Ship");
    const data = await r.adhesive
      .processStart()
      .branchStart().subProcessStart().task("Compile").task("Link").subProcessEnd().branchEnd()
      .branchStart().task("Lint").branchEnd()
      .task("Ship")
      .processEnd()
      .build(options);

    expect(r.counts()).toEqual({ Compile: 1, Link: 1, Lint: 1, Ship: 1 });
    expect(r.maxRunning()).toBe(2);
    expect(data).toEqual({ Compile: true, Link: true, Lint: true, Ship: true });
  });

  it("returns the data of all branches when they end the process without a task after them", async () => {
    const r = recorder().tasks("A", "B");
    const data = await r.adhesive.processStart().branchStart().task("A").branchEnd().branchStart().task("B").branchEnd().processEnd().build(options);

    expect(data).toEqual({ A: true, B: true });
  });

  it("treats an empty branch as a path straight to the next task", async () => {
    const r = recorder().tasks("A", "B", "C");
    const built = r.adhesive.processStart().task("A").branchStart().branchEnd().branchStart().branchEnd().branchStart().task("B").branchEnd().task("C").processEnd();
    await built.build(options);

    expect(r.counts()).toEqual({ A: 1, B: 1, C: 1 });
    const intoC = built.definition.root.flows.filter((f) => f.target === "task_3").map((f) => f.source);
    expect(intoC).toEqual(["task_1", "task_2"]);
  });
});

describe("builder: sub-processes", () => {
  it("runs nested sub-processes in order as part of the chain", async () => {
    const r = recorder().tasks("Outer 1", "Inner", "Outer 2", "After");
    const data = await r.adhesive
      .processStart()
      .subProcessStart()
        .task("Outer 1")
        .subProcessStart().task("Inner").subProcessEnd()
        .task("Outer 2")
      .subProcessEnd()
      .task("After")
      .processEnd()
      .build(options);

    expect(r.order).toEqual(["Outer 1", "Inner", "Outer 2", "After"]);
    expect(data).toEqual({ "Outer 1": true, Inner: true, "Outer 2": true, After: true });
  });

  it("loops a sub-process as a unit, with loop.value and loop.index visible inside, and joins the iterations after it", async () => {
    const adhesive = new Adhesive();
    const seen: Array<[string, unknown, number | undefined]> = [];
    adhesive.task(["Build {loop.value}", "Test {loop.value}"], (ctx) => {
      seen.push([ctx.taskName, ctx.loop?.value, ctx.loop?.index]);
      (ctx.data.built as Data | undefined) ?? (ctx.data.built = {});
      (ctx.data.built as Data)[String(ctx.loop?.value)] = ctx.loop?.index;
    });
    const after: unknown[] = [];
    adhesive.task("Release", (ctx) => void after.push(ctx.data.built));
    await adhesive
      .processStart()
      .subProcessStart({ loop: "platforms" })
        .task("Build {loop.value}")
        .task("Test {loop.value}")
      .subProcessEnd()
      .task("Release")
      .processEnd()
      .build({ ...options, initialData: { platforms: ["linux", "mac"] } });

    expect(seen).toEqual(
      expect.arrayContaining([
        ["Build linux", "linux", 0],
        ["Test linux", "linux", 0],
        ["Build mac", "mac", 1],
        ["Test mac", "mac", 1],
      ]),
    );
    expect(seen).toHaveLength(4);
    // each iteration's test comes after its own build
    expect(seen.findIndex(([name]) => name === "Test mac")).toBeGreaterThan(seen.findIndex(([name]) => name === "Build mac"));
    expect(after).toEqual([{ linux: 0, mac: 1 }]);
  });

  it("runs the iterations of a sequential sub-process loop one after the other", async () => {
    const r = recorder().tasks("Deploy {loop.value}", "Verify {loop.value}");
    await r.adhesive
      .processStart()
      .subProcessStart({ loop: { expression: "servers", sequential: true } })
        .task("Deploy {loop.value}")
        .task("Verify {loop.value}")
      .subProcessEnd()
      .processEnd()
      .build({ ...options, initialData: { servers: ["a", "b", "c"] } });

    expect(r.maxRunning()).toBe(1);
    expect(r.order).toEqual(["Deploy a", "Verify a", "Deploy b", "Verify b", "Deploy c", "Verify c"]);
  });

  it("skips a sub-process whose `when` is false and goes on after it", async () => {
    const r = recorder().tasks("Inside", "After");
    const data = await r.adhesive
      .processStart()
      .subProcessStart({ when: "data.deploy === true" }).task("Inside").subProcessEnd()
      .task("After")
      .processEnd()
      .build({ ...options, initialData: { deploy: false } });

    expect(r.counts()).toEqual({ After: 1 });
    expect(data).toEqual({ deploy: false, After: true });
  });

  it("runs a sub-process whose `when` holds", async () => {
    const r = recorder().tasks("Inside", "After");
    await r.adhesive
      .processStart()
      .subProcessStart({ when: "deploy" }).task("Inside").subProcessEnd()
      .task("After")
      .processEnd()
      .build({ ...options, initialData: { deploy: true } });

    expect(r.counts()).toEqual({ Inside: 1, After: 1 });
  });
});

describe("builder: loops on tasks", () => {
  it("runs one iteration per item, in parallel, with loop.value and loop.index, then the next task once", async () => {
    const adhesive = new Adhesive();
    let running = 0;
    let maxRunning = 0;
    const iterations: Array<[string, unknown, number | undefined]> = [];
    adhesive.task("Test on {loop.value}", async (ctx) => {
      maxRunning = Math.max(maxRunning, ++running);
      iterations.push([ctx.taskName, ctx.loop?.value, ctx.loop?.index]);
      ctx.data[`tested_${String(ctx.loop?.value)}`] = ctx.loop?.index;
      await yieldTurns();
      running--;
    });
    let reports = 0;
    adhesive.task("Report", () => void reports++);
    const data = await adhesive
      .processStart()
      .task("Test on {loop.value}", { loop: "browsers" })
      .task("Report")
      .processEnd()
      .build({ ...options, initialData: { browsers: ["chrome", "firefox", "edge"] } });

    expect(iterations.sort()).toEqual([
      ["Test on chrome", "chrome", 0],
      ["Test on edge", "edge", 2],
      ["Test on firefox", "firefox", 1],
    ]);
    expect(maxRunning).toBe(3);
    expect(reports).toBe(1);
    expect(data).toMatchObject({ tested_chrome: 0, tested_firefox: 1, tested_edge: 2 });
  });

  it("runs a sequential loop one iteration at a time, in order, each seeing the data of the one before", async () => {
    const adhesive = new Adhesive();
    let running = 0;
    let maxRunning = 0;
    adhesive.task("Migrate {loop.value}", async (ctx) => {
      maxRunning = Math.max(maxRunning, ++running);
      await yieldTurns();
      ctx.data.applied = [...((ctx.data.applied as string[] | undefined) ?? []), `${String(ctx.loop?.index)}:${String(ctx.loop?.value)}`];
      running--;
    });
    const data = await adhesive
      .processStart()
      .task("Migrate {loop.value}", { loop: { expression: "migrations", sequential: true } })
      .processEnd()
      .build({ ...options, initialData: { migrations: ["001", "002", "003"] } });

    expect(maxRunning).toBe(1);
    expect(data.applied).toEqual(["0:001", "1:002", "2:003"]);
  });

  it("skips a looped task over an empty list and continues", async () => {
    const r = recorder().tasks("Item {loop.value}", "After");
    await r.adhesive.processStart().task("Item {loop.value}", { loop: "items" }).task("After").processEnd().build({ ...options, initialData: { items: [] } });

    expect(r.counts()).toEqual({ After: 1 });
  });
});

describe("builder: when and lanes", () => {
  it("skips a task whose `when` is false and continues with the next one", async () => {
    const r = recorder().tasks("Build", "Publish", "Notify");
    const data = await r.adhesive
      .processStart()
      .task("Build")
      .task("Publish", { when: "data.branch === 'main'" })
      .task("Notify")
      .processEnd()
      .build({ ...options, initialData: { branch: "feature" } });

    expect(r.order).toEqual(["Build", "Notify"]);
    expect(data).toEqual({ branch: "feature", Build: true, Notify: true });
  });

  it("runs a task whose `when` holds, with bare data keys in scope", async () => {
    const r = recorder().tasks("Publish");
    await r.adhesive.processStart().task("Publish", { when: "branch === 'main'" }).processEnd().build({ ...options, initialData: { branch: "main" } });

    expect(r.count("Publish")).toBe(1);
  });

  it("gives each task its lane in ctx.lane; tasks in a sub-process without their own lane get the sub-process's", async () => {
    const adhesive = new Adhesive();
    adhesive.lane(["build-server", "db-host", "web-host"], async function* (ctx) {
      yield ctx.workspace;
    });
    const lanes: Record<string, string | undefined> = {};
    adhesive.task(["Compile", "Migrate", "Check", "Smoke test", "Local"], (ctx) => void (lanes[ctx.taskName] = ctx.lane));
    await adhesive
      .processStart()
      .task("Compile", { lane: "build-server" })
      .subProcessStart({ lane: "db-host" })
        .task("Migrate")
        .task("Check", { lane: "web-host" })
      .subProcessEnd()
      .task("Smoke test", { lane: "web-host" })
      .task("Local")
      .processEnd()
      .build(options);

    expect(lanes).toEqual({ Compile: "build-server", Migrate: "db-host", Check: "web-host", "Smoke test": "web-host", Local: undefined });
  });
});

describe("builder: usage errors", () => {
  const start = () => new Adhesive().processStart();

  function usageError(call: () => unknown): UsageError {
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return error as UsageError;
    }
    throw new Error("expected a UsageError, nothing was thrown");
  }

  it("rejects branchEnd() without branchStart()", () => {
    expect(usageError(() => start().task("A").branchEnd()).message).toBe("branchEnd() without a matching branchStart()");
    expect(usageError(() => start().subProcessStart().branchEnd()).message).toBe("branchEnd() without a matching branchStart()");
    expect(usageError(() => start().branchStart().branchEnd().branchEnd()).message).toBe("branchEnd() without a matching branchStart()");
  });

  it("rejects branchEnd() that would close a sub-process opened inside the branch", () => {
    expect(usageError(() => start().branchStart().subProcessStart().task("A").branchEnd()).message).toMatch(/branchEnd\(\) inside an open subProcessStart\(\)/);
  });

  it("rejects subProcessEnd() without subProcessStart(), also inside a branch", () => {
    expect(usageError(() => start().task("A").subProcessEnd()).message).toBe("subProcessEnd() without a matching subProcessStart()");
    expect(usageError(() => start().branchStart().subProcessEnd()).message).toBe("subProcessEnd() without a matching subProcessStart()");
    expect(usageError(() => start().subProcessStart().branchStart().task("A").subProcessEnd()).message).toMatch(/subProcessEnd\(\) inside an open branchStart\(\)/);
  });

  it("rejects processEnd() inside an open branch or sub-process", () => {
    expect(usageError(() => start().branchStart().task("A").processEnd()).message).toMatch(/processEnd\(\) inside an open branchStart\(\)/);
    expect(usageError(() => start().subProcessStart().task("A").processEnd()).message).toMatch(/processEnd\(\) inside an open subProcessStart\(\)/);
  });

  it("rejects every call after processEnd()", () => {
    const builder = start().task("A");
    builder.processEnd();
    expect(usageError(() => builder.task("B")).message).toBe("task() after processEnd()");
    expect(usageError(() => builder.usertask("B")).message).toBe("usertask() after processEnd()");
    expect(usageError(() => builder.branchStart()).message).toBe("branchStart() after processEnd()");
    expect(usageError(() => builder.subProcessStart()).message).toBe("subProcessStart() after processEnd()");
    expect(usageError(() => builder.processEnd()).message).toBe("processEnd() after processEnd()");
  });

  it("rejects an empty or blank task name", () => {
    expect(usageError(() => start().task("")).message).toMatch(/task\(\) needs a non-empty name/);
    expect(usageError(() => start().usertask("  \n")).message).toMatch(/usertask\(\) needs a non-empty name/);
  });

  it("rejects options it does not know or of the wrong type, naming the call", () => {
    expect(usageError(() => start().task("A", { looop: "items" } as never)).message).toMatch(/task\("A"\): unknown option looop/);
    expect(usageError(() => start().task("A", { loop: 3 } as never)).message).toMatch(/task\("A"\): loop must be/);
    expect(usageError(() => start().task("A", { loop: { expression: "x", sequential: "yes" } } as never)).message).toMatch(/sequential/);
    expect(usageError(() => start().subProcessStart({ lane: "" })).message).toMatch(/subProcessStart\(\): lane must be a non-empty string/);
  });
});
