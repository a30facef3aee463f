/**
 * Durable runs at scale (issue 18, item 4): what a long message run leaves
 * on disk and what resuming it costs, and what a big journal in the runs
 * folder costs an unrelated CLI start.
 *
 *   node --import tsx bench/durable-runs.ts long [events]   journal size and resume time of a seed-message run (default 1M events)
 *   node --import tsx bench/durable-runs.ts start [MB]      `adhesive examples/hello` with a journal of that size in the runs folder (default 130)
 *
 * `long` runs the seed process (bench/fixtures/seed-message.bpmn) with the
 * journal on, then cuts the run's end off its journal (as if the runner had
 * died just before it) and resumes it in a fresh process, which replays the
 * journal and lets the source go on from its last event. Each step runs in
 * its own child process, so its peak RSS is its own.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const [mode = "long", size] = process.argv.slice(2);
/* a run id as the CLI makes them (retention only looks at folders named so) */
const RUN_ID = "0000000e-1000-4000-8000-00000000000e";

/* one step in a child process: prints one JSON line with its result */
function child(step: string, args: string[]): Record<string, number | string> {
  const out = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "--import", "tsx", join(here, "durable-runs.ts"), step, ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  const rssKb = Number(out.stderr.trim().split("\n").pop());
  const line = out.stdout.trim().split("\n").pop() ?? "";
  if (out.status !== 0 || !line.startsWith("{")) return { error: `${step} exited ${out.status}: ${out.stderr.trim().split("\n").slice(-4).join(" | ")}`, peakRssMB: Math.round(rssKb / 1024) };
  return { ...(JSON.parse(line) as Record<string, number | string>), peakRssMB: Math.round(rssKb / 1024) };
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/* the journal without its last record (the end): the run looks interrupted just before it ended */
function cutEnd(file: string): void {
  const text = readFileSync(file);
  const last = text.lastIndexOf(10, text.length - 2);
  truncateSync(file, last + 1);
}

async function seedRun(runs: string, events: number, runId: string): Promise<void> {
  const { Adhesive } = await import("../src/index.js");
  const adhesive = new Adhesive();
  adhesive.message("Event", async function* (ctx) {
    const from = typeof ctx.lastEvent === "number" ? ctx.lastEvent + 1 : 0;
    for (let i = from; i < events; i++) yield i;
  });
  adhesive.task({ re: /.*/ }, () => undefined);
  const started = performance.now();
  await adhesive.bpmnBuild(join(here, "fixtures", "seed-message.bpmn"), { runsFolder: runs, tempFolder: runs, runId, poolSize: 1e9, maxEventsInFlight: 1000 });
  console.log(JSON.stringify({ ms: Math.round(performance.now() - started) }));
}

async function main(): Promise<void> {
  if (mode === "run" || mode === "resume") return seedRun(size!, Number(process.argv[4]), RUN_ID);
  if (mode === "long") {
    const events = Number(size ?? 1_000_000);
    const runs = mkdtempSync(join(tmpdir(), "adhesive-long-"));
    try {
      const run = child("run", [runs, String(events)]);
      const journalBytes = statSync(join(runs, RUN_ID, "journal.ndjson")).size;
      const onDisk = folderBytes(join(runs, RUN_ID));
      cutEnd(join(runs, RUN_ID, "journal.ndjson"));
      const resumed = child("resume", [runs, String(events)]);
      console.log(JSON.stringify({ events, run, journalBytes, runFolderBytes: onDisk, resume: resumed }, null, 2));
    } finally {
      rmSync(runs, { recursive: true, force: true });
    }
    return;
  }
  if (mode === "start") {
    const mb = Number(size ?? 130);
    const project = mkdtempSync(join(tmpdir(), "adhesive-start-"));
    try {
      cpSync(join(root, "examples", "hello"), project, { recursive: true });
      symlinkSync(join(root, "node_modules"), join(project, "node_modules"));
      writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
      const runs = join(project, ".adhesive", "runs");
      // about 440 bytes an event: a finished seed run whose journal has the size asked for
      child("run", [runs, String(Math.round((mb * 1024 * 1024) / 440))]);
      const big = statSync(join(runs, RUN_ID, "journal.ndjson")).size;
      const times: Array<{ ms: number; rssMB: number }> = [];
      for (let i = 0; i < 4; i++) {
        const started = performance.now();
        const out = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, join(root, "bin", "adhesive.js"), "_adhesive.ts"], { cwd: project, encoding: "utf8", env: { ...process.env, ADHESIVE_KEEP_RUNS: "1000" } });
        const ms = performance.now() - started;
        if (out.status !== 0) throw new Error(out.stderr);
        if (i > 0) times.push({ ms: Math.round(ms), rssMB: Math.round(Number(out.stderr.trim().split("\n").pop()) / 1024) });
      }
      console.log(JSON.stringify({ journalMB: Math.round(big / 1024 / 1024), runs: readdirSync(runs).length, times }, null, 2));
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
    return;
  }
  throw new Error(`unknown mode ${mode}; expected long or start`);
}

await main();
