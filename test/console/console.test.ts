/*
 * `adhesive ui` as an operator uses it: the real CLI runs orders.ts four
 * times (shipped, card declined and caught, no stock figure so the gateway
 * fails, backordered with a card token in its data) and greet.ts once into
 * a project's runs folder; then `adhesive ui` serves them, with no run in
 * progress, and Debian's chromium opens the URL it printed. The list shows
 * each run's state and filters; a run's page shows its timeline in journal
 * order and an element's executions with the data they changed; a caught
 * error is caught, a failed gateway is marked, a secret is masked.
 * `UPDATE_SCREENSHOTS=1 npx vitest run test/console/console.test.ts`
 * writes the screenshots to docs/console-*.png.
 */
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Browser } from "../web/browser.js";
import { startCli, type CliRun } from "../web/cli-run.js";
import { until } from "../waiting.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/console/${name}`, import.meta.url));
/* the screenshots: into docs/ for the README with UPDATE_SCREENSHOTS=1, else beside the runs (a run of the suite changes no tracked file) */
const docs = (name: string) => (process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)) : join(project, name));
/* a card token kept as a project secret; the runs never read it, so their journals hold it as it is */
const CARD = "tok-5551234-console";

const project = mkdtempSync(join(tmpdir(), "adhesive-console-"));
const ids: Record<"shipped" | "declined" | "noStock" | "backordered" | "greeting" | "waiting", string> = { shipped: "", declined: "", noStock: "", backordered: "", greeting: "", waiting: "" };
let waiting: CliRun;
let ui: CliRun;
let url: string;
let browser: Browser;

/** One CLI run in the project, to its end; its run id, from the line it finishes with. */
async function run(file: string, data: Record<string, unknown>): Promise<string> {
  const cli = startCli([fixture(file), "--data", JSON.stringify(data)], project);
  await cli.exited;
  const found = /run ([0-9a-f-]{36})/.exec(cli.stdout() + cli.stderr());
  if (found === null) throw new Error(`no run id in the output of ${file}:\n${cli.stdout()}\n${cli.stderr()}`);
  return found[1];
}

beforeAll(async () => {
  mkdirSync(join(project, ".adhesive", "secrets"), { recursive: true });
  writeFileSync(join(project, ".adhesive", "secrets", "card_token"), `${CARD}\n`, { mode: 0o600 });
  ids.shipped = await run("orders.ts", { order: 1, stock: 5 });
  ids.declined = await run("orders.ts", { order: 2, stock: 5, card: "declined" });
  ids.noStock = await run("orders.ts", { order: 3 });
  ids.backordered = await run("orders.ts", { order: 4, stock: 0, cardToken: CARD });
  ids.greeting = await run("greet.ts", { name: "ana" });
  // one that is still running, its task waiting
  waiting = startCli([fixture("waiting.ts")], project);
  ids.waiting = await waiting.runId();
  await waiting.waitFor(/run\s+Wait For Stock/);
  // HOME: the user's secrets are read too; this project's stand in for them
  ui = startCli(["ui"], project, { HOME: project });
  [, url] = await ui.waitFor(/console: (http:\S+)/);
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  ui?.child.kill("SIGKILL");
  waiting?.child.kill("SIGKILL");
  rmSync(project, { recursive: true, force: true });
});

async function openPage(path = ""): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto(path === "" ? url : new URL(path, url).href + new URL(url).search);
  return page;
}

