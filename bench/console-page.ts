/**
 * `node --expose-gc --import tsx bench/console-page.ts [events]`: a long message run's
 * page in Debian's chromium (issue 22, scale). Runs the seed process for
 * `events` message events (default 100k, five tasks each, journal on, the
 * default pool, no snapshot), serves its folder as `adhesive ui` does, and opens the
 * run's page: the time until its diagram, timeline, instances and
 * variables are all shown (the first time, when the server reads the
 * whole journal and writes its index beside it; then as a console that
 * starts again finds it, with the index and no view in memory; and again),
 * the time a click on an instance takes to mark its path and filter the
 * timeline, the page's JS heap after a GC (CDP Runtime.getHeapUsage) and
 * the server's (this process's, after a GC with --expose-gc).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { Adhesive } from "../src/index.js";
import { forgetJournalViews } from "../src/console/journal-views.js";
import { CONSOLE_INDEX_FILE } from "../src/runs/files.js";
import { startLiveServer } from "../src/web/server.js";
import { openBrowser } from "../test/web/browser.js";

const EVENTS = Number(process.argv[2] ?? 100_000);
const SEED = fileURLToPath(new URL("./fixtures/seed-message.bpmn", import.meta.url));
const temp = mkdtempSync(join(tmpdir(), "adhesive-console-page-bench-"));
const runsFolder = join(temp, "runs");

const ran = performance.now();
await new Adhesive()
  .message("Event", function* () {
    for (let i = 0; i < EVENTS; i++) yield { order: i };
  })
  .task({ re: /.*/ }, () => undefined)
  // one journal file with every event (past 64 MB a snapshot would start it anew, with the instances that come after)
  .bpmnBuild(SEED, { runId: "seed", runsFolder, tempFolder: temp, journalSnapshotBytes: 2 ** 40 });
const runMs = performance.now() - ran;
const journalBytes = statSync(join(runsFolder, "seed", "journal.ndjson")).size;

const server = await startLiveServer({ runsFolder, project: process.cwd() }, 0);
const browser = await openBrowser();
const page = await browser.context.newPage();
await page.setViewportSize({ width: 1280, height: 860 });
const cdp = await browser.context.newCDPSession(page);
const runUrl = `${new URL("/runs/seed", server.url).href}${new URL(server.url).search}`;

/* the run page is shown: the diagram, the first entries of the timeline, the first instances and the variables */
async function shown(target: Page): Promise<void> {
  await target.locator(".djs-connection").first().waitFor({ state: "attached", timeout: 120_000 });
  await target.locator("#timeline-entries tbody tr").first().waitFor({ timeout: 120_000 });
  await target.locator("#instance-rows tbody tr").first().waitFor({ timeout: 120_000 });
  await target.locator("#variables-tree ul.tree, #variables-tree p").first().waitFor({ timeout: 120_000 });
}

async function load(): Promise<number> {
  const started = performance.now();
  await page.goto(runUrl);
  await shown(page);
  return performance.now() - started;
}

const firstStarted = performance.now();
const first = await load();
// the first time, the page shows what the server read so far, then everything once the journal is read
const partial = (await page.getAttribute("body", "data-journal")) === "partial";
await page.locator('body[data-journal="read"]').waitFor({ state: "attached", timeout: 300_000 });
await page.locator("#instance-rows tbody tr").first().waitFor({ timeout: 120_000 });
const firstWhole = performance.now() - firstStarted;
// the index is written once the answers have gone
const indexFile = join(runsFolder, "seed", CONSOLE_INDEX_FILE);
for (let i = 0; i < 600 && !existsSync(indexFile); i++) await new Promise((resolve) => setTimeout(resolve, 100));
const indexBytes = existsSync(indexFile) ? statSync(indexFile).size : 0;
const restarted: number[] = [];
for (let i = 0; i < 3; i++) {
  forgetJournalViews();
  restarted.push(await load());
}
const fromIndex = restarted.sort((a, b) => a - b)[1];
const again = [await load(), await load(), await load()].sort((a, b) => a - b)[1];
const instances = await page.locator("#instance-rows tbody tr").count();
const last = await page.locator("#instance-rows tbody tr:last-child").getAttribute("data-instance");
const clicked = performance.now();
await page.click("#instance-rows tbody tr:last-child");
await page.locator(".djs-element.ad-path").first().waitFor();
// the timeline holds that instance's entries only
await page.locator(`#timeline-entries tbody tr[data-kind="instance"][data-instance="${last}"]`).waitFor();
await page.waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll(`#timeline-entries tbody tr:not([data-instance="${n}"])`).length === 0, last);
const clickMs = performance.now() - clicked;
await cdp.send("HeapProfiler.collectGarbage");
const heap = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; totalSize: number };
globalThis.gc?.();
const serverMemory = process.memoryUsage();

await browser.close();
await server.close();
rmSync(temp, { recursive: true, force: true });

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
console.log(`the seed run: ${EVENTS} message events, 5 tasks each, in ${(runMs / 1000).toFixed(1)} s; journal ${mb(journalBytes)}`);
console.log(`  its page shown (diagram, timeline, ${instances} instances, variables), first    ${first.toFixed(0)} ms${partial ? " (what was read so far)" : ""}`);
console.log(`  ... and shown whole once the server read the journal                ${firstWhole.toFixed(0)} ms`);
console.log(`  ... by a console started again, from the index (${mb(indexBytes)}; median of 3)    ${fromIndex.toFixed(0)} ms`);
console.log(`  its page shown again (median of 3)                                ${again.toFixed(0)} ms`);
console.log(`  a click on an instance: its path marked, the timeline filtered   ${clickMs.toFixed(0)} ms`);
console.log(`  the page's JS heap afterwards (after a GC, CDP)                   used ${mb(heap.usedSize)} of ${mb(heap.totalSize)}`);
console.log(`  the server's heap afterwards${globalThis.gc ? " (after a GC)" : ""}, and its array buffers (the columns)   ${mb(serverMemory.heapUsed)}, ${mb(serverMemory.arrayBuffers)}`);
