/*
 * A run as the live view and other processes see it (src/live/live-run.ts):
 * stopped by a signal or by a cancel on its control socket, its view says
 * what its journal says.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Adhesive, CancelledError, InterruptedError } from "../../src/index.js";
import { requestControl } from "../../src/inbox/control-client.js";
import { readJournal } from "../../src/journal/reader.js";
import { liveRuns } from "../../src/live/registry.js";
import { readSummary } from "../../src/runs/summary.js";
import { until } from "../waiting.js";
import { runFolderOf, viewOf } from "./run-folder.js";

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
