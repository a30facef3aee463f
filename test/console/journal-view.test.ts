/*
 * A run's journal as the console shows it: orders.bpmn run through the API
 * (a decision on stock, a card charge whose error a boundary event catches,
 * a payment message, a timer, an approval), then its journal read by the
 * console's follower, whole and as it grows.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Adhesive, scriptedUi } from "../../src/index.js";
import { elementPage, timelinePage } from "../../src/console/entries.js";
import { JournalFollower } from "../../src/console/journal-follower.js";
import { JournalView } from "../../src/console/journal-view.js";
import { journalViewOf } from "../../src/console/journal-views.js";
import { APPROVAL, orderTasks } from "../fixtures/console/order-tasks.js";

const ORDERS = fileURLToPath(new URL("../fixtures/console/orders.bpmn", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "adhesive-console-view-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function runOrder(runId: string, data: Record<string, unknown>): Promise<string> {
  const adhesive = new Adhesive();
  orderTasks(adhesive);
  await adhesive.bpmnBuild(ORDERS, { runId, runsFolder: folder, tempFolder: folder, initialData: data, ui: scriptedUi(APPROVAL) }).catch(() => undefined);
  return join(folder, runId);
}

/* the entries about tasks and the end, in order: messages arrive at times of their own */
const steps = (entries: Array<{ kind: string; elementId?: string }>) => entries.filter((e) => e.kind !== "message").map((e) => `${e.elementId ?? "-"} ${e.kind}`);

describe("a run's timeline", () => {
  it("lists what a shipped order did in journal order, the approval as an answer, with the data each task changed before and after", async () => {
    const { view } = await journalViewOf(await runOrder("shipped", { order: 1, stock: 5 }));
    const { entries } = timelinePage(view!, {});
    expect(steps(entries)).toEqual([
      "check started",
      "check completed",
      "charge started",
      "charge completed",
      "- timer",
      "approve started",
      "approve answered",
      "ship started",
      "ship completed",
      "- ended",
    ]);
    expect(entries.map((e) => e.i)).toEqual(entries.map((_, i) => i));
    expect(entries.find((e) => e.kind === "message")).toMatchObject({ elementId: "payment", name: "Payment Confirmed", value: { amount: 42 } });
    const ship = elementPage(view!, "ship", "done");
    expect(ship.executions).toHaveLength(1);
    expect(ship.executions[0]).toMatchObject({ outcome: "done", changes: [{ key: "shipped", after: true, removed: false }, { key: "checkedBy", before: "warehouse-7", removed: true }] });
    expect("before" in ship.executions[0].changes[0]).toBe(false);
    expect(elementPage(view!, "approve", "done").executions[0].changes).toEqual([
      { key: "approver", after: "ana", removed: false },
      { key: "approved", after: true, removed: false },
    ]);
    expect(elementPage(view!, "check", "done").executions[0].log).toBe("Check_Stock.1.log");
  });

  it("shows a card declined into its error boundary as caught, never failed", async () => {
    const { view } = await journalViewOf(await runOrder("declined", { order: 2, stock: 5, card: "declined" }));
    const { entries } = timelinePage(view!, {});
    expect(steps(entries)).toEqual(["check started", "check completed", "charge started", "charge caught", "notify started", "notify completed", "- ended"]);
    expect(entries.find((e) => e.kind === "caught")).toMatchObject({ text: "caught by an error boundary event", error: "card declined for order 2" });
    expect(entries.some((e) => e.kind === "failed")).toBe(false);
    expect(elementPage(view!, "charge", "done").executions[0]).toMatchObject({ outcome: "caught", error: "card declined for order 2" });
  });

  it("marks the gateway that failed the run, which has no task record of its own", async () => {
    const { view } = await journalViewOf(await runOrder("no-stock", { order: 3 }));
    const { entries } = timelinePage(view!, {});
    expect(steps(entries)).toEqual(["check started", "check completed", "in_stock failed", "- ended"]);
    expect(entries.find((e) => e.kind === "failed")).toMatchObject({ name: "In stock?", failedRun: true, error: "expression `stock > 0` on o3 failed: stock is not defined" });
    expect(view!.end).toMatchObject({ state: "failed", elementId: "in_stock" });
    expect(elementPage(view!, "in_stock", "failed").others.map((e) => e.kind)).toEqual(["failed"]);
  });

  it("shows a gateway's decision made by code", async () => {
    const adhesive = new Adhesive()
      .gateway("Route", (ctx) => (ctx.data.weight as number) > 10 ? "standard" : "express")
      .task("Send Express", () => undefined)
      .task("Send Standard", () => undefined);
    await adhesive.bpmnBuild(fileURLToPath(new URL("../fixtures/console/route.bpmn", import.meta.url)), { runId: "routed", runsFolder: folder, tempFolder: folder, initialData: { weight: 2 } });
    const { view } = await journalViewOf(join(folder, "routed"));
    const { entries } = timelinePage(view!, {});
    expect(steps(entries)).toEqual(["route started", "route decided", "express started", "express completed", "- ended"]);
    expect(entries[1]).toMatchObject({ name: "Route", value: "express", text: "decided: express" });
    expect(elementPage(view!, "route", "done").executions[0]).toMatchObject({ outcome: "done", decision: "express" });
  });

  it("filters the timeline by element and pages it", async () => {
    const { view } = await journalViewOf(join(folder, "shipped"));
    const charge = timelinePage(view!, { elementId: "charge" });
    expect(charge.entries.map((e) => e.kind)).toEqual(["started", "completed"]);
    expect(charge.elements.map((e) => e.id)).toEqual(["check", "payment", "charge", "approve", "ship"]);
    const all = timelinePage(view!, {}).entries;
    const second = timelinePage(view!, { offset: 2, limit: 3 });
    expect(second.entries).toEqual(all.slice(2, 5));
    expect(second.total).toBe(all.length);
  });
});

