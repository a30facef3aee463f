/**
 * `node --import tsx bench/console.ts [runs] [events]`: what `adhesive ui`
 * costs with many runs in the folder and one long message run (issue 22,
 * scale). Makes a runs folder of `runs` order runs (default 1000: copies of
 * three real ones, shipped, caught and failed, each with its own run.json)
 * plus one seed-message run of `events` message events (default 100k, five
 * tasks each), starts the console's server in this process and times its
 * requests over HTTP, as the page makes them:
 *   - the runs list: the first request (every run.json read), then later
 *     ones (two stats per run), filtered by state, and a text search in the
 *     runs' data (first: two reads of each journal's ends; then cached);
 *   - the long run's page: the first page of its timeline the first time
 *     (answered with what was read so far: the journal is read in chunks),
 *     the whole journal read, then by a console started again from the
 *     index the first read wrote beside it, then later (only what was
 *     added); its state, one element's executions, its instances and one
 *     instance's path, timeline and variables.
 * Prints the median of 5 for the warm requests, and this process's heap.
 * Run with --expose-gc for the heap after a collection:
 *
 *   node --expose-gc --import tsx bench/console.ts 1000 100000
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Adhesive, scriptedUi } from "../src/index.js";
import { forgetJournalViews } from "../src/console/journal-views.js";
import { CONSOLE_INDEX_FILE } from "../src/runs/files.js";
import { readSummary, writeSummary } from "../src/runs/summary.js";
import { startLiveServer } from "../src/web/server.js";
import { APPROVAL, orderTasks } from "../test/fixtures/console/order-tasks.js";

const RUNS = Number(process.argv[2] ?? 1000);
const EVENTS = Number(process.argv[3] ?? 100_000);
const ORDERS = fileURLToPath(new URL("../test/fixtures/console/orders.bpmn", import.meta.url));
const SEED = fileURLToPath(new URL("./fixtures/seed-message.bpmn", import.meta.url));
const temp = mkdtempSync(join(tmpdir(), "adhesive-console-bench-"));
const runsFolder = join(temp, "runs");

async function order(runId: string, data: Record<string, unknown>): Promise<void> {
  const adhesive = new Adhesive();
  orderTasks(adhesive);
  await adhesive.bpmnBuild(ORDERS, { runId, runsFolder, tempFolder: temp, initialData: data, ui: scriptedUi(APPROVAL) }).catch(() => undefined);
}

await order("model-shipped", { order: 1, stock: 5 });
await order("model-caught", { order: 2, stock: 5, card: "declined" });
await order("model-failed", { order: 3 });
const models = ["model-shipped", "model-shipped", "model-shipped", "model-caught", "model-failed"];
const base = Date.now() - RUNS * 60_000;
for (let i = 0; i < RUNS - models.length / 5 - 2; i++) {
  const id = `run-${String(i).padStart(5, "0")}`;
  const model = models[i % models.length];
  cpSync(join(runsFolder, model), join(runsFolder, id), { recursive: true });
  const summary = (await readSummary(join(runsFolder, id)))!;
  writeSummary(join(runsFolder, id), { ...summary, id, startedAt: base + i * 60_000, endedAt: base + i * 60_000 + 150, lastActivity: base + i * 60_000 + 150 });
}

const eventsStarted = performance.now();
let bigId = "seed";
await new Adhesive()
  .message("Event", function* () {
    for (let i = 0; i < EVENTS; i++) yield i;
  })
  .task({ re: /.*/ }, () => undefined)
  .bpmnBuild(SEED, { runId: bigId, poolSize: 1e9, runsFolder, tempFolder: temp });
const eventsMs = performance.now() - eventsStarted;
const folders = readdirSync(runsFolder).length;

const server = await startLiveServer({ runsFolder, project: process.cwd() }, 0);
const token = new URL(server.url).searchParams.get("token")!;

