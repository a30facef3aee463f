import type { LiveViewOptions } from "../api/types.js";
import type { Store } from "../store/connection.js";
import type { LiveServer } from "./server.js";

let server: Promise<LiveServer> | undefined;

/**
 * The process's one live-view server, started by the first run that asks
 * for it (or by the CLI's --ui); later runs appear on the same page. It
 * lists past runs from the run folders in `runsFolder` (runs_folder), of the project
 * in the current working folder, and with a `store` the runs of every host
 * in it (store-run.ts).
 */
export function ensureLiveView(options: LiveViewOptions, runsFolder: string, store?: Store): Promise<LiveServer> {
  if (server !== undefined) return server;
  // the server (node:http, the API, the page) loads when a live view is first asked for
  server = import("./server.js")
    .then(({ startLiveServer }) => startLiveServer({ runsFolder, project: process.cwd(), store }, options.port ?? 0))
    .then((started) => {
      (options.onUrl ?? printUrl)(started.url);
      return started;
    });
  // a port in use fails this run, and the next one may try again
  server.catch(() => (server = undefined));
  return server;
}

/** Closes the server, if one was started (tests, embedders). */
export async function closeLiveView(): Promise<void> {
  const running = server;
  server = undefined;
  if (running !== undefined) await (await running).close();
}

function printUrl(url: string): void {
  process.stderr.write(`live view: ${url}\n`);
}
