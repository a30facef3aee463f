/*
 * The counts a run leaves for the live view (its view.json, the same
 * snapshot the page starts from): per element, per flow, its failures,
 * masked. (How a run is stopped and its diagram: test/live/.)
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, fromInbox } from "../../src/index.js";
import { registerSecret } from "../../src/secrets/redact.js";
import { liveRuns } from "../../src/live/registry.js";
import { readJournal } from "../../src/journal/reader.js";
import { summaryFromJournal } from "../../src/runs/summary.js";
import { taskLines } from "../../src/runs/task-lines.js";
import { until } from "../waiting.js";
import { fixture, runFolderOf, viewOf } from "../live/run-folder.js";

describe("the counts of a finished run", () => {
  it("has per element what ran, was caught and was cancelled, the flows taken, and the caught failure masked", async () => {
    registerSecret("hunter2-db-password");
    const adhesive = new Adhesive()
      .task({ re: /^Build / }, () => undefined)
      .task("Test", () => {
        throw new Error("cannot log in with hunter2-db-password");
      })
      .task(["Recover", "Publish"], () => undefined);
    const folder = await runFolderOf((tempFolder) =>
      adhesive.bpmnBuild(fixture("counts.bpmn"), { inbox: true, tempFolder, runsFolder: tempFolder, initialData: { platforms: ["linux", "macos", "windows"] } }),
    );
    const view = await viewOf(folder);
    // the failure of Test was caught by the boundary event of its sub-process: the run did not fail
    expect(view.summary).toMatchObject({ state: "done", tokens: 0, running: 0, waiting: 0, completed: 4, failed: 0, caught: 1 });
    // no message start events, so no event rate
    expect(view.summary).not.toHaveProperty("eventsPerSecond");
    const none = { tokens: 0, running: 0, waiting: 0, completed: 0, failed: 0, caught: 0, cancelled: 0 };
    expect(view.elements).toEqual({
      start: { ...none, completed: 1 },
      build: { ...none, completed: 3 },
      check: { ...none, cancelled: 1 },
      check_start: { ...none, completed: 1 },
      test: { ...none, caught: 1 },
      failed: { ...none, completed: 1 },
      recover: { ...none, completed: 1 },
      end_recovered: { ...none, completed: 1 },
    });
    // each loop iteration leaves on its own; the sub-process joins them; the happy path never ran
    expect(view.flows).toEqual({ f1: 1, f2: 3, c1: 1, f5: 1, f6: 1 });
    expect(view.failures).toMatchObject([{ elementId: "test", taskName: "Test", message: "cannot log in with ********", caught: true }]);
    expect(await readFile(join(folder, "view.json"), "utf8")).not.toContain("hunter2");
  });

  it("counts message events and their rate for a message process", async () => {
    const adhesive = new Adhesive()
      .message("Order", function* () {
        for (let id = 0; id < 500; id++) yield { id };
      })
      .message("Paid", fromInbox)
      .task(["Book Order", "Ship"], () => undefined);
    // every order waits for a payment nobody sends: the run is cancelled with them waiting
    const stop = new AbortController();
    let updates = 0;
    let watchedMs = 0;
    const folder = await runFolderOf(async (tempFolder) => {
      const done = adhesive.bpmnBuild(fixture("paid.bpmn"), { inbox: true, tempFolder, runsFolder: tempFolder, signal: stop.signal });
      const waiting = () => liveRuns().find((r) => r.runFolder.startsWith(tempFolder) && r.snapshot().elements.paid?.waiting === 500);
      await until(() => waiting() !== undefined, "500 orders waiting for payment");
      const subscribed = performance.now();
      waiting()!.subscribe(() => updates++);
      stop.abort(new Error("enough"));
      await done.catch(() => undefined);
      watchedMs = performance.now() - subscribed;
    });
    const view = await viewOf(folder);
    expect(view.summary).toMatchObject({ state: "cancelled", events: 500, tokens: 0, error: "run cancelled: enough" });
    expect(view.summary.eventsPerSecond).toBeGreaterThan(0);
    expect(view.elements.paid).toMatchObject({ tokens: 0, cancelled: 500 });
    expect(view.elements.book).toMatchObject({ completed: 500 });
    // one update for the subscriber's start and a few more, not one per token step: the 500 cancellations are
    // coalesced into updates at most every 100 ms while it was watched (the first at once), and one at the end
    expect(updates).toBeGreaterThanOrEqual(2);
    expect(updates).toBeLessThanOrEqual(3 + Math.ceil(watchedMs / 100));
    expect(updates).toBeLessThan(500);
  });
});

describe("an element that fails without a task function throwing", () => {
  it("is caught, not cancelled, when the boundary event of its sub-process catches it; the journal counts it caught", async () => {
    const adhesive = new Adhesive().task(["Deploy Prod", "Fall Back"], () => undefined);
    const folder = await runFolderOf((tempFolder) =>
      adhesive.bpmnBuild(fileURLToPath(new URL("../fixtures/report/caught-gateway.bpmn", import.meta.url)), { inbox: true, tempFolder, runsFolder: tempFolder, initialData: { env: "dev" } }),
    );
    const view = await viewOf(folder);
    expect(view.summary).toMatchObject({ state: "done", completed: 1, failed: 0, caught: 1 });
    expect(view.elements.route).toEqual({ tokens: 0, running: 0, waiting: 0, completed: 0, failed: 0, caught: 1, cancelled: 0 });
    expect(view.failures).toMatchObject([{ elementId: "route", taskName: "Which Environment", caught: true }]);
    const journal = await readJournal(join(folder, "journal.ndjson"));
    expect(summaryFromJournal(journal, process.cwd())).toMatchObject({ state: "done", done: 1, failed: 0, caught: 1 });
    expect(taskLines(journal, "done").map((line) => [line.elementId, line.outcome])).toEqual([
      ["route", "caught"],
      ["fallback", "done"],
    ]);
  });
});