/** The runs the list shows, as run id -> state (read at once: the list is redrawn every 2 s). */
async function listed(page: Page): Promise<Record<string, string>> {
  const rows = await page.locator("#run-table tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.getAttribute("data-run")!, tr.querySelector("td.state")!.textContent!]));
  return Object.fromEntries(rows);
}

async function listShows(page: Page, expected: string[]): Promise<void> {
  await until(async () => JSON.stringify(Object.keys(await listed(page)).sort()) === JSON.stringify([...expected].sort()), `the list to show ${expected.join(", ") || "no run"}`);
}

describe("adhesive ui: the runs list", () => {
  it("lists every run of the project with the state adhesive runs gives it", async () => {
    const page = await openPage();
    await listShows(page, Object.values(ids));
    expect(await listed(page)).toEqual({ [ids.shipped]: "done", [ids.declined]: "done", [ids.noStock]: "failed", [ids.backordered]: "done", [ids.greeting]: "done", [ids.waiting]: "running" });
    // run, process, state, started, duration, done, failed, caught, in flight
    const counts = await page.locator(`#run-table tr[data-run="${ids.declined}"]`).evaluate((tr) => [...tr.querySelectorAll("td")].slice(5).map((td) => td.textContent));
    expect(counts).toEqual(["2", "0", "1", "0"]);
    expect(await page.textContent("#runs-count")).toBe("6 runs");
    await page.setViewportSize({ width: 1000, height: 330 });
    await page.screenshot({ path: docs("console-runs.png") });
    await page.close();
  });

  it("filters by state, by process and by a text in ids, errors and data, but not by a secret", async () => {
    const page = await openPage();
    await listShows(page, Object.values(ids));
    await page.selectOption("#state-filter", "failed");
    await listShows(page, [ids.noStock]);
    expect(page.url()).toContain("state=failed");
    await page.selectOption("#state-filter", "");
    await page.selectOption("#process-filter", "order");
    await listShows(page, [ids.shipped, ids.declined, ids.noStock, ids.backordered]);
    await page.selectOption("#process-filter", "");
    await page.fill("#search", "declined");
    await listShows(page, [ids.declined]);
    await page.fill("#search", ids.greeting.slice(0, 8));
    await listShows(page, [ids.greeting]);
    await page.fill("#search", "stock is not defined");
    await listShows(page, [ids.noStock]);
    await page.fill("#search", CARD);
    await listShows(page, []);
    expect(await page.textContent("#runs-count")).toBe("0 of 6 runs match");
    await page.close();
  });
});

/* a journal's records as the timeline names them, in the file's order */
function journalKinds(id: string): string[] {
  const lines = readFileSync(join(project, "runs", id, "journal.ndjson"), "utf8").trim().split("\n").slice(1);
  const kinds: string[] = [];
  for (const line of lines) {
    const record = JSON.parse(line.slice(0, line.lastIndexOf("\t"))) as { t: string; n?: string; s?: number };
    const kind = { s: "started", d: "completed", f: "failed", tm: "timer", dl: "message", em: "instance", end: "ended" }[record.t];
    if (kind !== undefined) kinds.push(kind);
  }
  return kinds;
}

describe("adhesive ui: a run's page", () => {
  it("shows the run's timeline in journal order, filterable by element", async () => {
    const page = await openPage();
    await page.click(`#run-table tr[data-run="${ids.shipped}"] a`);
    const rows = page.locator("#timeline-entries tbody tr");
    await rows.last().waitFor();
    await until(async () => (await rows.count()) === journalKinds(ids.shipped).length, "every journal entry in the timeline");
    const kinds = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-kind")!));
    // the approval is an answer on the page, a "d" record in the journal
    expect(kinds.map((kind) => (kind === "answered" ? "completed" : kind))).toEqual(journalKinds(ids.shipped));
    expect(kinds.filter((kind) => kind !== "message" && kind !== "timer")).toEqual(["started", "completed", "started", "completed", "started", "answered", "started", "completed", "ended"]);
    const elements = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-element") ?? "").filter((id) => id !== "payment" && id !== ""));
    expect(elements).toEqual(["check", "check", "charge", "charge", "approve", "approve", "ship", "ship"]);
    await page.locator('.djs-element.ad-done[data-element-id="ship"]').waitFor();
    await page.screenshot({ path: docs("console-timeline.png") });
    await page.selectOption("#timeline-element", "charge");
    await until(async () => (await rows.count()) === 2, "the timeline of Charge Card alone");
    expect(await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute("data-element")} ${tr.getAttribute("data-kind")}`))).toEqual(["charge started", "charge completed"]);
    await page.close();
  });

  it("lists an element's executions with the data each changed, before and after, when it is clicked", async () => {
    const page = await openPage(`/runs/${ids.shipped}`);
    const change = (key: string) => page.locator(`#details table.changes tr[data-key="${key}"] td`);
    await page.locator('.djs-element[data-element-id="approve"]').click();
    await page.locator('#details table.changes tr[data-key="approver"]').waitFor();
    expect(await change("approver").allTextContents()).toEqual(["approver", "not set", '"ana"']);
    await page.locator('.djs-element[data-element-id="ship"]').click();
    const execution = page.locator("#details li.execution");
    await page.locator("#details h2", { hasText: "Ship Order" }).waitFor();
    await execution.waitFor();
    expect(await execution.count()).toBe(1);
    expect(await execution.locator(".outcome").textContent()).toBe("done");
    expect(await change("shipped").allTextContents()).toEqual(["shipped", "not set", "true"]);
    expect(await change("checkedBy").allTextContents()).toEqual(["checkedBy", '"warehouse-7"', "removed"]);
    await page.screenshot({ path: docs("console-executions.png") });
    // a click on a timeline entry selects its element
    await page.locator('#timeline-entries tr[data-element="check"]').first().click();
    await page.locator("#details h2", { hasText: "Check Stock" }).waitFor();
    await page.close();
  });

  it("shows a card declined into its error boundary as caught, never as failed", async () => {
    const page = await openPage(`/runs/${ids.declined}`);
    await page.locator('.djs-element.ad-caught[data-element-id="charge"]').waitFor();
    expect(await page.locator(".djs-element.ad-failed").count()).toBe(0);
    await page.locator('#timeline-entries tr[data-kind="caught"][data-element="charge"]').waitFor();
    expect(await page.locator('#timeline-entries tr[data-kind="failed"]').count()).toBe(0);
    await page.locator('.djs-element[data-element-id="charge"]').click();
    await page.locator("#details li.execution.outcome-caught", { hasText: "card declined for order 2" }).waitFor();
    await page.close();
  });

  it("marks the gateway that failed the run, with a summary that wraps above the diagram, never over it", async () => {
    const page = await openPage(`/runs/${ids.noStock}`);
    await page.locator('.djs-element.ad-failed[data-element-id="in_stock"]').waitFor();
    await page.locator('#timeline-entries tr.failed-run[data-element="in_stock"]').waitFor();
    await page.setViewportSize({ width: 520, height: 700 });
    const summary = (await page.locator("#summary").boundingBox())!;
    const canvas = (await page.locator("#canvas").boundingBox())!;
    expect(summary.y + summary.height).toBeLessThanOrEqual(canvas.y);
    expect(await page.locator("#summary").evaluate((box) => box.scrollWidth <= box.clientWidth)).toBe(true);
    expect(await page.textContent("#summary .error")).toContain("stock is not defined");
    await page.close();
  });

  it("masks a secret the run's data holds", async () => {
    const page = await openPage(`/runs/${ids.backordered}`);
    await page.locator('.djs-element[data-element-id="backorder"]').click();
    const note = page.locator('#details table.changes tr[data-key="note"] td');
    await note.first().waitFor();
    expect(await note.allTextContents()).toEqual(["note", "not set", '"backorder paid with card ********"']);
    expect(await page.content()).not.toContain(CARD);
    expect(readFileSync(join(project, "runs", ids.backordered, "journal.ndjson"), "utf8")).toContain(CARD);
    await page.close();
    expect(browser.outside).toEqual([]);
  });
});

describe("adhesive ui: a run of another process", () => {
  it("shows a running run's task running, and the run interrupted once its runner died", async () => {
    const page = await openPage(`/runs/${ids.waiting}`);
    await page.locator(".djs-element.ad-running").waitFor();
    expect(await page.textContent('#summary dd[data-field="state"]')).toBe("running");
    await page.locator('#timeline-entries tr[data-kind="started"]').waitFor();
    waiting.child.kill("SIGKILL");
    await waiting.exited;
    const list = await openPage();
    await until(async () => (await listed(list))[ids.waiting] === "interrupted", "the run whose runner died to be listed as interrupted");
    // the open page reads the run again while it says running
    await page.locator('#summary dd[data-field="state"]', { hasText: "interrupted" }).waitFor();
    const task = await page.locator('#timeline-entries tr[data-kind="started"]').getAttribute("data-element");
    await page.locator(`.djs-element[data-element-id="${task}"]`).click();
    await page.locator("#details li.execution .outcome", { hasText: "interrupted" }).waitFor();
    expect(await page.locator(".djs-element.ad-running").count()).toBe(0);
    await page.close();
    await list.close();
  });
});

describe("adhesive ui: stopping", () => {
  it("stops on SIGTERM, leaving no process behind", async () => {
    ui.child.kill("SIGTERM");
    expect(await ui.exited).toBe(0);
    const left = readdirSync("/proc").filter((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        return readlinkSync(`/proc/${pid}/cwd`).startsWith(project);
      } catch {
        return false;
      }
    });
    expect(left).toEqual([]);
  });
});
