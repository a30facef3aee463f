import { describe, expect, it } from "vitest";
import { TaskError } from "../../src/errors.js";
import { definition, run, sleep } from "./harness.js";

const record = (ctx: { taskName: string; data: Record<string, unknown> }) => {
  const executions = (ctx.data.executions ??= {}) as Record<string, Set<number>>;
  (executions[ctx.taskName] ??= new Set()).add(Math.random());
};

function counts(data: Record<string, unknown>): Record<string, number> {
  const executions = (data.executions ?? {}) as Record<string, Set<unknown>>;
  return Object.fromEntries(Object.entries(executions).map(([k, v]) => [k, v.size]));
}

describe("engine: straight paths and forks", () => {
  it("runs a chain of tasks in order and returns the data", async () => {
    const def = definition(
      [{ id: "s", kind: "startEvent" }, { id: "A", kind: "task" }, { id: "B", kind: "task" }, { id: "e", kind: "endEvent" }],
      ["s->A", "A->B", "B->e"],
    );
    const { data, log } = await run(def, { A: (ctx) => { ctx.data.a = 1; }, B: async (ctx) => { await sleep(1); ctx.data.b = (ctx.data.a as number) + 1; } });
    expect(log).toEqual(["A", "B"]);
    expect(data).toEqual({ a: 1, b: 2 });
  });

  it("forks on a parallel gateway, keeps branch data apart and merges it at the join", async () => {
    const def = definition(
      [
        { id: "s", kind: "startEvent" },
        { id: "fork", kind: "parallelGateway" },
        { id: "A", kind: "task" },
        { id: "B", kind: "task" },
        { id: "join", kind: "parallelGateway" },
        { id: "C", kind: "task" },
        { id: "e", kind: "endEvent" },
      ],
      ["s->fork", "fork->A", "fork->B", "A->join", "B->join", "join->C", "C->e"],
    );
    const seen: unknown[] = [];
    const { data, log } = await run(def, {
      A: async (ctx) => { ctx.data.list = [1]; ctx.data.a = true; await sleep(5); },
      B: (ctx) => { seen.push(ctx.data.a); ctx.data.list = [2]; ctx.data.b = true; },
      C: (ctx) => { ctx.data.c = true; },
    });
    expect(seen).toEqual([undefined]);
    expect(log.filter((n) => n === "C")).toHaveLength(1);
    expect(data).toEqual({ list: [2], a: true, b: true, c: true });
  });

  it("joins at a task with two incoming flows only when waitTasks is on", async () => {
    const def = definition(
      [{ id: "s", kind: "startEvent" }, { id: "A", kind: "task" }, { id: "B", kind: "task" }, { id: "C", kind: "task" }, { id: "e", kind: "endEvent" }],
      ["s->A", "s->B", "A->C", "B->C", "C->e"],
    );
    const impl = { "*": record };
    expect(counts((await run(def, impl)).data)).toEqual({ A: 1, B: 1, C: 1 });
    expect(counts((await run(def, impl, { waitTasks: false })).data)).toEqual({ A: 1, B: 1, C: 2 });
  });

  it("fails the run with a TaskError naming the task", async () => {
    const def = definition([{ id: "s", kind: "startEvent" }, { id: "A", kind: "task", name: "Explode" }, { id: "e", kind: "endEvent" }], ["s->A", "A->e"]);
    await expect(run(def, { Explode: () => { throw new Error("broken"); } })).rejects.toThrow(TaskError);
    await expect(run(def, { Explode: async () => { throw new Error("broken"); } })).rejects.toThrow(/Explode.*broken/);
  });
});

