/*
 * A message-started run's instances as the console reads them from its
 * journal: signups.bpmn run through the API with four signups (welcomed,
 * rejected, a taken name caught and a suggestion made, welcomed), one that
 * fails at the third, and one whose valid signups wait for a confirmation
 * that never comes. Each instance is listed with its event, state, tasks
 * and duration, a page at a time; its path is the elements its tasks ran
 * at; its timeline is its own entries; its data is its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { timelinePage } from "../../src/console/entries.js";
import { instanceData, instanceDetail, instancesPage } from "../../src/console/instances.js";
import { journalViewOf } from "../../src/console/journal-views.js";
import { runViews } from "../../src/console/run-views.js";
import type { JournalView } from "../../src/console/journal-view.js";
import { signupTasks, SIGNUPS } from "../fixtures/console/signup-tasks.js";
import { until } from "../waiting.js";

const SIGNUP_FILE = fileURLToPath(new URL("../fixtures/console/signups.bpmn", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "adhesive-console-instances-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function signups(runId: string, data: Record<string, unknown>, signal?: AbortSignal): Promise<JournalView> {
  const adhesive = new Adhesive();
  signupTasks(adhesive);
  await adhesive.bpmnBuild(SIGNUP_FILE, { runId, runsFolder: folder, tempFolder: folder, initialData: data, signal }).catch(() => undefined);
  return (await journalViewOf(join(folder, runId))).view!;
}

const states = (view: JournalView, run: Parameters<typeof instancesPage>[1]) => Object.fromEntries(instancesPage(view, run, {}).instances.map((instance) => [instance.number, instance.state]));

describe("a message run's instances", () => {
  it("are its message events in the order the run took them, each with its event, state, task count and duration", async () => {
    const view = await signups("done", { plan: "pro" });
    const page = instancesPage(view, "done", {});
    expect(page.total).toBe(4);
    expect(page.states).toEqual({ done: 4 });
    expect(page.instances.map((i) => [i.number, i.elementId, i.state, i.tasks, i.caught, i.event])).toEqual([
      [1, "signup", "done", 3, 0, "name: ana, email: ana@example.org"],
      [2, "signup", "done", 2, 0, "name: bo, email: bo-at-example.org"],
      [3, "signup", "done", 3, 1, "name: taken, email: taken@example.org"],
      [4, "signup", "done", 3, 0, "name: cy, email: cy@example.org"],
    ]);
    for (const instance of page.instances) expect(instance.durationMs).toBe(instance.endedAt! - instance.startedAt);
  });

  it("are listed a page at a time, and by state", async () => {
    const view = (await journalViewOf(join(folder, "done"))).view!;
    expect(instancesPage(view, "done", { offset: 2, limit: 1 }).instances.map((i) => i.number)).toEqual([3]);
    expect(instancesPage(view, "done", { offset: 3 }).instances.map((i) => i.number)).toEqual([4]);
    expect(instancesPage(view, "done", { state: "failed" })).toMatchObject({ total: 0, instances: [], states: { done: 4 } });
  });

  it("each have their own path: the message start event and the elements their tasks ran at", async () => {
    const view = (await journalViewOf(join(folder, "done"))).view!;
    const path = (n: number) => instanceDetail(view, n, "done")!.path.map((step) => step.elementId);
    expect(path(1)).toEqual(["signup", "check", "create", "welcome"]);
    expect(path(2)).toEqual(["signup", "check", "reject"]);
    expect(path(3)).toEqual(["signup", "check", "create", "suggest"]);
    expect(instanceDetail(view, 5, "done")).toBeUndefined();
  });

  it("each have their own timeline: the message that started it, its tasks, its end", async () => {
    const view = (await journalViewOf(join(folder, "done"))).view!;
    const { entries, total } = timelinePage(view, { instance: 3 });
    expect(entries.map((e) => `${e.elementId ?? "-"} ${e.kind}`)).toEqual([
      "signup instance",
      "check started",
      "check completed",
      "create started",
      "create caught",
      "suggest started",
      "suggest completed",
      "- instance-ended",
    ]);
    expect(total).toBe(entries.length);
    expect(entries.every((e) => e.instance === 3)).toBe(true);
    expect(entries[0].text).toBe("a message started instance 3");
    // by element and instance at once
    expect(timelinePage(view, { instance: 3, elementId: "create" }).entries.map((e) => e.kind)).toEqual(["started", "caught"]);
  });

  it("each have their own data, and a task's change says what the key held before in its own instance", async () => {
    const view = (await journalViewOf(join(folder, "done"))).view!;
    const data = (n: number) => Object.fromEntries([...instanceData(view, n)!].map(([key, value]) => [key, "j" in value ? value.j : "v" in value ? value.v : value]));
    expect(data(4)).toEqual({ plan: "pro", ...SIGNUPS[3], event: SIGNUPS[3], valid: true, account: { id: "acc-cy", plan: "pro", tags: ["new"] }, welcomed: true });
    expect(data(2)).toEqual({ plan: "pro", ...SIGNUPS[1], event: SIGNUPS[1], valid: false, rejected: "no valid email: bo-at-example.org" });
    // instance 4's account is its first: another instance's account is not what it held before
    const created = timelinePage(view, { instance: 4, elementId: "create" }).entries.find((e) => e.kind === "completed")!;
    expect(created.changes).toEqual([{ key: "account", after: { id: "acc-cy", plan: "pro", tags: ["new"] }, removed: false }]);
  });

  it("of a failed run: the instance whose task failed is failed, the others done or cancelled with the run", async () => {
    const view = await signups("failed", { failOn: "taken" });
    const byNumber = states(view, "failed");
    expect(byNumber[3]).toBe("failed");
    for (const n of [1, 2, 4]) expect(["done", "cancelled"]).toContain(byNumber[n]);
    expect(instancesPage(view, "failed", {}).instances[2]).toMatchObject({ number: 3, failed: 1, tasks: 1 });
  });

  it("of a run failed by a gateway: the instance whose gateway had no flow to take is failed, its failure in its own timeline", async () => {
    const view = await signups("gateway", { undecidedOn: "bo" });
    expect(view.end).toMatchObject({ state: "failed", elementId: "valid" });
    const byNumber = states(view, "failed");
    expect(byNumber[2]).toBe("failed");
    for (const n of [1, 3, 4]) expect(["done", "cancelled"]).toContain(byNumber[n]);
    const page = instancesPage(view, "failed", { state: "failed" });
    expect(page).toMatchObject({ total: 1, instances: [{ number: 2, failed: 1, tasks: 1 }] });
    expect(page.states.failed).toBe(1);
    expect(timelinePage(view, { instance: 2 }).entries.map((e) => `${e.elementId ?? "-"} ${e.kind}${e.failedRun ? " (the run)" : ""}`)).toEqual([
      "signup instance",
      "check started",
      "check completed",
      "valid failed (the run)",
    ]);
  });

  it("wait while no task of theirs runs and they have not ended; a run cancelled then has them cancelled", async () => {
    const stop = new AbortController();
    const running = signups("waiting", { confirm: false }, stop.signal);
    let view: JournalView | undefined;
    await until(async () => {
      view = (await journalViewOf(join(folder, "waiting"))).view;
      return view !== undefined && JSON.stringify(states(view, "running")) === JSON.stringify({ 1: "waiting", 2: "done", 3: "done", 4: "waiting" });
    }, "ana and cy waiting for a confirmation");
    stop.abort();
    view = await running;
    expect(states(view, "cancelled")).toEqual({ 1: "cancelled", 2: "done", 3: "done", 4: "cancelled" });
    // an interrupted run can be resumed: its waiting instances are interrupted, not cancelled
    expect(states(view, "interrupted")).toEqual({ 1: "interrupted", 2: "done", 3: "done", 4: "interrupted" });
  });
});

describe("the API's instance views", () => {
  const viewed = (runId: string) => ({ journal: (options?: { partial?: boolean }) => journalViewOf(join(folder, runId), options), runState: () => "done" as const });

  it("answers a page, an instance, and 404 for one the journal does not have", async () => {
    expect(await runViews(viewed("done"), "instances", undefined, new URLSearchParams("state=done&limit=2"))).toMatchObject({ total: 4, instances: [{ number: 1 }, { number: 2 }] });
    expect(await runViews(viewed("done"), "instances", "2", new URLSearchParams())).toMatchObject({ instance: { number: 2, event: "name: bo, email: bo-at-example.org" } });
    await expect(runViews(viewed("done"), "instances", "9", new URLSearchParams())).rejects.toMatchObject({ code: "ADHESIVE_NO_SUCH_INSTANCE", status: 404 });
    await expect(runViews(viewed("done"), "variables", undefined, new URLSearchParams("instance=9"))).rejects.toMatchObject({ code: "ADHESIVE_NO_SUCH_INSTANCE", status: 404 });
  });

  it("refuses a variables path that is not a JSON array of keys and positions", async () => {
    await expect(runViews(viewed("done"), "variables", undefined, new URLSearchParams("path=account"))).rejects.toMatchObject({ code: "ADHESIVE_BAD_REQUEST", status: 400 });
    await expect(runViews(viewed("done"), "variables", undefined, new URLSearchParams(`path=${encodeURIComponent("[-1]")}`))).rejects.toMatchObject({ code: "ADHESIVE_BAD_REQUEST" });
  });
});
