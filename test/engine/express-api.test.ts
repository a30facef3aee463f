/*
 * The express path (src/engine/express.ts) through the public API, with
 * and without a journal: both take it for a fan-out block's instances, and
 * test/engine/express.test.ts compares each with the token queue. The
 * journal changes the timing (tasks start once their starts are written,
 * in waves), so hooks of different tasks interleave differently and an
 * instance with an asynchronous task may end after the next one: what must
 * be the same is what each instance calls, with which data, the hooks it
 * hears, and, when every task returns at once, the run's result or failure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Adhesive, type Context, type RunReporter } from "../../src/index.js";

// the join's flows are declared out of order on purpose: its merge order is the flows', not the tasks'
const file = fileURLToPath(new URL("../fixtures/engine/express-fan-out.bpmn", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "adhesive-express-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Plan = (task: string, instance: number) => "return" | "write" | "throw" | "async" | "read";

async function run(plan: Plan, events: number, journal: boolean, poolSize: number, callback: boolean) {
  const byInstance = new Map<number, string[]>();
  const note = (ctx: Context, what: string) => {
    const instance = ctx.instance ?? 0;
    if (!byInstance.has(instance)) byInstance.set(instance, []);
    byInstance.get(instance)!.push(`${what} ${ctx.task.id}`);
  };
  const reporter: RunReporter = {
    taskStarted: (ctx) => note(ctx, "started"),
    taskFinished: (ctx, error, _ms, caught) => note(ctx, `finished${error === undefined ? "" : ` with ${(error as Error).message}`}${caught ? " caught" : ""}`),
    taskCancelled: (ctx) => note(ctx, "cancelled"),
  };
  const adhesive = new Adhesive();
  if (callback) {
    adhesive.messageCallback("Order", (_ctx, emit) => {
      for (let i = 0; i < events; i++) emit({ n: i });
    });
  } else {
    adhesive.message("Order", async function* () {
      for (let i = 0; i < events; i++) yield { n: i };
    });
  }
  adhesive.task(["Price", "Stock", "Notify"], (ctx) => {
    const what = plan(ctx.task.id, ctx.instance!);
    note(ctx, `call ${what}`);
    switch (what) {
      case "write":
        ctx.data[`by_${ctx.task.id}`] = (ctx.data.event as { n: number }).n;
        return;
      case "read":
        note(ctx, `read ${JSON.stringify(ctx.data)}`);
        return;
      case "throw":
        throw new Error(`${ctx.task.id} failed in ${ctx.instance}`);
      case "async":
        return Promise.resolve();
      default:
        return;
    }
  });
  let outcome: string;
  try {
    outcome = `result ${JSON.stringify(await adhesive.bpmnBuild(file, { journal, poolSize, reporter, tempFolder: join(dir, "tmp"), runsFolder: join(dir, "runs") }))}`;
  } catch (error) {
    outcome = `failed: ${(error as Error).message}`;
  }
  return { outcome, byInstance: [...byInstance.entries()].sort((x, y) => x[0] - y[0]).map(([instance, lines]) => [instance, lines.sort()]) };
}

const plans: Record<string, { plan: Plan; atOnce: boolean }> = {
  "tasks that return at once": { plan: () => "return", atOnce: true },
  "tasks that change data": { plan: (task, instance) => (instance % 3 === 0 || task === "b" ? "write" : "return"), atOnce: true },
  "some reads and asynchronous tasks": { plan: (task, instance) => (instance % 4 === 1 && task === "c" ? "async" : instance % 5 === 2 && task === "a" ? "read" : "write"), atOnce: false },
};

describe("a fan-out block through the public API, with and without a journal", () => {
  for (const [name, { plan, atOnce }] of Object.entries(plans)) {
    for (const callback of [false, true]) {
      for (const poolSize of [2, 32]) {
        it(`${name}, ${callback ? "a callback source" : "a generator"}, a pool of ${poolSize}: the same calls and hooks per instance, and the same end`, async () => {
          const quick = await run(plan, 30, false, poolSize, callback);
          const journaled = await run(plan, 30, true, poolSize, callback);
          if (atOnce) expect(quick.outcome).toBe(journaled.outcome);
          else expect(quick.outcome.startsWith("result")).toBe(journaled.outcome.startsWith("result"));
          expect(quick.byInstance).toEqual(journaled.byInstance);
        });
      }
    }
  }

  it("a task that fails: the run fails with its error either way", async () => {
    const plan: Plan = (task, instance) => (instance === 7 && task === "b" ? "throw" : "return");
    const quick = await run(plan, 30, false, 32, false);
    const journaled = await run(plan, 30, true, 32, false);
    expect(quick.outcome).toBe(journaled.outcome);
    expect(quick.byInstance.slice(0, 6)).toEqual(journaled.byInstance.slice(0, 6));
  });
});
