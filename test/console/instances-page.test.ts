/*
 * A message-started run on the console's page, as an operator uses it: the
 * real CLI runs signups.ts (four signups, each its own instance: welcomed,
 * rejected, a taken name caught and a suggestion made, welcomed), a failed
 * one (the mail server refuses the third) and one whose instances wait for
 * their confirmation; `adhesive ui` serves them and Debian's chromium opens
 * the pages. The instance list matches the journal's message events; a
 * click on an instance marks its own path and leaves only its entries in
 * the timeline; a failed run opens zoomed on the element that failed, and
 * the instance it failed in is failed, a gateway's too (which has no task
 * record: the console knows it from the journal's order); a
 * page that gets hundreds of updates at once draws a few times.
 * `UPDATE_SCREENSHOTS=1 npx vitest run test/console/instances-page.test.ts`
 * writes docs/console-instances.png.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Browser } from "../web/browser.js";
import { adhesiveIn, startCli, type CliRun } from "../web/cli-run.js";
import { until } from "../waiting.js";
import { perTask } from "../journal/journal-records.js";

const fixture = fileURLToPath(new URL("../fixtures/console/signups.ts", import.meta.url));
const project = mkdtempSync(join(tmpdir(), "adhesive-instances-"));
const docs = (name: string) => (process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)) : join(project, name));
const ids = { done: "", failed: "", gateway: "", waiting: "" };
let waiting: CliRun;
let ui: CliRun;
let url: string;
let browser: Browser;

async function run(data: Record<string, unknown>): Promise<string> {
  const cli = startCli([fixture, "--data", JSON.stringify(data)], project);
  await cli.exited;
  const found = /run ([0-9a-f-]{36})/.exec(cli.stdout() + cli.stderr());
  if (found === null) throw new Error(`no run id in the output:\n${cli.stdout()}\n${cli.stderr()}`);
  return found[1];
}

beforeAll(async () => {
  // no confirmations: the valid signups wait at "Email Confirmed" until adhesive send
  waiting = startCli([fixture, "--data", '{"confirm": false}'], project);
  ui = startCli(["ui"], project, { HOME: project });
  [ids.done, ids.failed, ids.gateway, ids.waiting, [, url], browser] = await Promise.all([
    run({ plan: "pro" }),
    run({ failOn: "taken" }),
    // bo's check leaves "Valid email?" no flow to take: the gateway fails the run
    run({ undecidedOn: "bo" }),
    waiting.waitFor(/wait\s+for message Email Confirmed/).then(() => waiting.runId()),
    ui.waitFor(/console: (http:\S+)/),
    openBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  ui?.child.kill("SIGKILL");
  waiting?.child.kill("SIGKILL");
  rmSync(project, { recursive: true, force: true });
});

async function openRun(id: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto(`${new URL(`/runs/${id}`, url).href}${new URL(url).search}`);
  return page;
}

type JournalRecord = { t: string; i?: number; s?: number; n?: string; e?: { j: unknown } };

/* a run's journal records after its header, one per task (perTask) */
function journal(id: string): JournalRecord[] {
  const lines = readFileSync(join(project, "runs", id, "journal.ndjson"), "utf8").trim().split("\n").slice(1);
  return perTask(lines.map((line) => JSON.parse(line.slice(0, line.lastIndexOf("\t"))) as JournalRecord));
}

/* what the timeline shows of instance n, from the journal: its message, its tasks' starts and ends (by their numbers; a failure an error boundary caught is caught), its end */
function instanceKinds(id: string, n: number): string[] {
  const seqs = new Set<number>();
  const kinds: string[] = [];
  for (const record of journal(id)) {
    if (record.t === "s" && record.i === n) seqs.add(record.s!);
    const mine = record.i === n || (record.s !== undefined && seqs.has(record.s));
    if (!mine) continue;
    if (record.t === "caught") kinds[kinds.lastIndexOf("failed")] = "caught";
    const kind = { em: "instance", ie: "instance-ended", s: "started", d: "completed", f: "failed" }[record.t];
    if (kind !== undefined) kinds.push(kind);
  }
  return kinds;
}

const rowsOf = (page: Page) => page.locator("#instance-rows tbody tr");

async function instanceRows(page: Page): Promise<string[][]> {
  return rowsOf(page).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent!)));
}

