/*
 * Task lines at high rates (issue 20): the CLI's reporter prints each task's
 * `run` and `done` lines while they come at most task_line_rate a second,
 * and counts them above that, printing one line a second with the counts
 * per task name; failures, cancellations and the run's summary are printed
 * in full, after the counts of the tasks done before them. Time is the
 * test's: a clock it moves and a one-second tick it fires.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Context, RunInfo } from "../../src/api/types.js";
import { terminalReporter } from "../../src/cli/reporter.js";
import { takesRunCounts, type RunCounts } from "../../src/runtime/run-counts.js";
import { bin, fixture, root } from "./run-cli.js";

const run: RunInfo = { executionId: "run-1", source: `${process.cwd()}/orders.bpmn`, logFolder: "/runs/run-1/logs" };

/** A reporter writing into `lines`, with a clock the test moves and the tick the test fires. */
function reporter(rate: number) {
  const printed: string[] = [];
  let now = 0;
  let tick: (() => void) | undefined;
  const report = terminalReporter({ write: (text) => printed.push(...text.split("\n").slice(0, -1)) }, false, {
    taskLineRate: rate,
    time: {
      now: () => now,
      every: (ms, fn) => {
        expect(ms).toBe(1000);
        tick = fn;
        return () => (tick = undefined);
      },
    },
  });
  let tokens = 0;
  const task = (name: string, instance?: number): Context => ({ task: { id: name.toLowerCase().replace(/ /g, "_"), name, type: "task" }, taskName: name, loop: undefined, executionId: run.executionId, tokenId: ++tokens, instance }) as unknown as Context;
  return {
    report,
    printed,
    /** one task started and done, 2 ms later on the test's clock; `instance`: the message instance it ran in */
    ran(name: string, instance?: number): void {
      const ctx = task(name, instance);
      report.taskStarted!(ctx);
      now += 2;
      report.taskFinished!(ctx, undefined, 2);
    },
    failed(name: string, message: string): void {
      const ctx = task(name);
      report.taskStarted!(ctx);
      report.taskFinished!(ctx, new Error(message), 5, true);
    },
    /** the clock moves on to the next whole second, which fires the tick */
    second(): void {
      now = (Math.floor(now / 1000) + 1) * 1000;
      tick?.();
    },
    get ticking(): boolean {
      return tick !== undefined;
    },
  };
}

/** What the `done` lines say were done: single lines count 1, summary lines their total. */
function doneIn(printed: readonly string[]): number {
  return printed.reduce((sum, line) => {
    const summary = /^done {2}(\d+) tasks? in /.exec(line);
    return sum + (summary ? Number(summary[1]) : line.startsWith("done  ") ? 1 : 0);
  }, 0);
}

describe("task lines at a rate a person can read", () => {
  it("are printed one by one, as before, with their durations", () => {
    const { report, printed, ran, second } = reporter(100);
    report.runStarted!(run);
    for (let i = 0; i < 3; i++) {
      ran("Check Order");
      ran("Ship Order");
      second();
    }
    report.runFinished!(run, undefined);
    report.printSummaries();
    expect(printed.slice(0, 4)).toEqual(["run   Check Order", "done  Check Order 2ms", "run   Ship Order", "done  Ship Order 2ms"]);
    expect(printed).toHaveLength(13);
    expect(printed[12]).toMatch(/^finished orders\.bpmn in \S+: 6 done, 0 failed, 0 cancelled; run run-1; logs \/runs\/run-1\/logs$/);
  });
});

describe("task lines of a message-started run", () => {
  it("name the message instance each task ran in; a run without one prints none", () => {
    const { report, printed, ran } = reporter(100);
    report.runStarted!(run);
    ran("Check Order", 1);
    ran("Check Order", 2);
    ran("Ship Order");
    expect(printed).toEqual(["run   Check Order · instance 1", "done  Check Order · instance 1 2ms", "run   Check Order · instance 2", "done  Check Order · instance 2 2ms", "run   Ship Order", "done  Ship Order 2ms"]);
    report.runFinished!(run, undefined);
  });
});

