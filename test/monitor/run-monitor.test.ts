/*
 * The counts a run leaves for the live view (its view.json, the same
 * snapshot the page starts from): per element, per flow, its failures,
 * masked; and the diagram of a process built in code.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Adhesive, CancelledError, fromInbox, InterruptedError, loadBpmn } from "../../src/index.js";
import { requestControl } from "../../src/inbox/control-client.js";
import { readSummary } from "../../src/runs/summary.js";
import { registerSecret } from "../../src/secrets/redact.js";
import { diagramOf } from "../../src/live/diagram.js";
import { liveRuns } from "../../src/live/registry.js";
import type { MonitorUpdate } from "../../src/monitor/run-monitor.js";
import { readJournal } from "../../src/journal/reader.js";
import { summaryFromJournal } from "../../src/runs/summary.js";
import { taskLines } from "../../src/runs/task-lines.js";
import { until } from "../waiting.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/live/${name}`, import.meta.url));

let folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  folders = [];
});

async function runFolderOf(run: (tempFolder: string) => Promise<unknown>): Promise<string> {
  const temp = await mkdtemp(join(tmpdir(), "adhesive-monitor-"));
  folders.push(temp);
  await run(temp);
  const [id] = await readdir(temp);
  return join(temp, id);
}

const viewOf = async (folder: string) => JSON.parse(await readFile(join(folder, "view.json"), "utf8")) as MonitorUpdate;

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

describe("a run that is stopped", () => {
  /* a run of payment.bpmn held at Charge Card until it is stopped: its folder and the outcome it rejects with */
  async function stopped(stop: (folder: string) => Promise<unknown>): Promise<{ folder: string; outcome: unknown }> {
    let outcome: unknown;
    const adhesive = new Adhesive().task(["Reserve Stock", "Ship Order"], () => undefined).task("Charge Card", (ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))));
    const folder = await runFolderOf(async (tempFolder) => {
      const run = adhesive.bpmnBuild(fileURLToPath(new URL("../fixtures/console/payment.bpmn", import.meta.url)), { inbox: true, tempFolder, runsFolder: tempFolder, signal: stopSignal.signal });
      const live = () => liveRuns().find((r) => r.runFolder.startsWith(tempFolder) && r.snapshot().elements.charge?.running === 1);
      await until(() => live() !== undefined, "the run to reach Charge Card");
      await stop(live()!.runFolder);
      outcome = await run.catch((error: unknown) => error);
    });
    return { folder, outcome };
  }
  let stopSignal = new AbortController();
  afterEach(() => void (stopSignal = new AbortController()));

  it("by a signal is interrupted in its view, as in its journal (it can be resumed)", async () => {
    const { folder, outcome } = await stopped(async () => stopSignal.abort(new InterruptedError("SIGTERM")));
    expect(outcome).toBeInstanceOf(InterruptedError);
    expect((await viewOf(folder)).summary).toMatchObject({ state: "interrupted", error: "run interrupted: SIGTERM received" });
    expect((await readJournal(join(folder, "journal.ndjson"))).end).toMatchObject({ state: "interrupted" });
  });

  it("by a cancel on its control socket is cancelled, for good, in its view and its journal", async () => {
    const { folder, outcome } = await stopped(async (runFolder) => {
      const { control } = (await readSummary(runFolder))!;
      expect(await requestControl(control!, { op: "cancel" }, "the run")).toEqual({ cancelling: true });
    });
    expect(outcome).toBeInstanceOf(CancelledError);
    expect(outcome).not.toBeInstanceOf(InterruptedError);
    expect((await viewOf(folder)).summary).toMatchObject({ state: "cancelled", error: "run cancelled: with adhesive cancel" });
    expect((await readJournal(join(folder, "journal.ndjson"))).end).toMatchObject({ state: "cancelled", error: "run cancelled: with adhesive cancel" });
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

describe("the diagram of a run", () => {
  it("is the builder's export layout for a process built in code", async () => {
    const adhesive = new Adhesive().task(["Checkout", "Build", "Deploy"], () => undefined);
    const folder = await runFolderOf((tempFolder) => adhesive.processStart().task("Checkout").task("Build").task("Deploy").processEnd().build({ inbox: true, tempFolder, runsFolder: tempFolder }));
    const xml = await diagramOf(folder);
    expect(xml).toMatch(/BPMNShape/);
    for (const name of ["Checkout", "Build", "Deploy"]) expect(xml).toContain(`name="${name}"`);
  });

  it("is the file's own diagram when it has one, else a layout of it", async () => {
    const adhesive = new Adhesive().task(["Prepare Order", "Ship Order"], () => undefined).usertask("Approve Order", () => undefined).message("Payment Received", fromInbox);
    const drawn = await readFile(fixture("order.bpmn"), "utf8");
    const folder = await runFolderOf(async (tempFolder) => {
      const definition = await loadBpmn(fixture("order.bpmn"));
      // only the diagram matters here: the run is cancelled at once
      await adhesive.run(definition, { inbox: true, tempFolder, runsFolder: tempFolder, signal: AbortSignal.abort() }).catch(() => undefined);
    });
    expect(await diagramOf(folder)).toBe(drawn);
    const undrawn = await runFolderOf((tempFolder) =>
      new Adhesive().message("Order", () => []).message("Paid", fromInbox).task(["Book Order", "Ship"], () => undefined).bpmnBuild(fixture("paid.bpmn"), { inbox: true, tempFolder, runsFolder: tempFolder }),
    );
    const laidOut = await diagramOf(undrawn);
    for (const id of ["order", "book", "paid", "ship"]) expect(laidOut).toContain(`bpmnElement="${id}"`);
  });

  it("of a run with neither a live view nor an inbox, which kept no copy, is a layout of the definition in its journal", async () => {
    const folder = await runFolderOf((tempFolder) => new Adhesive().task(["Book Order", "Ship"], () => undefined).message("Order", () => [{ id: 1 }]).message("Paid", () => []).bpmnBuild(fixture("paid.bpmn"), { tempFolder, runsFolder: tempFolder }).catch(() => undefined));
    expect(await readdir(folder)).not.toContain("definition.json");
    const laidOut = await diagramOf(folder);
    for (const id of ["order", "book", "paid", "ship"]) expect(laidOut).toContain(`bpmnElement="${id}"`);
  });
});
