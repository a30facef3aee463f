/*
 * The CLI against the API (issue 20): one process file runs the seed workload
 * (fixtures/seed-message.bpmn, a message() source of N events, 5 task calls
 * each) and prints how many task calls it counted. The API row runs it with
 * `node <file>` and is the floor of these rows; the CLI rows run it with
 * `adhesive <file>` as installed (a fresh dist/ build), its output to a
 * terminal (a pty from util-linux `script`), to a file, and to a file with
 * task lines off (log_level warning). Every run is a whole process; its CPU
 * time (user + sys, all threads) comes from process.resourceUsage() at exit,
 * through a module preloaded with --import. Start-up is taken out: each
 * command also runs with 0 events, and a row's per-event cost is its fastest
 * run at N events minus its fastest at 0. The fastest, not the median: on a
 * shared machine every other process only adds time, and with 3 repetitions
 * the medians of identical builds gave ratios from 0.95x to 2.00x. The
 * rounds run the four commands in a rotating order, and each round's own
 * CLI/API ratio is kept too: their median is the cross-check the target's
 * note shows.
 */
import { spawn } from "node:child_process";
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import quote from "shell-quote/quote.js";
import { installedCopy } from "./startup.js";

export const CLI_OUTPUTS = ["api", "terminal", "file", "lines off"] as const;
export type CliOutput = (typeof CLI_OUTPUTS)[number];

export interface CliRun {
  cpuMs: number;
  wallMs: number;
  /** lines the command printed (on the terminal: lines of what the pty received) */
  lines: number;
}

export interface CliRow {
  output: CliOutput;
  events: number;
  /** at `events` events */
  runs: CliRun[];
  /** the same command at 0 events: its start-up and end */
  empty: CliRun[];
  error?: string;
}

const PROCESS_FILE = `import { bpmnBuild, message, task } from "adhesive-bpmn";

const events = Number(process.env.BENCH_EVENTS);
let calls = 0;
message("Event", async function* () {
  for (let i = 0; i < events; i++) yield i;
});
task({ re: /.*/ }, () => {
  calls++;
});
await bpmnBuild("seed-message.bpmn", { tempFolder: process.env.BENCH_TEMP, runsFolder: process.env.BENCH_RUNS, keepRuns: 1000, journal: false, poolSize: 1e9 });
console.log(\`tasks: \${calls}\`);
`;

/* resourceUsage() is the whole process's (every thread); the main thread writes it as the process exits */
const USAGE_HOOK = `import { isMainThread } from "node:worker_threads";
import { writeFileSync } from "node:fs";
if (isMainThread && process.env.BENCH_USAGE) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(process.env.BENCH_USAGE, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
`;

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const fastest = (runs: readonly CliRun[], key: "cpuMs" | "wallMs"): number => Math.min(...runs.map((r) => r[key]));

/** CPU (or wall) per event in ms: the fastest run at N events minus the fastest at 0. */
export function perEvent(row: CliRow | undefined, key: "cpuMs" | "wallMs"): number | undefined {
  if (row === undefined || row.error !== undefined || row.runs.length === 0 || row.empty.length === 0) return undefined;
  return (fastest(row.runs, key) - fastest(row.empty, key)) / row.events;
}

/** The median over rounds of the row's per-event CPU in that round to the API's in the same round (start-up taken out by each one's fastest run at 0). */
export function pairedRatio(row: CliRow, api: CliRow | undefined): number | undefined {
  if (api === undefined || row.error !== undefined || api.error !== undefined || row.runs.length !== api.runs.length || row.runs.length === 0) return undefined;
  const rowStart = fastest(row.empty, "cpuMs");
  const apiStart = fastest(api.empty, "cpuMs");
  return median(row.runs.map((run, round) => (run.cpuMs - rowStart) / (api.runs[round].cpuMs - apiStart)));
}