describe("task lines faster than task_line_rate", () => {
  it("are counted once the rate is passed, and a line a second gives the counts per task name", () => {
    const { report, printed, ran, second } = reporter(4);
    report.runStarted!(run);
    for (let i = 0; i < 400; i++) ran(i % 4 === 3 ? "Ship Order" : "Check Order");
    second();
    for (let i = 0; i < 100; i++) ran("Ship Order");
    report.runFinished!(run, undefined);
    report.printSummaries();
    expect(printed).toEqual([
      "run   Check Order",
      "done  Check Order 2ms",
      "run   Check Order",
      "done  Check Order 2ms",
      "more than 4 task lines a second (task_line_rate): a line a second counts the tasks done; failures are shown in full",
      // 2 ms per task: counting started with the third, at 4 ms
      "done  398 tasks in 996ms: Check Order ×298, Ship Order ×100",
      "done  100 tasks in 200ms: Ship Order ×100",
      expect.stringMatching(/^finished orders\.bpmn in \S+: 500 done, 0 failed, 0 cancelled; run run-1; /),
    ]);
    expect(doneIn(printed)).toBe(500);
  });

  it("still prints failures in full, after the counts of the tasks done before them", () => {
    const { report, printed, ran, failed, second } = reporter(0);
    report.runStarted!(run);
    for (let i = 0; i < 30; i++) ran("Check Order");
    failed("Ship Order", "carrier refused order 30");
    for (let i = 0; i < 20; i++) ran("Check Order");
    second();
    report.runFinished!(run, undefined);
    report.printSummaries();
    expect(printed).toEqual([
      "task_line_rate 0: a line a second counts the tasks done; failures are shown in full",
      "done  30 tasks in 60ms: Check Order ×30",
      expect.stringMatching(/^caught {2}Ship Order 5ms: carrier refused order 30/),
      "done  20 tasks in 940ms: Check Order ×20",
      expect.stringMatching(/^finished orders\.bpmn in \S+: 50 done, 0 failed, 1 caught, 0 cancelled; run run-1; /),
    ]);
  });

  it("name eight tasks and count the others together", () => {
    const { report, printed, ran, second } = reporter(0);
    report.runStarted!(run);
    for (let i = 1; i <= 10; i++) ran(`Step ${i}`);
    second();
    expect(printed.at(-1)).toBe("done  10 tasks in 1.0s: Step 1 ×1, Step 2 ×1, Step 3 ×1, Step 4 ×1, Step 5 ×1, Step 6 ×1, Step 7 ×1, Step 8 ×1, 2 others ×2");
    report.runFinished!(run, undefined);
  });

  it("go back to single lines after a second with no more of them than the rate", () => {
    const { report, printed, ran, second } = reporter(10);
    report.runStarted!(run);
    for (let i = 0; i < 100; i++) ran("Check Order");
    second();
    ran("Ship Order");
    ran("Ship Order");
    second();
    const counted = printed.length;
    ran("Refund Order");
    report.runFinished!(run, undefined);
    report.printSummaries();
    expect(printed.slice(counted - 2, counted)).toEqual(["done  95 tasks in 990ms: Check Order ×95", "done  2 tasks in 1.0s: Ship Order ×2"]);
    expect(printed.slice(counted, counted + 2)).toEqual(["run   Refund Order", "done  Refund Order 2ms"]);
    expect(doneIn(printed)).toBe(103);
  });

  it("stop ticking once the runs have ended", () => {
    const test = reporter(0);
    test.report.runStarted!(run);
    test.ran("Check Order");
    expect(test.ticking).toBe(true);
    test.report.runFinished!(run, undefined);
    test.report.printSummaries();
    expect(test.ticking).toBe(false);
  });
});

describe("task lines of a run that counts its tasks (RunCounts)", () => {
  it("are the lines the hooks give: while the reporter counts, the run counts the tasks that succeed and the hooks stay silent", () => {
    const names = ["Check Order", "Ship Order"];
    /* the same tasks told as the run tells them: hooks while lines are printed one by one, only counts while they are counted */
    const told = (withCounts: boolean): string[] => {
      const test = reporter(4);
      test.report.runStarted!(run);
      const counts: RunCounts = { done: new Float64Array(2), names, events: 0, quiet: false };
      if (withCounts) test.report[takesRunCounts]!(run, counts);
      let hooks = 0;
      const ran = (element: number): void => {
        if (!withCounts) return test.ran(names[element]);
        const ctx = { task: { id: `e${element}`, name: names[element], type: "task" }, taskName: names[element], loop: undefined, executionId: run.executionId, tokenId: 0 } as unknown as Context;
        // as the run's observer: each hook only when the reporter is not quiet then, and the count before the end's hook
        if (!counts.quiet) hooks++;
        if (!counts.quiet) test.report.taskStarted!(ctx);
        counts.done[element]++;
        if (!counts.quiet) test.report.taskFinished!(ctx, undefined, 2);
      };
      for (let i = 0; i < 400; i++) ran(i % 4 === 3 ? 1 : 0);
      test.second();
      for (let i = 0; i < 100; i++) ran(1);
      test.second();
      // a slow second: back to single lines
      test.second();
      ran(0);
      test.failed("Ship Order", "carrier refused");
      test.report.runFinished!(run, undefined);
      test.report.printSummaries();
      if (withCounts) expect(hooks).toBeLessThan(10);
      // durations aside: the test's clock moves only with the hooks
      return test.printed.map((line) => line.replace(/ in \S+: /, " in -: "));
    };
    expect(told(true)).toEqual(told(false));
    expect(doneIn(told(true))).toBe(501);
  });
});

