import { createColors } from "picocolors";
import type { Store } from "../store/connection.js";
import { registerKnownSecrets } from "../secrets/known-secrets.js";
import { ensureLiveView } from "../web/live-view.js";
import { liveViewFlags } from "./live-view-flags.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { sayWhatGoesOn, serveUntilStopped } from "./live-view.js";
import type { CliContext } from "./main.js";
import { shortPath } from "./paths.js";

/**
 * `adhesive ui [--port N]`: the console, with no run in progress: every run
 * of the project's runs folder, its list and each run's page (the live
 * view's server and page, src/web), until Ctrl-C or SIGTERM. The project's
 * secrets are read first, so that values a run journaled before it read
 * them are masked too. A run its page retried or resumed goes on in its own
 * CLI process when the console stops; the console says which. With a store
 * (--store, or the store key) it shows the store's runs of every host too.
 */
export async function serveConsole(args: string[], portOption: string | undefined, io: CliContext): Promise<number> {
  if (args.length > 0) {
    io.err.write(`adhesive ui: takes no files (got ${args.join(" ")}); it shows the runs of runs_folder (${shortPath(io.config.runsFolder, io.cwd)})\n`);
    return EXIT_USAGE;
  }
  const flags = liveViewFlags(true, portOption);
  if (typeof flags === "string") {
    io.err.write(`adhesive ui: ${flags.replace("--ui-port", "--port")}\n`);
    return EXIT_USAGE;
  }
  const c = createColors(io.color);
  await registerKnownSecrets({ projectFolder: io.cwd });
  const port = flags?.port ?? io.config.uiPort;
  let server;
  let store: Store | undefined;
  try {
    // ioredis loads only for a console with a store
    if (io.config.store !== undefined) store = await (await import("../store/connection.js")).connectStore(io.config.store, { name: `adhesive-console ${process.pid}` });
    server = await ensureLiveView({ port, onUrl: (url) => io.err.write(`${c.bold("console")}: ${url}\n`) }, io.config.runsFolder, store);
  } catch (error) {
    await store?.close();
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    io.err.write(`adhesive ui: port ${port} on 127.0.0.1 is in use; choose another with --port (or ui_port in the config), or leave both out for a free one\n`);
    return EXIT_FAILED;
  }
  io.err.write(`${c.dim(`serving the runs in ${shortPath(io.config.runsFolder, io.cwd)}${store === undefined ? "" : ` and in the store ${store.address.shown}`} — press Ctrl-C to stop`)}\n`);
  await serveUntilStopped(server);
  await store?.close();
  sayWhatGoesOn(io);
  return EXIT_OK;
}
