/*
 * Running a process file from the CLI (`adhesive [file]`, `adhesive verify`,
 * `adhesive resume`): the API, the runtime, the reporter and the terminal
 * that a run needs. main.ts imports this module only for those commands, so
 * that --version, --help and the commands that run nothing do not load them.
 */
import { register } from "node:module";
import { createColors } from "picocolors";
import type { Config } from "../config/load.js";
import { activeRuns } from "../runtime/run.js";
import { defaultAdhesive } from "../index.js";
import { applyRetention } from "./clean.js";
import { readDataOptions } from "./data-option.js";
import { EXIT_OK } from "./exit-codes.js";
import { reportFailure } from "./failure.js";
import { findProcessFile } from "./process-file.js";
import { importProcessFile as importModule } from "../loader/import-process-file.js";
import { exitCodeOfRuns, RunWatch } from "./wait-for-runs.js";
import { terminalReporter } from "./reporter.js";
import { openScreen } from "./screen.js";
import { listenForInterrupts } from "./signals.js";
import { hintResume } from "./resume.js";
import { shown } from "../terminal-text.js";
import type { CliContext } from "./main.js";

/** `--data`: initial data for every process the file starts; undefined when it is fine, else the exit code of the failure reported. */
export async function useDataOptions(values: readonly string[], io: CliContext): Promise<number | undefined> {
  try {
    defaultAdhesive.dataOverride = await readDataOptions(values, io.cwd);
    return undefined;
  } catch (error) {
    return reportFailure(error, io);
  }
}

/** `adhesive verify [file]`. */
export async function verifyFile(file: string | undefined, io: CliContext): Promise<number> {
  return (await import("./verify.js")).verifyProcessFile(() => importProcessFile(file, io), io);
}

/** Runs the process file and waits for the runs it starts; returns the exit code. `hint`: point to an interrupted last run (not when resuming it). */
export async function runFile(file: string | undefined, io: CliContext, hint = true, ui?: { port: number | undefined }): Promise<number> {
  const interrupts = listenForInterrupts(io.err);
  const { config } = io;
  const onSigusr1 = () => printStatus(io);
  process.on("SIGUSR1", onSigusr1);
  const screen = openScreen(io.out, io.err);
  const taskLines = config.logLevel === "trace" || config.logLevel === "debug" || config.logLevel === "info";
  const reporter = terminalReporter(io.out, io.color, { taskLines, taskLineRate: config.taskLineRate, cwd: io.cwd, screen });
  defaultAdhesive.defaults = {
    ...defaultAdhesive.defaults,
    reporter,
    signal: interrupts.signal,
    tempFolder: config.tempFolder,
    poolSize: config.poolSize,
    stdout: config.stdout,
    parallelProcessing: config.parallelProcessing,
    taskLimit: config.taskLimit,
    inbox: true,
    runsFolder: config.runsFolder,
    journal: config.journal,
    journalFsync: config.journalFsync,
    keepRuns: config.keepRuns,
  };
  const runs = new RunWatch();
  try {
    await applyRetention(config, io.cwd, io.err);
    if (hint) await hintResume(file, io);
    const liveView = ui === undefined ? undefined : await import("./live-view.js");
    const view = ui === undefined ? undefined : await liveView!.startCliLiveView(config, ui.port, io);
    if (view !== undefined) defaultAdhesive.defaults.liveView = true;
    const code = await loadProcessFile(file, io);
    const failure = (error: unknown) => reportFailure(error, { ...io, verbose: verbose(io.config) });
    const ended = code === EXIT_OK ? await exitCodeOfRuns(runs, file ?? "the process file", failure, io.err) : code;
    const result = interrupts.exitCode() ?? ended;
    view?.stop();
    // the Ctrl-C that closes the page afterwards does not change how the runs went
    if (view !== undefined && result === ended) await liveView!.keepLiveViewOpen(view.url, io);
    return result;
  } finally {
    runs.stop();
    reporter.printSummaries();
    screen?.close();
    interrupts.dispose();
    process.off("SIGUSR1", onSigusr1);
  }
}

/** Runs the user's process file; its top-level code runs the processes. */
async function loadProcessFile(given: string | undefined, io: CliContext): Promise<number> {
  try {
    await importProcessFile(given, io);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, { ...io, verbose: verbose(io.config) });
  }
}

/** Imports the process file (TypeScript included, in any project type). */
async function importProcessFile(given: string | undefined, io: CliContext): Promise<void> {
  const file = await findProcessFile(given, io.cwd);
  usePlugins(io.config.plugins);
  // worker threads import the same file to find the task functions
  defaultAdhesive.defaults = { ...defaultAdhesive.defaults, processFile: file };
  await importModule(file);
}

function verbose(config: Config): boolean {
  return config.logLevel === "trace" || config.logLevel === "debug";
}

let pluginsRegistered = false;

/* Bare imports of the process file that Node cannot resolve are looked up in the plugin folders. */
function usePlugins(folders: readonly string[]): void {
  if (folders.length === 0 || pluginsRegistered) return;
  pluginsRegistered = true;
  // .ts when run from the sources, .js from dist/
  register(new URL(`./plugin-resolver${import.meta.url.slice(import.meta.url.lastIndexOf("."))}`, import.meta.url), { data: { folders } });
}

/** SIGUSR1: where every token of every running process is, without stopping anything. */
function printStatus(io: CliContext): void {
  const c = createColors(io.color);
  if (activeRuns.size === 0) io.err.write("status: no process is running\n");
  for (const run of activeRuns) {
    const tokens = run.liveTokens();
    io.err.write(`${c.bold("status")} ${run.source} (${run.executionId}): ${tokens.length} live token${tokens.length === 1 ? "" : "s"}\n`);
    for (const token of tokens) {
      // rendered names, loop values and data keys come from data: masked, control characters escaped
      const loop = token.loop === undefined ? "" : ` [${shown(token.loop)}]`;
      io.err.write(`  #${token.tokenId} ${shown(token.name || token.elementId)} (${shown(token.elementId)})${loop}: ${token.state}; data: ${shown(token.dataKeys.join(", ")) || "-"}\n`);
    }
  }
}