describe("a message run's instances", () => {
  it("are listed as the journal's message events started them, each with its state, tasks and event", async () => {
    const page = await openRun(ids.done);
    await until(async () => (await rowsOf(page).count()) === 4, "four instances listed");
    const started = journal(ids.done).filter((record) => record.t === "em");
    expect(started.map((record) => record.i)).toEqual([1, 2, 3, 4]);
    const rows = await instanceRows(page);
    // #, state, duration, tasks, event
    const keyData = (event: object) => Object.entries(event).map(([key, value]) => `${key}: ${String(value)}`).join(", ");
    expect(rows.map(([number, state, , tasks, event]) => [number, state, tasks, event])).toEqual(started.map((record, i) => [String(record.i), "done", ["3", "2", "3", "3"][i], keyData(record.e!.j as object)]));
    expect(await page.textContent("#instances-count")).toBe("4 instances");
    await page.close();
  });

  it("marks an instance's own path and shows only its entries in the timeline when it is clicked", async () => {
    const page = await openRun(ids.done);
    await until(async () => (await rowsOf(page).count()) === 4, "four instances listed");
    const timeline = page.locator("#timeline-entries tbody tr");
    await until(async () => (await timeline.count()) > 20, "the whole run's timeline");
    // bo's email has no "@": checked and rejected, never given an account
    await page.click('#instance-rows tr[data-instance="2"]');
    await until(async () => (await page.locator(".djs-element.ad-path").count()) === 3, "instance 2's path marked");
    const path = await page.locator(".djs-element.ad-path").evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-element-id")).sort());
    expect(path).toEqual(["check", "reject", "signup"]);
    await until(async () => (await timeline.count()) === instanceKinds(ids.done, 2).length, "the timeline of instance 2 alone");
    expect(await timeline.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-kind")))).toEqual(instanceKinds(ids.done, 2));
    expect(await timeline.evaluateAll((trs) => [...new Set(trs.map((tr) => tr.getAttribute("data-instance")))])).toEqual(["2"]);
    expect(await page.textContent("#timeline-instance")).toContain("instance 2");
    // the taken name: caught at Create Account, a name suggested instead
    await page.click('#instance-rows tr[data-instance="3"]');
    await until(async () => JSON.stringify(await page.locator(".djs-element.ad-path").evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-element-id")).sort())) === JSON.stringify(["check", "create", "signup", "suggest"]), "instance 3's path marked");
    await until(async () => (await timeline.count()) === instanceKinds(ids.done, 3).length, "the timeline of instance 3 alone");
    expect(instanceKinds(ids.done, 3)).toContain("caught");
    expect(await timeline.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-kind")))).toEqual(instanceKinds(ids.done, 3));
    await page.screenshot({ path: docs("console-instances.png") });
    // the filter's × gives the whole run back
    await page.click("#timeline-instance button");
    await until(async () => (await timeline.count()) > 20, "the whole run's timeline again");
    expect(await page.locator(".djs-element.ad-path").count()).toBe(0);
    await page.close();
  });

  it("say which instances wait, and turn done once what they wait for comes", async () => {
    const page = await openRun(ids.waiting);
    const states = async () => Object.fromEntries((await instanceRows(page)).map(([number, state]) => [number, state]));
    await until(async () => JSON.stringify(await states()) === JSON.stringify({ 1: "waiting", 2: "done", 3: "done", 4: "waiting" }), "ana and cy waiting for their confirmation, the others done");
    expect(await adhesiveIn(waiting, ["send", ids.waiting.slice(0, 8), "Email Confirmed", "--data", '{"confirmation": 1}'])).toMatchObject({ code: 0 });
    expect(await waiting.exited).toBe(0);
    // the page reads a run of another process again while it says running
    await until(async () => Object.values(await states()).every((state) => state === "done"), "every instance done", 60_000);
    expect(journal(ids.waiting).filter((record) => record.t === "ie").map((record) => record.i).sort()).toEqual([1, 2, 3, 4]);
    await page.close();
  });
});

describe("a failed message run", () => {
  it("opens zoomed on the element that failed, its instance failed and the others cancelled, with a button that fits the diagram again", async () => {
    const page = await openRun(ids.failed);
    await page.locator('.djs-element.ad-failed[data-element-id="check"]').waitFor();
    await until(async () => (await page.getAttribute("body", "data-zoomed-to")) === "check", "the diagram zoomed to Check Email");
    const canvas = (await page.locator("#canvas").boundingBox())!;
    const centre = async (id: string) => {
      const box = (await page.locator(`.djs-element[data-element-id="${id}"] .djs-visual`).boundingBox())!;
      return { x: box.x + box.width / 2, y: box.y + box.height / 2, width: box.width };
    };
    const failed = await centre("check");
    expect(Math.abs(failed.x - (canvas.x + canvas.width / 2))).toBeLessThan(canvas.width / 10);
    expect(Math.abs(failed.y - (canvas.y + canvas.height / 2))).toBeLessThan(canvas.height / 10);
    await until(async () => (await rowsOf(page).count()) > 0, "the instances listed");
    const states = Object.fromEntries((await instanceRows(page)).map(([number, state]) => [number, state]));
    expect(states["3"]).toBe("failed");
    expect(Object.entries(states).filter(([number]) => number !== "3").every(([, state]) => state === "done" || state === "cancelled")).toBe(true);
    await page.click("#zoom-fit");
    await until(async () => (await centre("check")).width < failed.width, "the diagram fitted again");
    for (const id of ["signup", "welcomed", "rejected", "suggested"]) {
      // the shape itself: an element's outline reaches a few pixels beyond it
      const box = (await page.locator(`.djs-element[data-element-id="${id}"] .djs-visual`).boundingBox())!;
      expect(box.x >= canvas.x && box.x + box.width <= canvas.x + canvas.width, id).toBe(true);
    }
    await page.click("#zoom-failure");
    await until(async () => Math.abs((await centre("check")).width - failed.width) < failed.width / 100, "back on the failure");
    await page.close();
  });
});

describe("a message run failed by a gateway", () => {
  it("shows the instance the gateway failed in as failed, on the page and in the API, its failure in its own timeline", async () => {
    const end = journal(ids.gateway).find((record) => record.t === "end") as { state?: string; element?: { id: string } };
    expect(end).toMatchObject({ state: "failed", element: { id: "valid" } });
    const page = await openRun(ids.gateway);
    await until(async () => (await page.getAttribute("body", "data-zoomed-to")) === "valid", "the diagram zoomed to the gateway");
    await until(async () => (await rowsOf(page).count()) > 1, "the instances listed");
    const states = Object.fromEntries((await instanceRows(page)).map(([number, state]) => [number, state]));
    expect(states["2"]).toBe("failed");
    expect(Object.entries(states).filter(([number]) => number !== "2").every(([, state]) => state === "done" || state === "cancelled")).toBe(true);
    await page.click('#instance-rows tr[data-instance="2"]');
    const timeline = page.locator("#timeline-entries tbody tr");
    await until(async () => (await timeline.count()) === 4, "the timeline of instance 2 alone");
    expect(await timeline.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute("data-kind")}`))).toEqual(["instance", "started", "completed", "failed"]);
    await page.close();
    const api = await fetch(`${new URL(`/api/runs/${ids.gateway}/instances?state=failed`, url).href}`, { headers: { "x-adhesive-token": new URL(url).searchParams.get("token")! } });
    expect(await api.json()).toMatchObject({ total: 1, instances: [{ number: 2, state: "failed", failed: 1 }] });
  });
});

describe("a page that gets many updates at once", () => {
  it("merges them and draws the diagram a few times, not once per update, ending with the last counts", async () => {
    const page = await browser.context.newPage();
    const UPDATES = 300;
    const body = [`retry: 600000\n\n`];
    for (let n = 1; n <= UPDATES; n++) {
      const update = { summary: { state: "done", startedAt: 0, endedAt: 1, durationMs: 1, tokens: 0, running: 0, waiting: 0, completed: n, failed: 0, caught: 0 }, elements: { check: { tokens: 0, running: 0, waiting: 0, completed: n, failed: 0, caught: 0, cancelled: 0 } }, flows: {}, failures: [], forms: [] };
      body.push(`id: ${n}\nevent: update\ndata: ${JSON.stringify(update)}\n\n`);
    }
    // the run's own stream is replaced by one that sends 300 updates in one go
    await page.route(/\/api\/runs\/[^/]+\/events/, (route) => route.fulfill({ status: 200, headers: { "content-type": "text/event-stream" }, body: body.join("") }));
    await page.goto(`${new URL(`/runs/${ids.done}`, url).href}${new URL(url).search}`);
    await until(async () => (await page.getAttribute("body", "data-updates")) === String(UPDATES), "every update received");
    await page.locator('.djs-overlays[data-container-id="check"] .badge.completed', { hasText: String(UPDATES) }).waitFor();
    // the first load draws once; the updates that came together, merged, far fewer times than they came
    expect(Number(await page.getAttribute("body", "data-redraws"))).toBeLessThan(UPDATES / 10);
    expect(await page.textContent('#summary dd[data-field="completed"]')).toBe(String(UPDATES));
    await page.close();
    expect(browser.outside).toEqual([]);
  });
});
