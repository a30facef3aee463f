/*
 * The console's runs list: orders.bpmn and a linear process run through the
 * API into one runs folder, then listed, filtered and searched the way
 * `adhesive ui` serves them; a run folder is read again only when its
 * run.json or journal changed.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Adhesive, scriptedUi } from "../../src/index.js";
import { RunIndex } from "../../src/console/run-index.js";
import { registerSecret } from "../../src/secrets/redact.js";
import { runsList } from "../../src/web/runs-list.js";
import { APPROVAL, orderTasks } from "../fixtures/console/order-tasks.js";

const ORDERS = fileURLToPath(new URL("../fixtures/console/orders.bpmn", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "adhesive-console-index-"));
const places = { runsFolder: folder, project: process.cwd() };
/* a value the runs never read as a secret: the journal has it as it is, the console masks it */
const CARD = "tok-5551234-console";
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function runOrder(runId: string, data: Record<string, unknown>): Promise<void> {
  const adhesive = new Adhesive();
  orderTasks(adhesive);
  await adhesive.bpmnBuild(ORDERS, { runId, runsFolder: folder, tempFolder: folder, initialData: data, ui: scriptedUi(APPROVAL) }).catch(() => undefined);
}

beforeAll(async () => {
  await runOrder("a-shipped", { order: 1, stock: 5 });
  await runOrder("b-no-stock", { order: 3 });
  await runOrder("c-backordered", { order: 4, stock: 0, cardToken: CARD });
  await new Adhesive().task("Say Hello", (ctx) => void (ctx.data.greeting = "hello")).build({ runId: "d-greeting", runsFolder: folder, tempFolder: folder });
  registerSecret(CARD);
});

describe("the runs list of adhesive ui", () => {
  it("lists every run newest first with the states adhesive runs prints and its task counts", async () => {
    const { runs } = await runsList(places);
    expect(runs.map((r) => [r.id, r.processName, r.state, r.completed, r.failed])).toEqual([
      ["d-greeting", "linear build", "done", 1, 0],
      ["c-backordered", "Order", "done", 2, 0],
      ["b-no-stock", "Order", "failed", 1, 1],
      ["a-shipped", "Order", "done", 4, 0],
    ]);
  });

  it("filters by state and by process, and says how many runs are in each", async () => {
    const failed = await runsList(places, { state: "failed" });
    expect(failed.runs.map((r) => r.id)).toEqual(["b-no-stock"]);
    expect(failed.total).toBe(1);
    expect(failed.states).toEqual({ done: 3, failed: 1 });
    const order = failed.processes.find((p) => p.name === "Order")!;
    expect(order.runs).toBe(3);
    expect((await runsList(places, { process: order.id })).runs.map((r) => r.id)).toEqual(["c-backordered", "b-no-stock", "a-shipped"]);
    expect((await runsList(places, { state: "done", process: order.id, limit: 1, offset: 1 })).runs.map((r) => r.id)).toEqual(["a-shipped"]);
  });

  it("searches ids, errors and data, never a secret's value", async () => {
    const ids = async (q: string) => (await runsList(places, { q })).runs.map((r) => r.id);
    expect(await ids("NO-STOCK")).toEqual(["b-no-stock"]);
    expect(await ids("is not defined")).toEqual(["b-no-stock"]);
    // the result of the shipped order, the initial data of the backordered one
    expect(await ids('"approver":"ana"')).toEqual(["a-shipped"]);
    expect(await ids('"order":4')).toEqual(["c-backordered"]);
    expect(await ids("tok-5551234")).toEqual([]);
    expect(await ids("backorder paid with card ********")).toEqual(["c-backordered"]);
  });
});

describe("the run index", () => {
  it("reads a run folder again only when its run.json or journal changed size or time", async () => {
    const index = new RunIndex(folder, process.cwd());
    const name = async () => (await index.runs()).runs.find((r) => r.id === "a-shipped")!.summary.processName;
    const file = join(folder, "a-shipped", "run.json");
    // a time file systems keep exactly
    const mtime = new Date(Math.floor(statSync(file).mtimeMs / 1000) * 1000);
    const atime = mtime;
    utimesSync(file, atime, mtime);
    expect(await name()).toBe("Order");
    // the same size, in place, with its old time: a read would see the new name
    const renamed = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const { crc32 } = await import("../../src/journal/crc32.js");
    delete renamed.checksum;
    renamed.processName = "Xrder";
    const checksum = crc32(Buffer.from(JSON.stringify(renamed))).toString(16).padStart(8, "0");
    writeFileSync(file, `${JSON.stringify({ ...renamed, checksum }, null, 2)}\n`);
    utimesSync(file, atime, mtime);
    expect(await name()).toBe("Order");
    utimesSync(file, atime, new Date(mtime.getTime() + 1000));
    expect(await name()).toBe("Xrder");
  });

  it("forgets a run whose folder is gone", async () => {
    const index = new RunIndex(folder, process.cwd());
    expect((await index.runs()).runs.map((r) => r.id)).toContain("d-greeting");
    rmSync(join(folder, "d-greeting"), { recursive: true });
    expect((await index.runs()).runs.map((r) => r.id)).not.toContain("d-greeting");
  });
});
