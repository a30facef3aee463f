/*
 * `adhesive serve [file] --store <url>`: a standby orchestrator. It claims
 * each running run of the store whose lease ran out (its orchestrator died,
 * hung or was cut off) and hands the claim to `adhesive resume <id>
 * --store` in a child process of its own (standby.ts): the replay of the
 * journal stream and the adoption of the jobs in flight are the resume
 * path's (src/runtime/store-record.ts, src/store/task-queue.ts), and each
 * run keeps its own process, as it had on the host it came from. Two
 * standbys may try the same run: one claim wins. SIGINT or SIGTERM stops
 * claiming and passes the signal on to the runs taken over.
 *
 * With --ui it serves the live view of every run in the store, of every
 * host (src/web/store-run.ts), besides the runs of this project's folder.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.js";
import { describe } from "../errors.js";
import { connectStore, type Store } from "../store/connection.js";
import { registerKnownSecrets } from "../secrets/known-secrets.js";
import { ensureLiveView } from "../web/live-view.js";
import type { LiveServer } from "../web/server.js";
import { EXIT_USAGE } from "./exit-codes.js";
import { liveViewFlags } from "./live-view-flags.js";
import { reportFailure } from "./failure.js";
import type { CliIo } from "./main.js";
import { SIGNAL_EXIT_CODES, type StopSignal } from "./signals.js";
import { Standby } from "./standby.js";

const USAGE = "Usage: adhesive serve [file] --store <redis://host:port/db> [--ui] [--ui-port N]\n";

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
  const standby = new Standby({ store, url, leaseMs, file: parsed.positionals[0], cwd: io.cwd, out: (text) => io.out.write(text), err: (text) => io.err.write(text) });
  standby.start();
  io.out.write(`serve: standing by for the runs of ${store.address.shown} (a run whose lease of ${leaseMs / 1000} s runs out is taken over)\n`);
  const signal = await new Promise<StopSignal>((resolve) => {
    for (const name of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) process.once(name, () => resolve(name));
  });
  await standby.stop(signal);
  await view?.close();
  await store.close();
  return SIGNAL_EXIT_CODES[signal];
}