describe("a journal read as it grows", () => {
  const shipped = () => readFileSync(join(folder, "shipped", "journal.ndjson"));

  it("gives the same timeline read in pieces, a record cut in the middle included, as read whole", async () => {
    const whole = shipped();
    const file = join(folder, "growing.ndjson");
    const header = whole.indexOf(10) + 1;
    const cuts = [header, header + Math.floor((whole.length - header) / 2), whole.length - 7, whole.length];
    writeFileSync(file, "");
    const follower = new JournalFollower(file);
    let view: JournalView | undefined;
    let from = 0;
    const seen: number[] = [];
    for (const cut of cuts) {
      appendFileSync(file, whole.subarray(from, cut));
      from = cut;
      await follower.read((record, offset) => (offset === 0 ? (view = new JournalView(record)) : view!.add(record)));
      seen.push(view!.size);
    }
    const { view: read } = await journalViewOf(join(folder, "shipped"));
    expect(timelinePage(view!, {})).toEqual(timelinePage(read!, {}));
    // each read added what was whole by then, and a half-written record waited for its end
    expect(seen[0]).toBe(0);
    expect(seen[2]).toBeLessThan(seen[3]);
    expect(follower.problem).toBeUndefined();
  });

  it("starts again when the journal is replaced (a snapshot renames a new file over it)", async () => {
    const file = join(folder, "replaced.ndjson");
    writeFileSync(file, shipped());
    const follower = new JournalFollower(file);
    const headers: number[] = [];
    await follower.read((_, offset) => offset === 0 && headers.push(offset));
    const declined = readFileSync(join(folder, "declined", "journal.ndjson"));
    writeFileSync(`${file}.new`, declined);
    const { renameSync } = await import("node:fs");
    renameSync(`${file}.new`, file);
    let runId: unknown;
    expect(await follower.read((record, offset) => offset === 0 && (runId = record.run))).toBe("restart");
    expect(runId).toBe("declined");
    expect(headers).toEqual([0]);
  });

  it("stops at a changed byte and says where", async () => {
    const whole = Buffer.from(shipped());
    const second = whole.indexOf(10) + 1;
    whole[second + 3] = whole[second + 3] === 0x61 ? 0x62 : 0x61;
    const file = join(folder, "damaged.ndjson");
    writeFileSync(file, whole);
    const follower = new JournalFollower(file);
    let records = 0;
    await follower.read(() => records++);
    expect(records).toBe(1);
    expect(follower.problem).toMatch(new RegExp(`corrupt record at byte offset ${second}: its checksum does not match`));
  });
});
