import { describe, expect, it } from "vitest";
import { Adhesive, UsageError, scriptedUi, type Context } from "../../src/index.js";
import { linearDefinition } from "../../src/builder/linear.js";

async function yieldTurns(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const options = { poolSize: 8 };

describe("build(): the declared tasks as a linear process", () => {
  it("runs every declared task once, in declaration order, one at a time", async () => {
    const adhesive = new Adhesive();
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const step = async (ctx: Context): Promise<void> => {
      maxRunning = Math.max(maxRunning, ++running);
      order.push(ctx.taskName);
      ctx.data.steps = [...((ctx.data.steps as string[] | undefined) ?? []), ctx.taskName];
      await yieldTurns();
      running--;
    };
    adhesive.task("Checkout", step);
    adhesive.task("Build", step);
    adhesive.gateway("Decide", step);
    adhesive.task("Test", step);

    const data = await adhesive.build({ ...options, initialData: { env: "ci" } });

    expect(order).toEqual(["Checkout", "Build", "Decide", "Test"]);
    expect(maxRunning).toBe(1);
    expect(data).toEqual({ env: "ci", steps: ["Checkout", "Build", "Decide", "Test"] });
  });

  it("includes user tasks in their place", async () => {
    const adhesive = new Adhesive();
    adhesive.task("Prepare", (ctx) => void (ctx.data.prepared = true));
    adhesive.usertask("Confirm", (_ctx, ui) => ui.addInputText("answer"));
    adhesive.task("Apply", (ctx) => void (ctx.data.applied = ctx.data.answer));

    const data = await adhesive.build({ ui: scriptedUi({ answer: "yes" }) });

    expect(data).toMatchObject({ prepared: true, answer: "yes", applied: "yes" });
  });

  it("runs a task with a loop option once per item, with loop.value and loop.index, then goes on", async () => {
    const adhesive = new Adhesive();
    const runs: string[] = [];
    adhesive.task({ name: "Build {loop.value}", loop: "platforms" }, (ctx) => {
      runs.push(`${ctx.taskName}#${String(ctx.loop?.index)}`);
      ctx.data[`built_${String(ctx.loop?.value)}`] = true;
    });
    let packaged = 0;
    adhesive.task("Package", () => void packaged++);

    const data = await adhesive.build({ ...options, initialData: { platforms: ["linux", "windows"] } });

    expect(runs.sort()).toEqual(["Build linux#0", "Build windows#1"]);
    expect(packaged).toBe(1);
    expect(data).toMatchObject({ built_linux: true, built_windows: true });
  });

  it("runs a sequential loop option one iteration at a time, in order", async () => {
    const adhesive = new Adhesive();
    const order: unknown[] = [];
    let running = 0;
    let maxRunning = 0;
    adhesive.task({ name: "Deploy {loop.value}", loop: { expression: "servers", sequential: true } }, async (ctx) => {
      maxRunning = Math.max(maxRunning, ++running);
      order.push(ctx.loop?.value);
      await yieldTurns();
      running--;
    });

    await adhesive.build({ ...options, initialData: { servers: ["a", "b", "c"] } });

    expect(maxRunning).toBe(1);
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("skips a task whose when option is false and runs the rest", async () => {
    const adhesive = new Adhesive();
    const order: string[] = [];
    adhesive.task("Build", (ctx) => void order.push(ctx.taskName));
    adhesive.task({ name: "Publish", when: "data.release === true" }, (ctx) => void order.push(ctx.taskName));
    adhesive.task("Clean up", (ctx) => void order.push(ctx.taskName));

    await adhesive.build({ initialData: { release: false } });
    expect(order).toEqual(["Build", "Clean up"]);

    order.length = 0;
    await adhesive.build({ initialData: { release: true } });
    expect(order).toEqual(["Build", "Publish", "Clean up"]);
  });

  it("passes the lane option to ctx.lane", async () => {
    const adhesive = new Adhesive();
    adhesive.lane("build-box", async function* (ctx) {
      yield ctx.workspace;
    });
    const lanes: Array<string | undefined> = [];
    adhesive.task({ name: "Compile", lane: "build-box" }, (ctx) => void lanes.push(ctx.lane));
    adhesive.task("Report", (ctx) => void lanes.push(ctx.lane));

    await adhesive.build();

    expect(lanes).toEqual(["build-box", undefined]);
  });

  it("leaves regex-only declarations, messages and lanes out: they name no step of their own", async () => {
    const adhesive = new Adhesive();
    const order: string[] = [];
    adhesive.task("First", (ctx) => void order.push(ctx.taskName));
    adhesive.task({ re: /^Ensure (.+)$/ }, (ctx) => void order.push(ctx.taskName));
    adhesive.message("Incoming", async function* () {
      /* a source with no events */
    });
    adhesive.lane("somewhere", async function* (ctx) {
      yield ctx.workspace;
    });
    adhesive.task("Last", (ctx) => void order.push(ctx.taskName));

    await adhesive.build();

    expect(order).toEqual(["First", "Last"]);
  });

  it("runs the declared name of a declaration that has both a name and a regex", async () => {
    const adhesive = new Adhesive();
    const order: string[] = [];
    adhesive.task({ name: "Ensure docker", re: /^Ensure (.+)$/ }, (ctx, tool) => void order.push(`${ctx.taskName}/${String(tool)}`));

    await adhesive.build();

    expect(order).toEqual(["Ensure docker/undefined"]);
  });
});

describe("linearDefinition()", () => {
  it("chains start, the tasks with their options and end, with ids that read back from BPMN", () => {
    const definition = linearDefinition([
      { name: "A", kind: "task" },
      { name: "Ask", kind: "userTask", when: "go", lane: "desk" },
      { name: "B {loop.value}", kind: "task", loop: { expression: "items", sequential: true } },
    ]);

    expect(definition.root.nodes).toEqual([
      { id: "start", name: "", kind: "startEvent" },
      { id: "task_1", name: "A", kind: "task" },
      { id: "task_2", name: "Ask", kind: "userTask", when: "go", lane: "desk" },
      { id: "task_3", name: "B {loop.value}", kind: "task", loop: { expression: "items", sequential: true, source: "builder" } },
      { id: "end", name: "", kind: "endEvent" },
    ]);
    expect(definition.root.flows.map((f) => `${f.source}->${f.target}`)).toEqual(["start->task_1", "task_1->task_2", "task_2->task_3", "task_3->end"]);
  });

  it("rejects a loop option that is not an expression", () => {
    expect(() => linearDefinition([{ name: "A", kind: "task", loop: "  " }])).toThrow(UsageError);
    expect(() => linearDefinition([{ name: "A", kind: "task", loop: "  " }])).toThrow(/task\("A"\): loop must be/);
  });
});