export async function measureCli(root: string, events: number, reps: number): Promise<CliRow[]> {
  const installed = installedCopy(root, "adhesive-cli-bench-");
  const project = mkdtempSync(join(tmpdir(), "adhesive-cli-project-"));
  try {
    mkdirSync(join(project, "node_modules"));
    symlinkSync(installed, join(project, "node_modules", "adhesive-bpmn"));
    copyFileSync(join(root, "bench", "fixtures", "seed-message.bpmn"), join(project, "seed-message.bpmn"));
    writeFileSync(join(project, "_adhesive.mjs"), PROCESS_FILE);
    writeFileSync(join(project, "usage.mjs"), USAGE_HOOK);
    const rows: CliRow[] = CLI_OUTPUTS.map((output) => ({ output, events, runs: [], empty: [] }));
    const run = async (row: CliRow, n: number): Promise<CliRun | undefined> => {
      if (row.error !== undefined) return undefined;
      try {
        return await runOnce(row.output, n, { installed, project });
      } catch (error) {
        row.error = (error as Error).message;
        return undefined;
      }
    };
    // a warm-up of each (file system cache, the build's first load), then the repetitions interleaved, so load on the machine hits every row alike
    for (const row of rows) await run(row, Math.min(events, 1000));
    for (let rep = 0; rep < reps; rep++) {
      // a rotating order: no command always runs right after the same one
      for (const row of [...rows.slice(rep % rows.length), ...rows.slice(0, rep % rows.length)]) {
        const full = await run(row, events);
        if (full) row.runs.push(full);
        const empty = await run(row, 0);
        if (empty) row.empty.push(empty);
      }
      process.stderr.write(`[cli] round ${rep + 1}/${reps}: ${rows.map((r) => `${r.output} ${r.error ? "FAILED" : `${r.runs.at(-1)!.cpuMs.toFixed(0)} ms CPU`}`).join(", ")}\n`);
    }
    return rows;
  } finally {
    rmSync(project, { recursive: true, force: true });
    rmSync(installed, { recursive: true, force: true });
  }
}

