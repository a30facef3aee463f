import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

/*
 * Not a timing test: 100k message events go through a small process in a
 * child started with --expose-gc, and once the run has returned the heap must
 * be back near where it was (no tokens, frames, contexts, listeners or timers
 * kept per event). The child prints one JSON line with what it measured.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const EVENTS = 100_000;
const BACKLOG_EVENTS = 100_000;

const child = `
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getEventListeners } from "node:events";
const { Adhesive } = await import(${JSON.stringify(pathToFileURL(join(root, "src/index.ts")).href)});

const dir = mkdtempSync(join(tmpdir(), "adhesive-memory-"));
const file = ${JSON.stringify(join(root, "test/fixtures/engine/memory-fan-out.bpmn"))};

let events = 0;
let executed = 0;
const adhesive = new Adhesive();
adhesive.message("Event", async function* () {
  for (let i = 0; i < events; i++) yield { i, payload: "x".repeat(16) };
});
adhesive.task("Sync", (ctx) => {
  executed++;
  ctx.data.sync = ctx.data.event.i;
});
adhesive.task("Async", async (ctx) => {
  executed++;
  // the lazily created AbortSignal and a macrotask hop per token
  if (ctx.signal.aborted) throw new Error("aborted");
  await new Promise((resolve) => setImmediate(resolve));
  ctx.data.async = ctx.data.event.i;
});

const stop = new AbortController();
const tempFolder = join(dir, "runs");
const run = (n) => {
  events = n;
  executed = 0;
  return adhesive.bpmnBuild(file, { signal: stop.signal, tempFolder, poolSize: 64 });
};
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 4; i++) globalThis.gc();
};
const resources = () => process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap" && r !== "PipeWrap").sort();

await run(1000);
await run(1000);
await settle();
const before = process.memoryUsage().heapUsed;
const resourcesBefore = resources();

const data = await run(${EVENTS});
const tasks = executed;
await settle();
const after = process.memoryUsage().heapUsed;

console.log(JSON.stringify({
  before,
  after,
  tasks,
  lastEvent: data.event?.i,
  resourcesBefore,
  resourcesAfter: resources(),
  abortListeners: getEventListeners(stop.signal, "abort").length,
}));
rmSync(dir, { recursive: true, force: true });
`;

/*
 * While a run goes on: tasks fall behind a fast source (a pool of 2, every
 * task journaled before it runs), so tasks wait for slots all along. The
 * heap held at event 100k must be about what it was at event 20k: bounded
 * by the events in flight (maxEventsInFlight), not by the events so far.
 * The ready queue used to keep every token that ever waited for a slot.
 */
const backlogChild = `
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const { Adhesive } = await import(${JSON.stringify(pathToFileURL(join(root, "src/index.ts")).href)});
const dir = mkdtempSync(join(tmpdir(), "adhesive-backlog-"));
const heapAt = {};
const adhesive = new Adhesive();
adhesive.messageCallback("Event", async (_ctx, emit) => {
  for (let i = 1; i <= ${BACKLOG_EVENTS}; i++) await emit({ i });
});
adhesive.task({ re: /^(Task \\d|Joined)$/ }, (ctx) => {
  const i = ctx.data.event.i;
  if (ctx.taskName === "Task 1" && (i === ${BACKLOG_EVENTS / 5} || i === ${BACKLOG_EVENTS})) {
    for (let k = 0; k < 4; k++) globalThis.gc();
    heapAt[i] = process.memoryUsage().heapUsed;
  }
});
await adhesive.bpmnBuild(${JSON.stringify(join(root, "test/fixtures/messages/five-parallel.bpmn"))}, {
  poolSize: 2, maxEventsInFlight: 100, runsFolder: join(dir, "runs"), tempFolder: join(dir, "temp"),
});
console.log(JSON.stringify(heapAt));
rmSync(dir, { recursive: true, force: true });
`;

interface Measured {
  before: number;
  after: number;
  tasks: number;
  lastEvent: number | undefined;
  resourcesBefore: string[];
  resourcesAfter: string[];
  abortListeners: number;
}

function measure<T = Measured>(script = child): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script],
      // 100k events: seconds, more on a loaded machine; 300 s only caps a hang
      { cwd: root, maxBuffer: 1 << 20, timeout: 300_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`memory child failed: ${error.message}\n${stderr}`));
        const line = stdout.trim().split("\n").pop() ?? "";
        try {
          resolve(JSON.parse(line) as T);
        } catch {
          reject(new Error(`memory child printed no result:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe("memory", () => {
  let result: Measured;

  beforeAll(async () => {
    result = await measure();
  });

  it(`keeps nothing per event once a run of ${EVENTS} message events has returned`, () => {
    expect(result.tasks).toBe(EVENTS * 2);
    expect(typeof result.lastEvent).toBe("number");
    // 2 MB over 100k events is 20 bytes per event: any leaked token, frame, context or closure is far bigger
    const retained = result.after - result.before;
    expect(retained, `heap grew by ${retained} bytes over the run`).toBeLessThan(2 * 1024 * 1024);
  });

  it("leaves no timers, immediates or handles behind", () => {
    expect(result.resourcesAfter).toEqual(result.resourcesBefore);
  });

  /* a listener left on the caller's signal would keep every finished run (graph, frames, data) reachable */
  it("removes its listener from the caller's AbortSignal when the run ends", () => {
    expect(result.abortListeners).toBe(0);
  });
});

describe("memory while tasks fall behind a fast source, with the journal on", () => {
  it(`holds about as much at event ${BACKLOG_EVENTS} as at event ${BACKLOG_EVENTS / 5}: what is in flight, not what went before`, async () => {
    const heap = await measure<Record<string, number>>(backlogChild);
    const grown = heap[BACKLOG_EVENTS] - heap[BACKLOG_EVENTS / 5];
    // a token kept per event waiting for a slot is hundreds of bytes: 80k events of them are tens of MB
    expect(grown, `heap grew by ${grown} bytes from event ${BACKLOG_EVENTS / 5} to ${BACKLOG_EVENTS}`).toBeLessThan(4 * 1024 * 1024);
  }, 240_000);
});
