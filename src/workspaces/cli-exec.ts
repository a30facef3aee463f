import { posix } from "node:path";
/**
 * What the docker and kube workspaces share: they turn every operation into
 * an argument vector for a CLI (`docker`, `kubectl`) and run it through
 * their parent workspace's `run`, so the parent's cancellation, output
 * capture and location (local machine or ssh host) apply.
 */
import { randomBytes } from "node:crypto";
import quote from "shell-quote/quote.js";
import { UsageError } from "../errors.js";
import { CommandError } from "./command-error.js";
import { commandWords } from "./command-words.js";
import type { CommandOptions, Workspace } from "./workspace.js";

/**
 * Joins an argument vector into one command line for the parent's
 * `/bin/sh -c`, each argument quoted so that it arrives byte for byte as one
 * argument (spaces, quotes, `$`, backticks, `!`, newlines included).
 * shell-quote's `quote` does the quoting (single quotes where it can,
 * double quotes with `"`, `\`, `$` and backtick escaped otherwise).
 */
export function commandLine(argv: readonly string[]): string {
  return quote(argv);
}

/** The parent's `run`, always through its POSIX shell (the command line is quoted for one). */
export function runArgv(parent: Workspace, argv: readonly string[], options: { capture?: boolean } = {}): Promise<string> {
  return parent.run(commandLine(argv), { shell: true, capture: options.capture ?? false });
}

/**
 * The argument vector that runs `command` the way `workspace.run` promises:
 * through `defaultShell` (or the shell named by `options.shell`), or split
 * into words (command-words.ts) and run directly with `shell: false`.
 */
export function shellArgv(command: string, shell: CommandOptions["shell"], defaultShell: string): string[] {
  if (shell === false) return commandWords(command);
  return [typeof shell === "string" ? shell : defaultShell, "-c", command];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `K=V` strings for `-e`/`env`; names that would break the `K=V` form are refused. */
export function envPairs(env: Record<string, string> | undefined, where: string): string[] {
  if (env === undefined) return [];
  return Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new UsageError(`${where}: invalid environment variable name ${JSON.stringify(name)}`);
    return `${name}=${value}`;
  });
}

/**
 * A CommandError of the CLI call turned into one about the user's command:
 * the user sees `command \`make\` exited with code 2 in docker container x`,
 * not the `docker exec ...` line; the CLI's output (the command's own output)
 * is kept. Other errors (cancellation) pass through unchanged.
 */
export function asUserCommandError(error: unknown, command: string, where: string): unknown {
  if (!(error instanceof CommandError)) return error;
  return new CommandError(command, error.exitCode, error.signal, error.output, `${howItEnded(error)} ${where}`, { cause: error });
}

/** How a failed CLI call ended: "exited with code 1", "was killed by SIGTERM", "could not start". */
export function howItEnded(error: CommandError): string {
  return error.exitCode !== undefined ? `exited with code ${error.exitCode}` : error.signal ? `was killed by ${error.signal}` : "could not start";
}

/** howItEnded, then the CLI's last output lines (what it said on stderr) as a quoted block, for messages of errors about it. */
export function cliFailure(error: CommandError): string {
  return error.output ? `${howItEnded(error)}:\n${indented(error.output)}` : howItEnded(error);
}

/** A short random suffix for container names and temporary folders. */
export function randomSuffix(): string {
  return randomBytes(6).toString("hex");
}

/**
 * The parent as used for teardown (stopping a container, removing files):
 * not tied to the task's signal, so it still works after the task was
 * cancelled, and printing where the parent prints.
 */
export function uncancellable(parent: Workspace): Workspace {
  return parent.forTask({ signal: undefined, output: undefined });
}

/** `text` indented as a quoted block (error messages). */
export function indented(text: string): string {
  return text
    .split("\n")
    .map((line) => `  | ${line}`)
    .join("\n");
}

/**
 * withTempFolder for workspaces whose folders live elsewhere (a container,
 * a pod): a fresh `.tmp-*` folder under `pwd`, handed over as a workspace
 * by `at`, always removed afterwards.
 */
export async function withTempSubfolder<W extends Workspace, T>(
  workspace: { readonly pwd: string; mkdir(path: string): Promise<void>; rm(path?: string): Promise<void> },
  at: (folder: string) => W,
  fn: (workspace: Workspace) => T | Promise<T>,
): Promise<T> {
  const folder = posix.join(workspace.pwd, `.tmp-${randomSuffix()}`);
  await workspace.mkdir(folder);
  try {
    return await fn(at(folder));
  } finally {
    await workspace.rm(folder);
  }
}