async function runOnce(output: CliOutput, events: number, where: { installed: string; project: string }): Promise<CliRun> {
  const { project } = where;
  const scratch = mkdtempSync(join(tmpdir(), "adhesive-cli-run-"));
  try {
    const usageFile = join(scratch, "usage.json");
    const outFile = join(scratch, "out.txt");
    const node = [process.execPath, `--import=${pathToFileURL(join(project, "usage.mjs")).href}`];
    const command = output === "api" ? [...node, "_adhesive.mjs"] : [...node, join(where.installed, "bin", "adhesive.js"), "_adhesive.mjs"];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BENCH_EVENTS: String(events),
      BENCH_TEMP: join(scratch, "temp"),
      BENCH_RUNS: join(scratch, "runs"),
      BENCH_USAGE: usageFile,
      ADHESIVE_TEMP_FOLDER: join(scratch, "temp"),
      ADHESIVE_RUNS_FOLDER: join(scratch, "runs"),
      ADHESIVE_KEEP_RUNS: "1000",
      ADHESIVE_LOG_LEVEL: output === "lines off" ? "warning" : "info",
    };
    delete env.NO_COLOR;
    // a pty of a set size: `script` runs the command through a shell on a new terminal and copies what it shows to its stdout
    const [file, args] =
      output === "terminal"
        ? ["script", ["-qfec", `stty cols 120 rows 40; exec ${quote(command)}`, "/dev/null"]]
        : [command[0], command.slice(1)];
    const fd = openSync(outFile, "w");
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(file, args, { cwd: project, env, stdio: ["ignore", fd, "pipe"] });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
      child.on("error", reject);
      child.on("close", (exit) => {
        clearTimeout(timer);
        if (exit !== 0) reject(new Error(`${output} at ${events} events exited ${exit}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
        else resolve();
      });
    }).finally(() => closeSync(fd));
    const wallMs = performance.now() - started;
    const printed = readFileSync(outFile, "utf8");
    const counted = /tasks: (\d+)/.exec(printed);
    if (counted === null || Number(counted[1]) !== events * 5) {
      throw new Error(`${output} at ${events} events: expected "tasks: ${events * 5}", got ${counted === null ? "no count" : `"${counted[0]}"`}`);
    }
    const { cpuMs } = JSON.parse(readFileSync(usageFile, "utf8")) as { cpuMs: number };
    return { cpuMs, wallMs, lines: printed.split("\n").length - 1 };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---- the rows and targets in bench/run.ts's report ----------------------------------

const NAMES: Record<CliOutput, string> = {
  api: "API: node <file>",
  terminal: "CLI, output to a terminal",
  file: "CLI, output to a file",
  "lines off": "CLI, file, task lines off",
};

/** The table of the CLI rows, `table` being run.ts's (header, body, right-aligned columns). */
export function cliReport(rows: readonly CliRow[], table: (header: string[], body: string[][], right: boolean[]) => string): string[] {
  const api = rows.find((row) => row.output === "api");
  const us = (ms: number | undefined): string => (ms === undefined ? "" : `${(ms * 1000).toFixed(1)} us`);
  const ratio = (row: CliRow, key: "cpuMs" | "wallMs"): string => {
    const ours = perEvent(row, key);
    const floor = perEvent(api, key);
    return ours === undefined || floor === undefined ? "" : `${(ours / floor).toFixed(2)}x`;
  };
  const body = rows.map((row) => {
    if (row.error !== undefined) return [NAMES[row.output], String(row.events), "", "", "", "", "", "", "", `FAILED: ${row.error}`];
    const startCpu = median(row.empty.map((r) => r.cpuMs));
    const startWall = median(row.empty.map((r) => r.wallMs));
    const lines = median(row.runs.map((r) => r.lines));
    return [NAMES[row.output], String(row.events), String(row.runs.length), us(perEvent(row, "cpuMs")), ratio(row, "cpuMs"), us(perEvent(row, "wallMs")), ratio(row, "wallMs"), `${startCpu.toFixed(0)} ms`, `${startWall.toFixed(0)} ms`, String(lines)];
  });
  return [
    "",
    "The CLI on the seed workload (one process file, a message() source; whole processes, adhesive as installed), per event:",
    table(["run", "events", "reps", "CPU/event", "ratio", "wall/event", "ratio", "start CPU", "start wall", "lines out"], body, [false, true, true, true, true, true, true, true, true, true]),
    "per event = (fastest run at N events - fastest at 0 events) / N: start-up and exit left out; CPU = user + sys of the node process,",
    "all threads (not `script`'s); ratio = to the API row; start = the median run at 0 events; lines out = what the run printed.",
  ];
}

/** "CLI <= 1.3x API" per output: [target, measured, ok, note] for run.ts's targets table. */
export function cliTargets(rows: readonly CliRow[]): Array<[string, string, boolean | undefined, string]> {
  const api = rows.find((row) => row.output === "api");
  return rows
    .filter((row) => row.output !== "api")
    .map((row) => {
      const ours = perEvent(row, "cpuMs");
      const floor = perEvent(api, "cpuMs");
      const name = `CLI <= 1.3x API, CPU per event, ${row.output === "lines off" ? "task lines off" : `output to a ${row.output}`}`;
      if (ours === undefined || floor === undefined) return [name, "not run", undefined, ""];
      const wallRatio = (perEvent(row, "wallMs") ?? NaN) / (perEvent(api, "wallMs") ?? NaN);
      const paired = pairedRatio(row, api);
      const rounds = paired === undefined ? "" : `; median of the ${row.runs.length} rounds' own ratios ${paired.toFixed(2)}x`;
      return [name, `${(ours / floor).toFixed(2)}x`, ours / floor <= 1.3, `${(ours * 1000).toFixed(1)} vs ${(floor * 1000).toFixed(1)} us at ${row.events} events (fastest runs)${rounds}; wall ${wallRatio.toFixed(2)}x`];
    });
}
