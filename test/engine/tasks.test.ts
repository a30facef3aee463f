/*
 * The task pool (src/engine/tasks.ts): at most `poolSize` tasks run at
 * once, and a slot that is given up, however its task ended, goes to the
 * next task waiting for one (issue 17, item 2). A task stopped by a
 * cancellation (an interrupting boundary, a terminate end event) used to
 * keep its slot's successor waiting forever: the run hung with nothing to
 * do and no StalledError.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, SimulatedClock, type Context } from "../../src/index.js";
import { until } from "./elements/scenario.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/engine/${name}`, import.meta.url));

/** Runs `file` with slow tasks that end only when cancelled and a quick one; time moves only when the test says. */
function slowAndQuick(file: string, slow: string[], poolSize: number) {
  const clock = new SimulatedClock();
  const started: string[] = [];
  const cancelled: string[] = [];
  const adhesive = new Adhesive()
    .task(slow, (ctx: Context) => {
      started.push(ctx.taskName);
      return new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
    })
    .task("Quick", (ctx: Context) => void started.push(ctx.taskName));
  const done = adhesive.bpmnBuild(fixture(file), {
    clock,
    poolSize,
    reporter: { taskCancelled: (ctx) => void cancelled.push(ctx.taskName) },
  });
  return { clock, started, cancelled, done };
}

describe("a pool slot a cancelled task gives up goes to the next task", () => {
  it("two slow tasks stopped by their interrupting timers let the waiting quick task run (pool of 2)", async () => {
    const { clock, started, cancelled, done } = slowAndQuick("pool-freed.bpmn", ["Slow A", "Slow B"], 2);
    await until(() => started.length === 2);
    await clock.advance(500);
    // the quick task has come, and both slots are taken
    expect(started.sort()).toEqual(["Slow A", "Slow B"]);
    await clock.advance(500);
    await until(() => started.includes("Quick"));
    await done;
    expect(cancelled.sort()).toEqual(["Slow A", "Slow B"]);
  });

  it("a terminate end event that stops a sub-process's running task lets the waiting quick task run (pool of 1)", async () => {
    const { clock, started, cancelled, done } = slowAndQuick("pool-freed-terminate.bpmn", ["Slow"], 1);
    await until(() => started.length === 1);
    await clock.advance(500);
    expect(started).toEqual(["Slow"]);
    await clock.advance(500);
    await until(() => started.includes("Quick"));
    await done;
    expect(cancelled).toEqual(["Slow"]);
    expect(started).toEqual(["Slow", "Quick"]);
  });
});
