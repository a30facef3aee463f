/*
 * `adhesive serve [file] --store <url>`: a standby orchestrator. Every third
 * of the lease time it looks for runs of the store that are running and
 * whose lease ran out (their orchestrator died, hung or was cut off), and
 * takes each over with `adhesive resume <id> --store` in a child process of
 * its own: the claim, the replay of the journal stream, the adoption of
 * the jobs in flight are the resume path's (src/runtime/store-record.ts,
 * src/store/task-queue.ts), and each run keeps its own process, as it had
 * on the host it came from. Two standbys may try the same run: one claim
 * wins, the other resume is refused and ends. SIGINT or SIGTERM stops
 * looking and passes the signal on to the runs taken over.
 *
 * With --ui it serves the live view of every run in the store, of every
 * host (src/web/store-run.ts), besides the runs of this project's folder.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.js";
import { describe } from "../errors.js";
import { connectStore, type Store } from "../store/connection.js";
import { runKeys } from "../store/keys.js";
import { listStoreRuns } from "../store/registry.js";
import { registerKnownSecrets } from "../secrets/known-secrets.js";
import { ensureLiveView } from "../web/live-view.js";
import type { LiveServer } from "../web/server.js";
import { EXIT_USAGE } from "./exit-codes.js";
import { liveViewFlags } from "./live-view-flags.js";
import { reportFailure } from "./failure.js";
import type { CliIo } from "./main.js";
import { SIGNAL_EXIT_CODES, type StopSignal } from "./signals.js";

const USAGE = "Usage: adhesive serve [file] --store <redis://host:port/db> [--ui] [--ui-port N]\n";
/* the longest pause between two looks at the store */
const MAX_SCAN_MS = 1000;

export async function serveCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { store: { type: "string" }, ui: { type: "boolean" }, "ui-port": { type: "string" }, "no-color": { type: "boolean" } } });
  } catch (error) {
    io.err.write(`adhesive serve: ${describe(error)}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (parsed.positionals.length > 1) {
    io.err.write(`adhesive serve: at most one process file\n${USAGE}`);
    return EXIT_USAGE;
  }
  const ui = liveViewFlags(parsed.values.ui, parsed.values["ui-port"]);
  if (typeof ui === "string") {
    io.err.write(`adhesive serve: ${ui}\n${USAGE}`);
    return EXIT_USAGE;
  }
  let store: Store;
  let leaseMs: number;
  let url: string | undefined;
  let view: LiveServer | undefined;
  try {
    const config = await loadConfig({ cwd: io.cwd });
    url = parsed.values.store ?? config.store;
    if (url === undefined) {
      io.err.write(`adhesive serve: which store? give --store <url> (or set the store key)\n${USAGE}`);
      return EXIT_USAGE;
    }
    leaseMs = config.leaseTtlMs;
    store = await connectStore(url, { name: `adhesive-standby ${process.pid}` });
    if (ui !== undefined) {
      // the console's masking, as adhesive ui has it: values a run journaled before it read them are masked too
      await registerKnownSecrets({ projectFolder: io.cwd });
      view = await ensureLiveView({ port: ui.port ?? config.uiPort, onUrl: (address) => io.err.write(`live view: ${address}\n`) }, config.runsFolder, store);
    }
  } catch (error) {
    return reportFailure(error, io);
  }
  const file = parsed.positionals[0];
  const taken = new Map<string, ChildProcess>();
  let stopping = false;
  const takeOver = (runId: string, owner: string): void => {
    io.out.write(`serve: taking over run ${runId} (its lease ran out; it was run by ${owner})\n`);
    const args = [process.argv[1], "resume", runId, ...(file === undefined ? [] : [file])];
    // the URL (and its password) through the environment: a command line is anyone's to read in ps
    const child = spawn(process.execPath, args, { cwd: io.cwd, env: { ...process.env, ADHESIVE_STORE: url }, stdio: ["ignore", "pipe", "pipe"] });
    const label = `[${runId.slice(0, 8)}] `;
    child.stdout!.on("data", (chunk: Buffer) => io.out.write(chunk.toString().replace(/^(?=.)/gm, label)));
    child.stderr!.on("data", (chunk: Buffer) => io.err.write(chunk.toString().replace(/^(?=.)/gm, label)));
    child.once("exit", (code, signal) => {
      taken.delete(runId);
      io.out.write(`serve: run ${runId} ${code === 0 ? "ended" : `stopped (${signal ?? `exit code ${code}`})`}\n`);
    });
    taken.set(runId, child);
  };
  const scan = async (): Promise<void> => {
    for (const entry of await listStoreRuns(store)) {
      if (stopping || entry.state !== "running" || taken.has(entry.runId)) continue;
      if ((await store.redis.exists(runKeys(entry.runId).lease)) === 1) continue;
      takeOver(entry.runId, entry.owner === undefined ? "nobody known" : `pid ${entry.owner.pid} on ${entry.owner.host}`);
    }
  };
  let scanning = false;
  const timer = setInterval(() => {
    if (scanning) return;
    scanning = true;
    scan()
      .catch((error: unknown) => io.err.write(`serve: cannot look at the store: ${describe(error)}\n`))
      .finally(() => (scanning = false));
  }, Math.min(MAX_SCAN_MS, Math.max(50, Math.floor(leaseMs / 3))));
  io.out.write(`serve: standing by for the runs of ${store.address.shown} (a run whose lease of ${leaseMs / 1000} s runs out is taken over)\n`);
  const signal = await new Promise<StopSignal>((resolve) => {
    for (const name of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) process.once(name, () => resolve(name));
  });
  stopping = true;
  clearInterval(timer);
  const children = [...taken.values()];
  for (const child of children) child.kill(signal);
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once("exit", resolve)))));
  await view?.close();
  await store.close();
  return SIGNAL_EXIT_CODES[signal];
}
