import { createColors } from "picocolors";
import type { Config } from "../config/load.js";
import { onFormOpened, onRunListed } from "../live/registry.js";
import { registerKnownSecrets } from "../secrets/known-secrets.js";
import { shown } from "../terminal-text.js";
import { runningClis } from "../web/actions-cli.js";
import { ensureLiveView } from "../web/live-view.js";
import { shortPath } from "./paths.js";
import type { CliIo } from "./main.js";

/**
 * `adhesive --ui` and `adhesive resume --ui`: the live view starts before
 * the process file loads (a port in use fails before anything runs); each
 * run the file starts prints the address of its page (with the access
 * token) as it starts, before its first task line. The runs list is a
 * click away. Off a terminal nobody can answer a form where the run prints,
 * so each form that opens gets a line saying where it can be answered.
 */
export async function startCliLiveView(config: Config, port: number | undefined, io: CliIo & { color: boolean }): Promise<{ url: string; stop(): void }> {
  const c = createColors(io.color);
  const server = await ensureLiveView({ port: port ?? config.uiPort, onUrl: () => undefined }, config.runsFolder);
  const stopListing = onRunListed((run) => io.err.write(`${c.bold("live view")}: ${runPageUrl(server.url, run.id)}\n`));
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const stopForms = terminal
    ? () => undefined
    : onFormOpened((run, form) => {
        // the task name may be rendered from data: masked, its control characters escaped
        const target = shown(JSON.stringify(form.taskName));
        io.err.write(`${c.cyan("user task")} ${shown(form.taskName)} waits for an answer: in the live view, or adhesive complete ${run.id.slice(0, 8)} ${target} --data '{...}'\n`);
      });
  return {
    url: server.url,
    stop: () => {
      stopListing();
      stopForms();
    },
  };
}

/** The address of a run's page on the server at `url` (the console's, with its token). */
export function runPageUrl(url: string, runId: string): string {
  const page = new URL(url);
  page.pathname = `/runs/${encodeURIComponent(runId)}`;
  return page.href;
}

/**
 * On a terminal, the page stays up after the runs end, to look at how they
 * went, until Ctrl-C; elsewhere (scripts, CI) the CLI exits as usual.
 */
export async function keepLiveViewOpen(url: string, io: CliIo & { color: boolean }): Promise<void> {
  if (!process.stdin.isTTY) return;
  const c = createColors(io.color);
  io.err.write(`${c.dim(`the runs ended; the live view stays at ${url} — press Ctrl-C to close it`)}\n`);
  // the server lets the process end when nothing else runs: this holds it open until Ctrl-C
  const hold = setInterval(() => undefined, 60_000);
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  clearInterval(hold);
  sayWhatGoesOn(io);
}

/**
 * `adhesive runs --ui`: the console with this project's runs (from
 * runs_folder) and, with a store, the store's runs of every host, its list first, up until Ctrl-C or SIGTERM, on a terminal
 * or not: it is what was asked for. `adhesive ui` without the listing on
 * the terminal.
 */
export async function showRunsInLiveView(config: Config, port: number | undefined, io: CliIo & { color: boolean; cwd: string }): Promise<void> {
  const c = createColors(io.color);
  // the console's masking, as adhesive ui has it: values a run journaled before it read them are masked too
  await registerKnownSecrets({ projectFolder: io.cwd });
  // with --store (or the store key), the store's runs of every host too; ioredis loads only then
  const store = config.store === undefined ? undefined : await (await import("../store/connection.js")).connectStore(config.store, { name: `adhesive-console ${process.pid}` });
  let server;
  try {
    server = await ensureLiveView({ port: port ?? config.uiPort, onUrl: (url) => io.err.write(`${c.bold("live view")}: ${url}\n`) }, config.runsFolder, store);
  } catch (error) {
    await store?.close();
    throw error;
  }
  io.err.write(`${c.dim("the live view stays up — press Ctrl-C to close it")}\n`);
  await serveUntilStopped(server);
  await store?.close();
  sayWhatGoesOn(io);
}

/**
 * A run the page retried or resumed goes on in the CLI process it started
 * (src/web/actions-cli.ts) when the page's server stops: said once per run,
 * with how to stop it.
 */
export function sayWhatGoesOn(io: CliIo & { color: boolean }): void {
  const c = createColors(io.color);
  for (const cli of runningClis()) {
    io.err.write(`${c.yellow("note")}: run ${cli.runId} goes on in process ${cli.pid} (${cli.command}, started from the page; its output: ${shortPath(cli.log, io.cwd)}); adhesive cancel ${cli.runId.slice(0, 8)} stops it\n`);
  }
}

/** Holds the process open (the server lets it end when nothing else runs) until SIGINT or SIGTERM, then closes the server. */
export async function serveUntilStopped(server: { close(): Promise<void> }): Promise<void> {
  const hold = setInterval(() => undefined, 60_000);
  await new Promise<void>((resolve) => {
    const close = (): void => {
      process.off("SIGINT", close);
      process.off("SIGTERM", close);
      resolve();
    };
    process.on("SIGINT", close);
    process.on("SIGTERM", close);
  });
  clearInterval(hold);
  await server.close();
}
