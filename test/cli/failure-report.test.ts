/*
 * Failures are reported as they happened (issue 17, item 7), through the
 * real CLI: a task error that its error boundary event catches is "caught"
 * (its own count, the run done with 0 failed), never "failed"; a run that
 * fails at a gateway or on a loop expression names that element, counts it
 * as failed and shows it failed, not cancelled. The same words on the
 * terminal summary, in `adhesive runs`, in `adhesive runs show` and in the
 * live view's counts (view.json: the snapshot the page and the JSON API
 * serve for a finished run).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { MonitorUpdate } from "../../src/monitor/run-monitor.js";
import { adhesive, fixture } from "./run-cli.js";

let projects: string[] = [];
afterEach(async () => {
  await Promise.all(projects.map((dir) => rm(dir, { recursive: true, force: true })));
  projects = [];
});

interface Reported {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `adhesive runs` afterwards */
  runs: string;
  /** `adhesive runs show <id>` afterwards */
  show: string;
  /** the live view's counts of the finished run */
  view: MonitorUpdate;
}

/** Runs the process file with its runs in a folder of its own, then lists and shows the run and reads its live view counts. */
async function report(processFile: string): Promise<Reported> {
  const dir = await mkdtemp(join(tmpdir(), "adhesive-report-"));
  projects.push(dir);
  const env = { ADHESIVE_RUNS_FOLDER: join(dir, "runs"), ADHESIVE_TEMP_FOLDER: join(dir, "temp"), NO_COLOR: "1" };
  const run = await adhesive([fixture(`report/${processFile}`)], env);
  const id = /; run ([0-9a-f-]{36});/.exec(run.stdout)?.[1];
  if (id === undefined) throw new Error(`no summary line with a run id:\n${run.stdout}\n${run.stderr}`);
  const runs = await adhesive(["runs"], env);
  const show = await adhesive(["runs", "show", id], env);
  const view = JSON.parse(await readFile(join(dir, "runs", id, "view.json"), "utf8")) as MonitorUpdate;
  return { ...run, runs: runs.stdout, show: show.stdout, view };
}

const none = { tokens: 0, running: 0, waiting: 0, completed: 0, failed: 0, caught: 0, cancelled: 0 };

describe("a task error caught by its error boundary event", () => {
  it("is caught, not failed: on the terminal, in adhesive runs and runs show, and in the live view", async () => {
    const { code, stdout, runs, show, view } = await report("caught.ts");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^caught +Deploy \S+: disk full on web-1 \(at test\/fixtures\/report\/caught\.ts:6\)$/m);
    expect(stdout).not.toMatch(/^fail /m);
    expect(stdout).toMatch(/^finished test\/fixtures\/report\/caught\.bpmn in \S+: 2 done, 0 failed, 1 caught, 0 cancelled; run /m);
    expect(runs).toMatch(/^[0-9a-f-]{36} +done +test\/fixtures\/report\/caught\.ts +\S+ \S+ +2 done, 0 failed, 1 caught +\S+$/m);
    expect(show).toMatch(/^run [0-9a-f-]{36}: done$/m);
    expect(show).toMatch(/^#2 +Deploy \(deploy\) +\S+ +\S+ +caught: disk full on web-1$/m);
    expect(show).not.toContain("failed");
    expect(view.summary).toMatchObject({ state: "done", completed: 2, failed: 0, caught: 1 });
    expect(view.elements.deploy).toEqual({ ...none, caught: 1 });
    expect(view.elements.rollback).toEqual({ ...none, completed: 1 });
    expect(view.failures).toMatchObject([{ elementId: "deploy", taskName: "Deploy", caught: true, message: "disk full on web-1" }]);
  });
});

describe("a run that fails at an exclusive gateway no flow leaves", () => {
  it("names the gateway and counts it failed; the gateway is failed, not cancelled", async () => {
    const { code, stdout, stderr, runs, show, view } = await report("no-route.ts");
    expect(code).toBe(1);
    expect(stdout).toMatch(/^fail +Which Environment: exclusive gateway "Which Environment" \(route\) in \S*test\/fixtures\/report\/no-route\.bpmn: no outgoing flow condition holds and there is no default flow$/m);
    expect(stdout).toMatch(/^failed test\/fixtures\/report\/no-route\.bpmn at "Which Environment" \(route\) after \S+: 1 done, 1 failed, 0 cancelled; run /m);
    expect(stderr).toContain('"Which Environment" (route)');
    expect(runs).toMatch(/^[0-9a-f-]{36} +failed +test\/fixtures\/report\/no-route\.ts +\S+ \S+ +1 done, 1 failed +\S+$/m);
    expect(show).toMatch(/^ +Which Environment \(route\) +\S+ +failed: exclusive gateway "Which Environment" \(route\) in \S*no-route\.bpmn: no outgoing flow/m);
    expect(view.summary).toMatchObject({ state: "failed", completed: 1, failed: 1, caught: 0 });
    expect(view.elements.route).toEqual({ ...none, failed: 1 });
    expect(view.failures).toMatchObject([{ elementId: "route", taskName: "Which Environment", caught: false }]);
    expect(view.failures[0].message).toContain("no outgoing flow condition holds");
  });
});

describe("a run that fails on a loop expression that throws", () => {
  it("names the looped element and counts it failed; the element is failed", async () => {
    const { code, stdout, runs, show, view } = await report("loop-fails.ts");
    expect(code).toBe(1);
    expect(stdout).toMatch(/^fail +Deploy \{loop\.value\}: expression `servers\.split\(","\)` on deploy failed: servers\.split is not a function$/m);
    expect(stdout).toMatch(/^failed test\/fixtures\/report\/loop-fails\.bpmn at "Deploy \{loop\.value\}" \(deploy\) after \S+: 1 done, 1 failed, 0 cancelled; run /m);
    expect(runs).toMatch(/^[0-9a-f-]{36} +failed +test\/fixtures\/report\/loop-fails\.ts +\S+ \S+ +1 done, 1 failed +\S+$/m);
    expect(show).toMatch(/^ +Deploy \{loop\.value\} \(deploy\) +\S+ +failed: expression `servers\.split\(","\)` on deploy failed/m);
    expect(view.summary).toMatchObject({ state: "failed", completed: 1, failed: 1, caught: 0 });
    expect(view.elements.deploy).toEqual({ ...none, failed: 1 });
    expect(view.failures).toMatchObject([{ elementId: "deploy", caught: false }]);
  });
});

describe("a run that fails inside a called process", () => {
  it("names the failing task, the process it is in and the call activity that called it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "adhesive-report-"));
    projects.push(dir);
    const { code, stderr } = await adhesive([fixture("report/called-fails.ts")], { ADHESIVE_RUNS_FOLDER: join(dir, "runs"), ADHESIVE_TEMP_FOLDER: join(dir, "temp"), NO_COLOR: "1" });
    expect(code).toBe(1);
    expect(stderr).toContain('process failed: task "Count stock" (Task_Count) in process "Check" (Process_Check) called by call activity "Check stock" (Call_Check) failed: the warehouse is closed');
  });
});
