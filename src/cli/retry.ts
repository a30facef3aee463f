/*
 * `adhesive retry <run> <task> --store <url>`: an incident's job (a remote
 * task whose job ran out of stalls) back to its pool's workers
 * (src/store/retry-incident.ts). Exit 0 once it is back, 1 when there is no
 * such incident, 2 for bad usage.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.js";
import { describe } from "../errors.js";
import { connectStore } from "../store/connection.js";
import { retryIncident } from "../store/retry-incident.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import type { CliIo } from "./main.js";

const USAGE = "Usage: adhesive retry <run> <task> --store <redis://host:port/db>\n";

export async function retryCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { store: { type: "string" } } });
  } catch (error) {
    io.err.write(`adhesive retry: ${describe(error)}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const [run, task, ...extra] = parsed.positionals;
  if (run === undefined || task === undefined || extra.length > 0) {
    io.err.write(`adhesive retry: give a run id and a task (element id, name or number)\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    const url = parsed.values.store ?? (await loadConfig({ cwd: io.cwd })).store;
    if (url === undefined) {
      io.err.write(`adhesive retry: which store? give --store <url> (or set the store key); runs on one host are retried with adhesive resume --retry\n${USAGE}`);
      return EXIT_USAGE;
    }
    const store = await connectStore(url, { name: "adhesive-retry" });
    try {
      const incident = await retryIncident(store, run, task);
      io.out.write(`retried task ${incident.task} (${incident.node}) of run ${run}: job ${incident.job} is back in queue ${incident.queue}\n`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  } catch (error) {
    io.err.write(`adhesive retry: ${describe(error)}\n`);
    return EXIT_FAILED;
  }
}