describe("a message run of 20k orders through the CLI, its output to a file", () => {
  /** Runs test/fixtures/cli/task-lines/orders.ts with stdout to a file; its lines, exit code and stderr. */
  async function orders(env: Record<string, string>): Promise<{ code: number | null; lines: string[]; stderr: string }> {
    const dir = await mkdtemp(join(tmpdir(), "adhesive-task-lines-"));
    try {
      const out = await open(join(dir, "out.txt"), "w");
      const settings = { ADHESIVE_RUNS_FOLDER: join(dir, "runs"), ADHESIVE_TEMP_FOLDER: join(dir, "temp"), ADHESIVE_JOURNAL: "false", NO_COLOR: "1", ORDERS: "20000", ...env };
      const child = spawn(process.execPath, [bin, fixture("cli/task-lines/orders.ts")], { cwd: root, env: { ...process.env, ...settings }, stdio: ["ignore", out.fd, "pipe"] });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, "close")) as [number | null];
      await out.close();
      return { code, lines: (await readFile(join(dir, "out.txt"), "utf8")).split("\n").slice(0, -1), stderr };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it("prints counts instead of 80k task lines, every caught failure in full, and counts that add up to the tasks run", async () => {
    const { code, lines } = await orders({ ADHESIVE_TASK_LINE_RATE: "0" });
    expect(code).toBe(0);
    // a summary line a second and one before each of the 20 failures: far fewer than the 80k task lines
    expect(lines.length).toBeLessThan(500);
    expect(lines.filter((line) => /^(run|done) {2}\S+ Order /.test(line))).toEqual([]);
    const caught = lines.filter((line) => line.startsWith("caught"));
    // each line names its message instance: the order's event, the nth the source yielded
    const refused = caught.map((line) => /^caught {2}Ship Order · instance (\d+) \S+: carrier refused order \1 \(at test\/fixtures\/cli\/task-lines\/orders\.ts:18\)$/.exec(line)?.[1] ?? line);
    expect(refused).toEqual(Array.from({ length: 20 }, (_, i) => String((i + 1) * 1000)));
    // 20k checks, 19 980 shipments and 20 refunds
    const perTask = new Map<string, number>();
    for (const line of lines) {
      const summary = /^done {2}\d+ tasks? in \S+: (.*)$/.exec(line);
      for (const [, name, count] of summary?.[1].matchAll(/(\w[\w ]*?) ×(\d+)/g) ?? []) perTask.set(name, (perTask.get(name) ?? 0) + Number(count));
    }
    expect(Object.fromEntries(perTask)).toEqual({ "Check Order": 20_000, "Ship Order": 19_980, "Refund Order": 20 });
    expect(doneIn(lines)).toBe(40_000);
    expect(lines.at(-1)).toMatch(/^finished test\/fixtures\/cli\/task-lines\/orders\.bpmn in \S+: 40000 done, 0 failed, 20 caught, 0 cancelled, 20000 events; run /);
  });

  it("a run that fails: the failure and every cancellation in full, the counts up to it adding up to the tasks done", async () => {
    const { code, lines, stderr } = await orders({ ADHESIVE_TASK_LINE_RATE: "0", FAIL_AT: "15000" });
    expect(code).toBe(1);
    expect(stderr).toContain("order 15000 has no address");
    expect(lines).toContainEqual(expect.stringMatching(/^fail {2}Check Order · instance 15000 \S+: order 15000 has no address \(at test\/fixtures\/cli\/task-lines\/orders\.ts:14\)$/));
    const summary = lines.at(-1)!;
    const [, done, cancelled] = /^failed test\/fixtures\/cli\/task-lines\/orders\.bpmn at "Check Order" \(check\) after \S+: (\d+) done, 1 failed, \d+ caught, (\d+) cancelled, \d+ events; run /.exec(summary) ?? [];
    expect(done, summary).toBeDefined();
    expect(doneIn(lines)).toBe(Number(done));
    expect(lines.filter((line) => line.startsWith("stop  "))).toHaveLength(Number(cancelled));
  });
});
