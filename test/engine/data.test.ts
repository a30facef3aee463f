/*
 * Process data under hostile and unusual values (issue 11, items 1, 5 and 7),
 * through the public API on real BPMN files: payloads whose keys are
 * `__proto__`, `constructor` or `prototype` never reach a prototype; values
 * survive forks and joins as they were put in, or the task that put them in
 * fails naming the key; forks share data instead of copying it.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Adhesive, DataError, TaskError, scriptedUi, type Context, type Data } from "../../src/index.js";
import { builtCli } from "../built-package.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));
const hostile = (json: string) => JSON.parse(json) as Data;
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
const baseline = prototypeKeys();

afterEach(() => {
  // a test that polluted must not make the next one pass or fail for the wrong reason
  for (const key of Object.getOwnPropertyNames(Object.prototype)) if (!baseline.includes(key)) delete (Object.prototype as Record<string, unknown>)[key];
});

describe("hostile keys are data, never prototypes", () => {
  it("a __proto__ payload merged at a join, a loop join and into the result does not route a later plain event", async () => {
    const deployed: number[] = [];
    const skipped: number[] = [];
    const eventId = (ctx: Context) => (ctx.data.event as { id: number }).id;
    const adhesive = new Adhesive()
      .message("Order", function* () {
        yield hostile('{"id":2,"__proto__":{"approved":true},"constructor":{"prototype":{"approved":true}},"items":[1,2]}');
        yield { id: 3, items: [1] };
      })
      .task("Check Left", (ctx) => void (ctx.data.found = hostile('{"__proto__":{"approved":true},"constructor":{"prototype":{"approved":true}}}')))
      .task("Check Right", (ctx) => void (ctx.data.found = hostile('{"__proto__":{"seen":true},"prototype":{"approved":true}}')))
      .task("Per Item", (ctx) => void (ctx.data.item = hostile('{"__proto__":{"approved":true}}')))
      .task("Deploy", (ctx) => void deployed.push(eventId(ctx)))
      .task("Skip", (ctx) => void skipped.push(eventId(ctx)));

    const data = await adhesive.bpmnBuild(fixture("hostile-merge.bpmn"), { initialData: hostile('{"__proto__":{"approved":true}}') });

    expect(deployed).toEqual([]);
    expect(skipped.sort()).toEqual([2, 3]);
    expect(prototypeKeys()).toEqual(baseline);
    expect(({} as Data).approved).toBeUndefined();
    // the keys are kept as the plain data they are, merged like any other
    expect(Object.getPrototypeOf(data.found)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(data.found, "__proto__")?.value).toEqual({ approved: true, seen: true });
    expect((data.found as Data).prototype).toEqual({ approved: true });
    expect(Object.hasOwn(data, "__proto__")).toBe(true);
  });

  it("data sent back by worker threads (parallel_processing: worker) merges without polluting the main thread", async () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const bin = await builtCli();
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [bin, fixture("worker-pollution.ts")], { cwd: root, env: { ...process.env, ADHESIVE_PARALLEL_PROCESSING: "worker" }, timeout: 60_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      ),
    );
    expect(JSON.parse(/^result: (.*)$/m.exec(stdout)![1])).toEqual({ polluted: null, alsoPolluted: null, kept: { polluted: true, alsoPolluted: true } });
  });

  it("user-task answers and scripts with such keys stay plain keys", async () => {
    const adhesive = new Adhesive()
      .usertask("Ask", (_ctx, ui) => ui.addInputText("answer"))
      .task("Check", (ctx) => void (ctx.data.checked = Object.getPrototypeOf(ctx.data.answer) === Object.prototype));
    const data = await adhesive
      .processStart()
      .usertask("Ask")
      .task("Check")
      .processEnd()
      .build({ ui: scriptedUi({ answer: hostile('{"__proto__":{"approved":true}}') }) });
    expect(data.checked).toBe(true);
    expect(prototypeKeys()).toEqual(baseline);
    expect(({} as Data).approved).toBeUndefined();
  });
});

describe("values survive forks and joins as they were put in, or fail naming the key", () => {
  it("keeps Dates, RegExps, Errors, typed arrays, Buffers, BigInts, Maps with object keys and cycles", async () => {
    const key = { id: "k" };
    let seenLeft: Data | undefined;
    const adhesive = new Adhesive()
      .task("Put", (ctx) => {
        const cycle: Data = { name: "cycle" };
        cycle.self = cycle;
        Object.assign(ctx.data, {
          when: new Date(Date.UTC(2026, 11, 1)),
          pattern: /^v\d+$/gi,
          failure: new RangeError("out of range"),
          bytes: new Uint16Array([1, 2, 3]),
          buffer: Buffer.from("hi"),
          big: 2n ** 70n,
          byKey: new Map([[key, 1]]),
          cycle,
        });
      })
      .task("Left", (ctx) => {
        seenLeft = { ...ctx.data };
        (ctx.data.byKey as Map<object, number>).set(key, 3);
      })
      .task("Right", (ctx) => {
        ctx.data.right = (ctx.data.cycle as Data).self === ctx.data.cycle;
        (ctx.data.byKey as Map<object, number>).set(key, 2);
      })
      .task("Together", () => undefined);

    const data = await adhesive.bpmnBuild(fixture("fork-join.bpmn"));

    for (const seen of [seenLeft!, data]) {
      expect(seen.when).toEqual(new Date(Date.UTC(2026, 11, 1)));
      expect(seen.pattern).toBeInstanceOf(RegExp);
      expect(String(seen.pattern)).toBe("/^v\\d+$/gi");
      expect(seen.failure).toBeInstanceOf(RangeError);
      expect((seen.failure as Error).message).toBe("out of range");
      expect(seen.bytes).toEqual(new Uint16Array([1, 2, 3]));
      expect(Buffer.isBuffer(seen.buffer)).toBe(true);
      expect(seen.big).toBe(2n ** 70n);
    }
    expect([...(data.byKey as Map<object, number>)]).toEqual([[key, 2]]);
    expect((data.byKey as Map<object, number>).get(key)).toBe(2);
    expect(data.right).toBe(true);
    expect((data.cycle as Data).self).toBe(data.cycle);
  });

  it.each([
    ["a class instance", () => new (class Order { id = 1; })(), "data.order is an instance of class Order"],
    ["a nested function", () => ({ handlers: [() => 1] }), "data.order.handlers[0] is a function"],
    ["a Promise", () => ({ pending: Promise.resolve(1) }), "data.order.pending is a Promise"],
    ["a WeakMap", () => new WeakMap(), "data.order is a WeakMap"],
    ["a class instance as a Map value", () => new Map([["a", new (class Customer {})()]]), "data.order<a> is an instance of class Customer"],
  ])("fails the task that puts %s in data, naming the task and the key path", async (_what, value, expected) => {
    const adhesive = new Adhesive()
      .task("Put", (ctx) => void (ctx.data.order = value()))
      .task(["Left", "Right", "Together"], () => undefined);
    const error = await adhesive.bpmnBuild(fixture("fork-join.bpmn")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).elementId).toBe("put");
    expect((error as TaskError).cause).toBeInstanceOf(DataError);
    expect((error as TaskError).message).toContain(`task "Put" (put): ${expected}`);
  });

  it("refuses initial data it could not keep before running anything", async () => {
    const ran: string[] = [];
    const adhesive = new Adhesive().task(["Put", "Left", "Right", "Together"], (ctx) => void ran.push(ctx.taskName));
    await expect(adhesive.bpmnBuild(fixture("fork-join.bpmn"), { initialData: { client: new URL("https://example.test") } })).rejects.toThrow(
      /initialData\.client is an instance of class URL/,
    );
    expect(ran).toEqual([]);
  });

  // flat payloads of primitives are checked without the walk that nested ones get: each case has primitives before what is refused
  it.each([
    ["a function", () => ({ id: 1, reply: () => "no" }), /data\.event\.reply is a function/],
    ["a Symbol", () => ({ id: 1, tag: Symbol("tag") }), /data\.event\.tag is a Symbol/],
    ["a class instance of primitives", () => new (class Order { id = 1; })(), /data\.event is an instance of class Order/],
  ])("a message payload holding %s fails the run naming the message event", async (_what, payload, expected) => {
    const adhesive = new Adhesive()
      .message("Order", function* () {
        yield payload();
      })
      .task(["Check Left", "Check Right", "Per Item", "Deploy", "Skip"], () => undefined);
    const error = await adhesive.bpmnBuild(fixture("hostile-merge.bpmn")).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/message event "Order" \(start\)/);
    expect((error as Error).message).toMatch(expected);
  });
});

describe("copy-on-write: a task gets its own copy of what it reads, and nothing else is copied", () => {
  it("a change to something read is the task's own branch's; the join merges what each branch holds", async () => {
    const adhesive = new Adhesive()
      .task("Put", (ctx) => void (ctx.data.shared = { list: [1], left: false, right: false }))
      .task("Left", (ctx) => {
        const shared = ctx.data.shared as { list: number[]; left: boolean };
        shared.list.push(2);
        shared.left = true;
      })
      .task("Right", (ctx) => {
        const shared = ctx.data.shared as { list: number[]; right: boolean };
        ctx.data.rightSaw = [...shared.list];
        shared.right = true;
      })
      .task("Together", () => undefined);
    const data = await adhesive.bpmnBuild(fixture("fork-join.bpmn"));
    expect(data.rightSaw).toEqual([1]);
    // objects merge key by key; Right comes through the later flow, so its list (which it did not change) wins (SPEC 3)
    expect(data.shared).toEqual({ list: [1], left: false, right: true });
  });

  it("changing ctx.data after the task has ended is refused with a clear error", async () => {
    let late: (() => void) | undefined;
    const adhesive = new Adhesive()
      .task("Put", (ctx) => void (late = () => void (ctx.data.late = true)))
      .task(["Left", "Right", "Together"], () => undefined);
    await adhesive.bpmnBuild(fixture("fork-join.bpmn"));
    expect(late).toThrow(/task "Put" \(put\) changed ctx\.data\.late after it ended/);
  });
});