function get(path: string): Promise<{ ms: number; bytes: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, headers: { host: `127.0.0.1:${server.port}`, "x-adhesive-token": token } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${body.slice(0, 200)}`));
        else resolve({ ms: performance.now() - started, bytes: body.length, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

async function warm(path: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) times.push((await get(path)).ms);
  return times.sort((a, b) => a - b)[2];
}

const rows: Array<[string, string]> = [];
const row = (what: string, ms: number, extra = "") => rows.push([what, `${ms.toFixed(1)} ms${extra}`]);

const first = await get("/api/runs");
const listed = JSON.parse(first.body) as { total: number };
row(`runs list, first request (${listed.total} runs)`, first.ms, `, ${(first.bytes / 1024).toFixed(0)} KB (the newest 200)`);
row("runs list, later requests", await warm("/api/runs"));
row("runs list, ?state=failed", await warm("/api/runs?state=failed"));
const searched = await get("/api/runs?q=%22order%22%3A2");
row(`runs list, search in data, first (${(JSON.parse(searched.body) as { total: number }).total} found)`, searched.ms);
row("runs list, search in data, later", await warm("/api/runs?q=%22order%22%3A2"));
row("a small run's page: state", await warm(`/api/runs/run-00003`));
row("a small run's page: timeline", await warm(`/api/runs/run-00003/timeline`));
const firstStarted = performance.now();
const firstPage = await get(`/api/runs/${bigId}/timeline`);
const { reading } = JSON.parse(firstPage.body) as { reading?: { read: number; size: number } };
row(`long run's timeline, first: what was read so far`, firstPage.ms, reading ? ` (${((100 * reading.read) / reading.size).toFixed(0)}% of ${(reading.size / 1048576).toFixed(0)} MB)` : " (all of it)");
// an element's executions wait for the whole journal
await get(`/api/runs/${bigId}/elements/t1`);
row("long run's journal read whole, first", performance.now() - firstStarted);
const indexFile = join(runsFolder, bigId, CONSOLE_INDEX_FILE);
for (let i = 0; i < 600 && !existsSync(indexFile); i++) await new Promise((resolve) => setTimeout(resolve, 100));
const indexMb = existsSync(indexFile) ? statSync(indexFile).size / 1048576 : 0;
const restarted: number[] = [];
for (let i = 0; i < 3; i++) {
  forgetJournalViews();
  restarted.push((await get(`/api/runs/${bigId}/timeline`)).ms);
}
row(`long run's timeline, a console started again: its index (${indexMb.toFixed(0)} MB)`, restarted.sort((a, b) => a - b)[1], " (median of 3)");
const timeline = await get(`/api/runs/${bigId}/timeline`);
const total = (JSON.parse(timeline.body) as { total: number }).total;
row(`long run's timeline (${total} entries, first 500 sent)`, timeline.ms, `, ${(timeline.bytes / 1024).toFixed(0)} KB`);
row("long run's timeline, later", await warm(`/api/runs/${bigId}/timeline`));
row("long run's timeline, entries 50000-50499", await warm(`/api/runs/${bigId}/timeline?offset=50000`));
row("long run's page: state (from its journal)", await warm(`/api/runs/${bigId}`));
const element = (JSON.parse(timeline.body) as { entries: Array<{ elementId?: string; seq?: number }> }).entries.find((e) => e.seq !== undefined)!.elementId!;
row(`long run: executions of ${element}`, await warm(`/api/runs/${bigId}/elements/${element}`));
row("long run's instances, first page", await warm(`/api/runs/${bigId}/instances`));
row("long run's instances, ?state=failed (none)", await warm(`/api/runs/${bigId}/instances?state=failed`));
const middle = Math.ceil(EVENTS / 2);
row(`long run: instance ${middle}, its path`, await warm(`/api/runs/${bigId}/instances/${middle}`));
row(`long run: instance ${middle}, its timeline`, await warm(`/api/runs/${bigId}/timeline?instance=${middle}`));
row(`long run: instance ${middle}, its variables`, await warm(`/api/runs/${bigId}/variables?instance=${middle}`));
globalThis.gc?.();
const { heapUsed: heap, arrayBuffers } = process.memoryUsage();

await server.close();
rmSync(temp, { recursive: true, force: true });
console.log(`${folders} run folders; the long run: ${EVENTS} message events in ${(eventsMs / 1000).toFixed(1)} s`);
for (const [what, value] of rows) console.log(`  ${what.padEnd(58)} ${value}`);
console.log(`  this process afterwards${globalThis.gc ? " (after gc)" : ""}: heap, and array buffers (the columns)`.padEnd(61) + `${(heap / 1048576).toFixed(0)} MB, ${(arrayBuffers / 1048576).toFixed(0)} MB`);
