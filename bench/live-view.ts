/**
 * `node --import tsx bench/live-view.ts [events]`: the seed workload
 * (bench/fixtures/seed-message.bpmn, 100k events by default) with the live
 * view's page open in Debian's chromium. Prints the run's wall time with
 * the page open, without any view and with only the monitor (inbox), the
 * SSE update rate the page received, and the page's JS heap after the run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Adhesive, closeLiveView, type RunOptions } from "../src/index.js";
import { liveRuns } from "../src/live/registry.js";
import { openBrowser } from "../test/web/browser.js";

/* what the page code below reads (functions, not strings: the page's CSP allows no eval); this file has no DOM types */
interface Page {
  document: { body: { dataset: Record<string, string | undefined> }; querySelector(selector: string): { textContent: string | null } | null };
}

const EVENTS = Number(process.argv[2] ?? 100_000);
const SEED = fileURLToPath(new URL("./fixtures/seed-message.bpmn", import.meta.url));
const temp = mkdtempSync(join(tmpdir(), "adhesive-live-bench-"));

function seed(gate?: Promise<void>): Adhesive {
  return new Adhesive()
    .message("Event", async function* () {
      await gate;
      for (let i = 0; i < EVENTS; i++) yield i;
    })
    .task({ re: /.*/ }, () => undefined);
}

/** The median of 5 runs, alternating with the other variant so load on the machine hits both alike. */
async function timed(variants: RunOptions[]): Promise<number[]> {
  const times: number[][] = variants.map(() => []);
  for (let rep = 0; rep < 5; rep++) {
    for (const [i, options] of variants.entries()) {
      const started = performance.now();
      await seed().bpmnBuild(SEED, { poolSize: 1e9, tempFolder: temp, runsFolder: temp, ...options });
      times[i].push(performance.now() - started);
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[2]);
}

const [off, monitorOnly] = await timed([{}, { inbox: true }]);

let url = "";
let openPage!: () => void;
const pageOpen = new Promise<void>((resolve) => (openPage = resolve));
const browser = await openBrowser();
const run = seed(pageOpen).bpmnBuild(SEED, { poolSize: 1e9, tempFolder: temp, runsFolder: temp, liveView: { onUrl: (printed) => (url = printed) } });
let live;
while ((live = liveRuns().find((r) => r.monitor.outcome === "running")) === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
const page = await browser.context.newPage();
const cdp = await browser.context.newCDPSession(page);
const token = new URL(url).searchParams.get("token")!;
await page.goto(new URL(`/runs/${live.id}?token=${token}`, url).href);
await page.waitForFunction(() => Number((globalThis as unknown as Page).document.body.dataset.updates ?? 0) >= 1);
const before = Number(await page.evaluate(() => (globalThis as unknown as Page).document.body.dataset.updates));
const drawnBefore = Number(await page.evaluate(() => (globalThis as unknown as Page).document.body.dataset.redraws));
const started = performance.now();
openPage();
await run;
const withPage = performance.now() - started;
// the last update (the end) arrives within one interval
await page.waitForFunction(() => (globalThis as unknown as Page).document.body.dataset.state !== "running");
const updates = Number(await page.evaluate(() => (globalThis as unknown as Page).document.body.dataset.updates)) - before;
const redraws = Number(await page.evaluate(() => (globalThis as unknown as Page).document.body.dataset.redraws)) - drawnBefore;
const shown = await page.evaluate(() => (globalThis as unknown as Page).document.querySelector('#summary dd[data-field="events"]')?.textContent);
await cdp.send("HeapProfiler.collectGarbage");
const heap = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; totalSize: number };
await browser.close();
await closeLiveView();
rmSync(temp, { recursive: true, force: true });

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
console.log(`seed workload, ${EVENTS} events (5 tasks each)`);
console.log(`  no live view, no monitor     ${off.toFixed(0)} ms (median of 5)`);
console.log(`  monitor only (inbox: true)   ${monitorOnly.toFixed(0)} ms (median of 5)`);
console.log(`  live view with the page open ${withPage.toFixed(0)} ms`);
console.log(`  SSE updates the page got     ${updates} in ${(withPage / 1000).toFixed(2)} s = ${(updates / (withPage / 1000)).toFixed(1)} per second; the page shows ${shown} events`);
console.log(`  diagram redraws on the page    ${redraws} (updates that came together are drawn once, at most every 100 ms)`);
console.log(`  page JS heap after the run   used ${mb(heap.usedSize)} of ${mb(heap.totalSize)} (after a GC, CDP Runtime.getHeapUsage)`);
