import { spawn } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config/load.js";
import { InboxError } from "../inbox/inbox-error.js";
import { ACTIONS_LOG_FILE } from "../runs/files.js";
import { stateOf } from "../runs/state.js";
import { readSummary } from "../runs/summary.js";
import type { RunState } from "../journal/records.js";
import type { RunPlaces } from "./run-lookup.js";

/* the installed package's CLI, from dist/web/ as from src/web/ */
const CLI = fileURLToPath(new URL("../../bin/adhesive.js", import.meta.url));
const CLAIM_POLL_MS = 50;
/* a process file that takes longer than this to start the run is left to it: the answer says it is still starting */
const CLAIM_WAIT_MS = 60_000;
/* what a refusal shows of the CLI's output */
const REFUSAL_LINES = 20;

/** A CLI process the console started (`adhesive resume <id> [--retry]`), while it runs. */
export interface StartedCli {
  runId: string;
  command: string;
  pid: number;
  /** its output, in the run folder */
  log: string;
}

const started = new Map<string, StartedCli>();

/** The CLI processes the console started that still run: stopping the console leaves them running, and says so. */
export function runningClis(): StartedCli[] {
  return [...started.values()];
}

export interface Resumed {
  pid: number;
  /** the process took the run over (its summary names it); false: it was still starting when the wait ended */
  claimed: boolean;
  state: RunState | undefined;
}

/**
 * Runs `adhesive resume <id> [--retry]`: the real CLI in the project's
 * folder with the console's environment, so that the process file loads as
 * when the user runs it, and the resume and its journal record are the
 * CLI's own. It runs on its own (its own process group, its output
 * appended to the run folder's actions.log), with a live view of its own so
 * that its user tasks wait for an answer (the tasklist) instead of failing
 * for want of a terminal. Resolves once its summary names the process (it
 * took the run over), or it ended; a CLI that ends without taking the run
 * (the resume's checks refused it) is an ADHESIVE_ACTION_REFUSED with what
 * it printed.
 */
export async function resumeInCli(places: RunPlaces, run: { id: string; folder: string }, retry: boolean): Promise<Resumed> {
  const busy = started.get(run.id);
  if (busy !== undefined) throw new InboxError("ADHESIVE_ACTION_REFUSED", `run ${run.id} has been handed to ${busy.command} already (pid ${busy.pid})`, 409);
  const args = ["resume", run.id, ...(retry ? ["--retry"] : []), "--ui", ...(await portOption(places.project))];
  const command = `adhesive ${args.slice(0, retry ? 3 : 2).join(" ")}`;
  const log = join(run.folder, ACTIONS_LOG_FILE);
  const from = await stat(log).then((info) => info.size, () => 0);
  const fd = openSync(log, "a", 0o600);
  let pid: number | undefined;
  let ended = false;
  try {
    writeSync(fd, `--- ${new Date().toISOString()} adhesive ui: ${command}\n`);
    // the console's runs folder, whatever the configuration the CLI reads there says
    const child = spawn(process.execPath, [CLI, ...args], { cwd: places.project, env: { ...process.env, ADHESIVE_RUNS_FOLDER: places.runsFolder }, detached: true, stdio: ["ignore", fd, fd] });
    await new Promise<void>((resolve, reject) => child.once("spawn", resolve).once("error", reject));
    pid = child.pid!;
    const entry: StartedCli = { runId: run.id, command, pid, log };
    started.set(run.id, entry);
    child.once("exit", () => {
      ended = true;
      started.delete(run.id);
    });
    // the console may stop before it: the CLI goes on (see runningClis)
    child.unref();
  } finally {
    closeSync(fd);
  }
  const deadline = Date.now() + CLAIM_WAIT_MS;
  for (;;) {
    const gone = ended;
    const summary = await readSummary(run.folder);
    if (summary?.pid === pid) return { pid, claimed: true, state: stateOf(summary) };
    if (gone) throw new InboxError("ADHESIVE_ACTION_REFUSED", `${command} did not take the run over:\n${await outputSince(log, from)}`, 409);
    if (Date.now() > deadline) return { pid, claimed: false, state: summary === undefined ? undefined : stateOf(summary) };
    await sleep(CLAIM_POLL_MS);
  }
}

/*
 * A ui_port in the configuration would send the CLI's live view to the
 * port the console has: it gets a free one. (Without one it finds its own.)
 */
async function portOption(project: string): Promise<string[]> {
  const config = await loadConfig({ cwd: project });
  return config.uiPort === undefined ? [] : ["--ui-port", String(await freePort())];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/* the last lines the CLI printed, without its live view's address (which carries that view's token) */
async function outputSince(log: string, from: number): Promise<string> {
  const handle = await open(log, "r");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - from));
    await handle.read(buffer, 0, buffer.length, from);
    const lines = buffer.toString("utf8").split("\n").filter((line) => line.trim() !== "" && !line.startsWith("---") && !line.startsWith("live view:"));
    return lines.slice(-REFUSAL_LINES).join("\n") || "(it printed nothing)";
  } finally {
    await handle.close();
  }
}