describe("engine: loops", () => {
  const loopDef = (sequential: boolean, expression = "items") =>
    definition(
      [
        { id: "s", kind: "startEvent" },
        { id: "L", kind: "task", name: "Do {loop.value}", loop: { expression, sequential, source: "builder" } },
        { id: "After", kind: "task" },
        { id: "e", kind: "endEvent" },
      ],
      ["s->L", "L->After", "After->e"],
    );

  it("runs one iteration per item, in parallel, and joins after the loop", async () => {
    const { data } = await run(loopDef(false), { "Do {loop.value}": record, After: record }, { initialData: { items: ["a", "b", "c"] } });
    expect(counts(data)).toEqual({ "Do a": 1, "Do b": 1, "Do c": 1, After: 1 });
  });

  it("runs without the join once per iteration when waitTasks is off", async () => {
    const { data } = await run(loopDef(false), { "Do {loop.value}": record, After: record }, { initialData: { items: ["a", "b"] }, waitTasks: false });
    expect(counts(data)).toEqual({ "Do a": 1, "Do b": 1, After: 2 });
  });

  it("runs sequential iterations one after the other, each seeing the previous data", async () => {
    const order: unknown[] = [];
    const { data } = await run(loopDef(true), {
      "Do {loop.value}": async (ctx) => { order.push(ctx.loop!.value); ctx.data.sum = ((ctx.data.sum as number) ?? 0) + (ctx.loop!.value as number); await sleep(1); },
      After: () => {},
    }, { initialData: { items: [1, 2, 3] } });
    expect(order).toEqual([1, 2, 3]);
    expect(data.sum).toBe(6);
  });

  it("iterates objects by key and value", async () => {
    const seen: unknown[] = [];
    await run(loopDef(false), { "Do {loop.value}": (ctx) => { seen.push([ctx.loop!.key, ctx.loop!.value, ctx.loop!.index]); }, After: () => {} }, { initialData: { items: { x: 1, y: 2 } } });
    expect(seen).toEqual([["x", 1, 0], ["y", 2, 1]]);
  });

  it("repeats a condition loop while the expression holds", async () => {
    const { data } = await run(loopDef(false, "data.n < 3"), { "Do {loop.value}": (ctx) => { ctx.data.n = ((ctx.data.n as number) ?? 0) + 1; }, After: () => {} }, { initialData: { n: 0 } });
    expect(data.n).toBe(3);
  });

  it("skips the task when the collection is empty", async () => {
    const { log } = await run(loopDef(false), { "Do {loop.value}": () => {}, After: () => {} }, { initialData: { items: [] } });
    expect(log).toEqual(["After"]);
  });
});

describe("engine: errors and sub-processes", () => {
  it("catches a task error on a boundary event with data._error and cancels the task", async () => {
    const def = definition(
      [
        { id: "s", kind: "startEvent" },
        { id: "A", kind: "task", name: "Fail" },
        { id: "err", kind: "errorBoundaryEvent", attachedTo: "A" },
        { id: "H", kind: "task", name: "Handle" },
        { id: "e", kind: "endEvent" },
      ],
      ["s->A", "A->e", "err->H", "H->e"],
    );
    let error: unknown;
    const { data } = await run(def, { Fail: () => { throw new Error("broken"); }, Handle: (ctx) => { error = ctx.data._error; } });
    expect(error).toMatchObject({ message: "broken", task: "Fail" });
    expect(data._error).toBeDefined();
  });

  it("runs a sub-process and continues with its data", async () => {
    const def = definition(
      [
        { id: "s", kind: "startEvent" },
        { id: "SP", kind: "subProcess", children: { nodes: [{ id: "ss", name: "", kind: "startEvent" }, { id: "In", name: "In", kind: "task" }, { id: "se", name: "", kind: "endEvent" }], flows: [{ id: "x1", source: "ss", target: "In" }, { id: "x2", source: "In", target: "se" }] } },
        { id: "After", kind: "task" },
        { id: "e", kind: "endEvent" },
      ],
      ["s->SP", "SP->After", "After->e"],
    );
    const { data, log } = await run(def, { In: (ctx) => { ctx.data.inner = 1; }, After: (ctx) => { ctx.data.after = ctx.data.inner; } });
    expect(log).toEqual(["In", "After"]);
    expect(data).toEqual({ inner: 1, after: 1 });
  });
});
