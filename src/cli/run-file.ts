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
import { configuredOptions, RunSession, type ResumeTarget } from "../api/run-session.js";
import type { Data } from "../engine/data.js";
import { applyRetention } from "./clean.js";
import { readDataOptions } from "./data-option.js";
import { EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
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

/** `--data`: initial data for every process the file starts; `{ code }` when it cannot be read (the failure reported). */
export async function readData(values: readonly string[], io: CliContext): Promise<{ data: Data | undefined } | { code: number }> {
  try {
    return { data: await readDataOptions(values, io.cwd) };
  } catch (error) {
    return { code: reportFailure(error, io) };
  }
}

/** `adhesive verify [file]`. */
export async function verifyFile(file: string | undefined, data: Data | undefined, io: CliContext): Promise<number> {
  return (await import("./verify.js")).verifyProcessFile(() => importProcessFile(file, io), data, io);
}

/** How `runFile` runs the file: `--data`, the run `adhesive resume` continues, `--ui`. */
export interface RunFileOptions {
  data?: Data;
  /** the file's first run of the journal's process continues this run; no hint about an interrupted last run then */
  resume?: ResumeTarget;
  ui?: { port: number | undefined };
}

/**
 * Runs the process file under a RunSession made of the configuration and
 * the flags, and waits for the runs it starts; returns the exit code.
 */
export async function runFile(given: string | undefined, io: CliContext, how: RunFileOptions = {}): Promise<number> {
  let file: string;
  try {
    file = await findProcessFile(given, io.cwd);
  } catch (error) {
    return reportFailure(error, io);
  }
  // a failure shows where bpmnBuild loads it
  const moddle = loadModdleFirst(file).catch(() => undefined);
  // the CLI's runs all have an inbox: its modules (src/live) are read while the process file loads, not between the run's set-up and its first task
  void import("../live/live-run.js").catch(() => undefined);
  const interrupts = listenForInterrupts(io.err);
  const { config } = io;
  const onSigusr1 = () => printStatus(io);
  process.on("SIGUSR1", onSigusr1);
  const screen = openScreen(io.out, io.err);
  const taskLines = config.logLevel === "trace" || config.logLevel === "debug" || config.logLevel === "info";
  const reporter = terminalReporter(io.out, io.color, { taskLines, taskLineRate: config.taskLineRate, cwd: io.cwd, screen });
  let leave: (() => void) | undefined;
  let runs: RunWatch | undefined;
  // the old runs' folders are removed while the process file loads and runs, not before (never the new run: it is not finished)
  const retention = applyRetention(config, io.cwd, io.err);
  try {
    if (how.resume === undefined) await hintResume(file, io);
    const liveView = how.ui === undefined ? undefined : await import("./live-view.js");
    const view = how.ui === undefined ? undefined : await liveView!.startCliLiveView(config, how.ui.port, io);
    const session = new RunSession({
      // worker threads import the same file to find the task functions
      options: { ...configuredOptions(config), reporter, signal: interrupts.signal, inbox: true, processFile: file, ...(view === undefined ? {} : { liveView: true }) },
      data: how.data,
      resume: how.resume,
    });
    runs = new RunWatch(session);
    leave = session.enter();
    await moddle;
    const code = await loadProcessFile(file, io);
    const failure = (error: unknown) => reportFailure(error, { ...io, verbose: verbose(io.config) });
    const ended = code === EXIT_OK ? await exitCodeOfRuns(runs, given ?? "the process file", failure, io.err) : code;
    const result = interrupts.exitCode() ?? (ended === EXIT_OK && how.resume !== undefined && !session.resumed ? notResumed(file, how.resume, io) : ended);
    view?.stop();
    // the Ctrl-C that closes the page afterwards does not change how the runs went
    if (view !== undefined && result === ended) await liveView!.keepLiveViewOpen(view.url, io);
    return result;
  } finally {
    leave?.();
    runs?.stop();
    reporter.printSummaries();
    screen?.close();
    interrupts.dispose();
    process.off("SIGUSR1", onSigusr1);
    await retention;
  }
}

function notResumed(file: string, target: ResumeTarget, io: CliContext): number {
  io.err.write(`adhesive resume: ${file} did not start process "${target.processId}", which run ${target.runId} ran\n`);
  return EXIT_USAGE;
}

/** Runs the user's process file; its top-level code runs the processes. */
async function loadProcessFile(file: string, io: CliContext): Promise<number> {
  try {
    usePlugins(io.config.plugins);
    await importModule(file, io.config.plugins);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, { ...io, verbose: verbose(io.config) });
  }
}

/** Imports the process file (TypeScript included, in any project type). */
async function importProcessFile(given: string | undefined, io: CliContext): Promise<void> {
  const file = await findProcessFile(given, io.cwd);
  await loadModdleFirst(file);
  usePlugins(io.config.plugins);
  await importModule(file, io.config.plugins);
}

/*
 * bpmn-moddle and the packages it brings (moddle, moddle-xml, saxen) name
 * source map files, which Node reads and parses for every module it loads
 * while source maps are on: a TypeScript process file turns them on (its
 * stack traces name its .ts lines, src/loader/commonjs.ts), and its first
 * bpmnBuild loads bpmn-moddle (src/bpmn/moddle.ts). Loaded before the file,
 * alongside the run's first reads, they cost half as much CPU. A run reads
 * its BPMN files, so this loads nothing a run does not.
 */
async function loadModdleFirst(file: string): Promise<void> {
  if (/\.[cm]?tsx?$/.test(file)) await import("bpmn-moddle");
}

function verbose(config: Config): boolean {
  return config.logLevel === "trace" || config.logLevel === "debug";
}

/* a once-guard, not a switch: a resolve hook registered stays for the process, and a second one would look up every import twice */
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
