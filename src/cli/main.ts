import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Config } from "../config/load.js";
import { describe } from "../errors.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { liveViewFlags } from "./live-view-flags.js";
import type { CleanOptions } from "./clean.js";
import type { Output } from "./reporter.js";
import type { StoreHandover } from "../store/lease.js";
import { HANDOVER_ENV } from "./handover-env.js";

/*
 * Each command imports what it uses when it runs: --version and --help read
 * nothing but this module, and a run of a process file loads neither the
 * runs list, lint nor the live view. From the sources every module is a
 * round trip through tsx, and the test suite starts the CLI hundreds of times.
 */

export { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from "./exit-codes.js";

const HELP = `Usage: adhesive [file|folder]       run a process file (default: the folder's _adhesive.{ts,mts,cts,js,mjs,cjs})
       adhesive verify [file|folder] show which function each process element maps to, without running anything
       adhesive lint <file.bpmn>...  check BPMN files without running them
       adhesive types <file.bpmn>... [--out <file.d.ts>]
                                     write the processes' task, user task, message, gateway and job
                                     type names as a .d.ts (default adhesive-names.d.ts), so that tsc
                                     rejects task("Biuld") and editors complete the names
       adhesive clean [--keep N] [--dry-run]  remove finished run folders under temp_folder (kept: keep_runs)
       adhesive runs                 list this project's runs (runs_folder): state, tasks, duration
       adhesive runs show <id>       one run's task executions with times, outcomes and logs
       adhesive resume [id] [--retry] [--force]
                                     continue an interrupted run (default: the newest one); --retry
                                     runs a failed run's failed task again; --force continues even
                                     though the process changed where the run's tokens stand
       adhesive send <run> <message> [--data '<json>'] [--correlation '<expression>' | --key <key>]
                                    deliver a message to a running run's waiting message events
                                    (--key: a Camunda 8 correlation key)
       adhesive complete <run> <user task> [--data '<json>']
                                    answer a user task the run waits on (by name, element id or form id)
       adhesive cancel <run>        stop a running run for good: its tasks are cancelled and it ends
                                    "cancelled" (an interrupted run can be resumed, a cancelled one not)
       adhesive ui [--port N]       the console on 127.0.0.1: every run of this project (runs_folder),
                                    filtered by state, process or text, each with its diagram, timeline,
                                    executions and incident, Retry, Resume and Cancel, and a tasklist
                                    of the open user tasks; prints its URL with an access token, until Ctrl-C;
                                    with --store, the store's runs of every host too
       adhesive worker [file|folder] --store <url> --pool <name>... [--concurrency N]
                                    take the jobs of these pools from the store (redis://host:port/db)
                                    and run their task functions on this host (see docs/scale-out.md)
       adhesive serve [file] --store <url> [--ui] [--ui-port N]
                                    a standby: takes over the store's runs whose orchestrator stopped
                                    renewing its lease, each with adhesive resume <id> --store;
                                    with --ui, the live view of every run in the store
       adhesive retry <run> <task> --store <url>
                                    put a remote task's incident (its job ran out of stalls) back for its pool

Options:
  -h, --help        show this help
  -v, --version     show the version
  --data <json>     initial data for every process the file starts, merged over its initialData
  --data @<file>    the same, read from a JSON file (relative to the working directory)
  --no-color        no colours even on a terminal
  --ui              live view of the runs on 127.0.0.1 (prints its URL with an access token);
                    also with resume, and with runs (the page stays up until Ctrl-C)
  --ui-port <n>     the live view's port (default: ui_port from the config, else a free one)
  --port <n>        adhesive ui: the console's port (default: ui_port from the config, else a free one)
  --keep <n>        adhesive clean: keep the newest n finished runs (default 0)
  --dry-run         adhesive clean: only list what would be removed
  --store <url>     run in a store (redis://host:port/db; the store key): the journal, lease and registry
                    live in Redis, the tasks of lanes mapped to pools run on adhesive workers

Exit codes: 0 ok, 1 the process failed, 2 bad usage or invalid input,
            130 / 143 / 129 stopped by SIGINT / SIGTERM / SIGHUP.
`;

export interface CliIo {
  out: Output;
  err: Output;
  color: boolean;
  cwd: string;
}

/** What the commands get: the terminal, and the configuration of the project the CLI runs in. */
export interface CliContext extends CliIo {
  config: Config;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // these take options of their own (--data, --correlation)
  if (argv[0] === "send" || argv[0] === "complete" || argv[0] === "cancel") return (await import("./inbox-commands.js")).inboxCommand(argv, io);
  if (argv[0] === "types") return (await import("./types-file.js")).typesCommand(argv.slice(1), io);
  if (argv[0] === "worker") return (await import("./worker.js")).workerCommand(argv.slice(1), io);
  if (argv[0] === "retry") return (await import("./retry.js")).retryCommand(argv.slice(1), io);
  if (argv[0] === "serve") return (await import("./serve.js")).serveCommand(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        "no-color": { type: "boolean" },
        data: { type: "string", multiple: true },
        keep: { type: "string" },
        "dry-run": { type: "boolean" },
        ui: { type: "boolean" },
        "ui-port": { type: "string" },
        port: { type: "string" },
        retry: { type: "boolean" },
        force: { type: "boolean" },
        store: { type: "string" },
      },
    });
  } catch (error) {
    io.err.write(`adhesive: ${describe(error)}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) return print(io.out, HELP);
  if (parsed.values.version) return print(io.out, `${version()}\n`);
  let config: Config;
  try {
    config = await (await import("../config/load.js")).loadConfig({ cwd: io.cwd });
  } catch (error) {
    return reportFailure(error, { ...io, color: io.color && !parsed.values["no-color"] });
  }
  const color = !parsed.values["no-color"] && (config.color ?? io.color);
  // --store wins over the store key, for this command only
  if (parsed.values.store !== undefined) config = { ...config, store: parsed.values.store };
  const [command, ...rest] = parsed.positionals;
  const context = { ...io, color, config };
  const ui = liveViewFlags(parsed.values.ui, parsed.values["ui-port"]);
  if (typeof ui === "string") {
    io.err.write(`adhesive: ${ui}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  if (ui !== undefined && (command === "lint" || command === "clean" || command === "verify" || command === "ui")) {
    io.err.write(`adhesive ${command}: --ui is for running a process file, adhesive resume and adhesive runs${command === "ui" ? " (adhesive ui takes --port)" : ""}\n`);
    return EXIT_USAGE;
  }
  if (parsed.values.port !== undefined && command !== "ui") {
    io.err.write(`adhesive: --port is for adhesive ui (a run's live view takes --ui-port)\n`);
    return EXIT_USAGE;
  }
  if (command === "ui") return serveConsole(rest, parsed.values.port, context);
  if (command === "lint") return lint(rest, context);
  if (command === "clean") return clean({ dryRun: parsed.values["dry-run"] ?? false, keep: parsed.values.keep }, rest, context);
  if (command === "runs") return runs(rest, context, ui);
  if (command === "resume") return resume(rest, { retry: parsed.values.retry ?? false, force: parsed.values.force ?? false }, context, ui);
  const file = command === "verify" ? rest[0] : command;
  if ((command === "verify" ? rest.length : parsed.positionals.length) > 1) {
    io.err.write(`adhesive: expected one process file, got ${parsed.positionals.join(" ")}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const { readData, runFile, verifyFile } = await import("./run-file.js");
  const data = await readData(parsed.values.data ?? [], context);
  if ("code" in data) return data.code;
  if (command === "verify") return verifyFile(file, data.data, context);
  return runFile(file, context, { data: data.data, ui });
}

async function serveConsole(args: string[], port: string | undefined, io: CliContext): Promise<number> {
  try {
    return await (await import("./ui.js")).serveConsole(args, port, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}

function print(out: Output, text: string): number {
  out.write(text);
  return EXIT_OK;
}

async function lint(files: string[], io: CliContext): Promise<number> {
  if (files.length === 0) {
    io.err.write(`adhesive lint: give at least one .bpmn file\n`);
    return EXIT_USAGE;
  }
  try {
    const { lintFiles } = await import("./lint.js");
    return (await lintFiles(io.out, io.color, files)) ? EXIT_OK : EXIT_FAILED;
  } catch (error) {
    return reportFailure(error, io);
  }
}

async function clean(options: CleanOptions, extra: string[], io: CliContext): Promise<number> {
  if (extra.length > 0) {
    io.err.write(`adhesive clean: takes no files (got ${extra.join(" ")}); it cleans temp_folder (${io.config.tempFolder})\n`);
    return EXIT_USAGE;
  }
  try {
    await (await import("./clean.js")).cleanRunFolders(options, io);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, io);
  }
}

/** `adhesive runs [show <id>]`; with --ui, the live view's runs list too, open until Ctrl-C. */
async function runs(args: string[], io: CliContext, ui?: { port: number | undefined }): Promise<number> {
  const runsIo = { ...io, runsFolder: io.config.runsFolder };
  if (io.config.store !== undefined) return storeRuns(args, io, ui);
  try {
    const { printRun, printRuns } = await import("./runs.js");
    if (args.length === 0) await printRuns(runsIo);
    else if (args[0] === "show" && args.length === 2) await printRun(args[1], runsIo);
    else {
      io.err.write(`adhesive runs: expected nothing, or show <id>; got ${args.join(" ")}\n`);
      return EXIT_USAGE;
    }
    if (ui !== undefined) await (await import("./live-view.js")).showRunsInLiveView(io.config, ui.port, io);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, io);
  }
}

/* `adhesive runs [show <id>] --store`: the runs of every host, from the store */
async function storeRuns(args: string[], io: CliContext, ui?: { port: number | undefined }): Promise<number> {
  if (!(args.length === 0 || (args[0] === "show" && args.length === 2))) {
    io.err.write(`adhesive runs: expected nothing, or show <id>; got ${args.join(" ")}\n`);
    return EXIT_USAGE;
  }
  try {
    const [{ connectStore }, { printStoreRun, printStoreRuns }] = await Promise.all([import("../store/connection.js"), import("./store-runs.js")]);
    const store = await connectStore(io.config.store!, { name: "adhesive-runs" });
    try {
      if (args.length === 0) await printStoreRuns(store, io);
      else await printStoreRun(store, args[1], io);
    } finally {
      await store.close();
    }
    if (ui !== undefined) await (await import("./live-view.js")).showRunsInLiveView(io.config, ui.port, io);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, io);
  }
}

async function resume(args: string[], how: { retry: boolean; force: boolean }, io: CliContext, ui?: { port: number | undefined }): Promise<number> {
  if (io.config.store !== undefined) return resumeFromStore(args, how, io, ui);
  if (args.length > 1) {
    io.err.write(`adhesive resume: expected at most one run id, got ${args.join(" ")}\n`);
    return EXIT_USAGE;
  }
  let target;
  try {
    target = await (await import("../runs/resume-target.js")).resumeTarget(args[0], how, io.config.runsFolder, io.cwd);
  } catch (error) {
    return reportFailure(error, io);
  }
  return (await import("./run-file.js")).runFile(target.file, io, { resume: target.resume, ui });
}

/* `adhesive resume <id> [file] --store <url>`: the run's journal is the store's stream; its lease says whether another process still runs it */
async function resumeFromStore(args: string[], how: { retry: boolean; force: boolean }, io: CliContext, ui?: { port: number | undefined }): Promise<number> {
  if (args.length < 1 || args.length > 2) {
    io.err.write(`adhesive resume: with a store, give the run's id (or a prefix only it has), and the process file when it is not where the run's journal says\n`);
    return EXIT_USAGE;
  }
  let target;
  try {
    const [{ connectStore }, { storeResumeTarget }] = await Promise.all([import("../store/connection.js"), import("../store/resume-target.js")]);
    const store = await connectStore(io.config.store!, { name: "adhesive-resume" });
    try {
      target = await storeResumeTarget(store, args[0], how, args[1]);
    } finally {
      await store.close();
    }
  } catch (error) {
    return reportFailure(error, io);
  }
  const handover = takenHandover();
  const resume = handover?.runId === target.resume.runId ? { ...target.resume, handover } : target.resume;
  return (await import("./run-file.js")).runFile(target.file, io, { resume, ui });
}

/*
 * The claim a standby (serve.ts) hands the resume it starts. Taken out of
 * the environment, so that the run's own tasks, which inherit it, do not
 * see it.
 */
function takenHandover(): StoreHandover | undefined {
  const text = process.env[HANDOVER_ENV];
  delete process.env[HANDOVER_ENV];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as StoreHandover;
  } catch {
    return undefined;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/* the failure report (failure.ts) is only loaded for a failure */
async function reportFailure(error: unknown, io: { err: Output; color: boolean; cwd: string }): Promise<number> {
  return (await import("./failure.js")).reportFailure(error, io);
}
