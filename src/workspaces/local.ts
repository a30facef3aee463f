import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { CommandGroup } from "../processes/groups.js";
import { describe } from "../errors.js";
import { CommandError } from "./command-error.js";
import { commandOutput } from "./command-output.js";
import { commandWords } from "./command-words.js";
import { copyFilter } from "./copy-filter.js";
import type { CommandOptions, TaskIo, Workspace } from "./workspace.js";

export interface LocalWorkspaceOptions {
  id: string;
  pwd: string;
  env?: Record<string, string>;
}

/**
 * Runs commands and touches files on this machine, in a folder of the run.
 * Commands run in their own process group so cancelling a task kills the
 * whole tree the shell started, not only the shell; a cancelled command's
 * run() settles only once that group is gone. node:child_process is all
 * they need: a library such as execa is ~150 modules to load for a run's
 * first command, more than adhesive's own run path.
 */
export class LocalWorkspace implements Workspace {
  readonly id: string;
  readonly pwd: string;
  readonly env: Record<string, string> | undefined;
  /** the task using this view: its signal and log (fixed fields: a view is made per task) */
  private readonly io: TaskIo | undefined;

  constructor(options: LocalWorkspaceOptions, io?: TaskIo) {
    this.id = options.id;
    this.pwd = options.pwd;
    this.env = options.env;
    this.io = io;
  }

  forTask(io: TaskIo): LocalWorkspace {
    return new LocalWorkspace(this, io);
  }

  async run(command: string, options: CommandOptions = {}): Promise<string> {
    const signal = this.io?.signal;
    signal?.throwIfAborted();
    const shell = options.shell ?? true;
    const cwd = options.cwd === undefined ? this.pwd : this.path(options.cwd);
    const [program, ...args] = shell === false ? commandWords(command) : [command];
    let child;
    try {
      child = spawn(program, args, { shell, cwd, env: { ...process.env, ...this.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    } catch (error) {
      // what Node refuses before starting anything: a NUL byte in the command or an environment variable
      throw new CommandError(command, undefined, undefined, "", `could not start: ${describe(error)}`, { cause: error });
    }
    const output = commandOutput(this.io?.output);
    const stdout: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      if (options.capture) stdout.push(chunk);
      output.out.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => output.err.write(chunk));
    const group = child.pid === undefined ? undefined : new CommandGroup(child.pid);
    const stop = signal && group ? killOn(signal, group) : undefined;
    const ended = await closed(child);
    stop?.();
    output.end();
    if (group?.killed) await group.kill();
    else group?.release();
    signal?.throwIfAborted();
    if (ended.error !== undefined) throw new CommandError(command, undefined, undefined, output.tail(), `could not start: ${startFailure(ended.error, cwd)}`);
    if (ended.code !== 0) throw new CommandError(command, ended.code ?? undefined, ended.signal ?? undefined, output.tail());
    return options.capture ? Buffer.concat(stdout).toString("utf8") : "";
  }

  async runOutput(command: string, options: Omit<CommandOptions, "capture"> = {}): Promise<string> {
    return (await this.run(command, { ...options, capture: true })).trim();
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    const target = this.path(path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }

  readFile(path: string): Promise<string> {
    return readFile(this.path(path), "utf8");
  }

  rm(path?: string): Promise<void> {
    return rm(path === undefined ? this.pwd : this.path(path), { recursive: true, force: true });
  }

  async mkdir(path: string): Promise<void> {
    await mkdir(this.path(path), { recursive: true });
  }

  /** Leaves out what copy-filter.ts says: `.adhesive` folders, sockets and FIFOs below `from`. */
  async copyToAgent(from: string, to: string): Promise<void> {
    const source = resolve(from);
    const target = this.path(to);
    const filter = copyFilter(source);
    const stats = await lstat(source);
    if (!stats.isDirectory()) return cp(source, target, { recursive: true, filter });
    // entry by entry: cp refuses a target inside its source before filtering, and the run's
    // workspace may well be inside the project's .adhesive folder, which is left out anyway
    const created = await mkdir(target, { recursive: true });
    for (const name of await readdir(source)) {
      const entry = join(source, name);
      if (await filter(entry)) await cp(entry, join(target, name), { recursive: true, filter });
    }
    if (created !== undefined) await chmod(target, stats.mode & 0o7777);
  }

  copyFromAgent(from: string, to: string): Promise<void> {
    return cp(this.path(from), resolve(to), { recursive: true });
  }

  async withTempFolder<T>(fn: (workspace: Workspace) => T | Promise<T>): Promise<T> {
    const folder = await mkdtemp(join(this.pwd, ".tmp-"));
    try {
      return await fn(this.at(folder));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  async withChdir<T>(dir: string, fn: (workspace: Workspace) => T | Promise<T>): Promise<T> {
    return fn(this.at(this.path(dir)));
  }

  clone(): Workspace {
    return new LocalWorkspace(this, this.io);
  }

  private at(pwd: string): LocalWorkspace {
    return new LocalWorkspace({ id: this.id, pwd, env: this.env }, this.io);
  }

  private path(path: string): string {
    return isAbsolute(path) ? path : join(this.pwd, path);
  }
}

/**
 * How the command ended, once its output is read to the end too: its exit
 * code, or the signal that killed it, or why it could not start (Node
 * emits "close" after "error" then).
 */
function closed(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }> {
  return new Promise((resolve) => {
    let error: Error | undefined;
    child.on("error", (failure) => (error ??= failure));
    child.once("close", (code, signal) => resolve(child.pid === undefined && error !== undefined ? { code: null, signal: null, error } : { code, signal }));
  });
}

/* a missing working folder fails the spawn like a missing shell would ("spawn /bin/sh ENOENT"): say which */
function startFailure(error: Error, cwd: string): string {
  if ((error as NodeJS.ErrnoException).code === "ENOENT" && !existsSync(cwd)) return `its working folder ${cwd} does not exist`;
  return error.message;
}

/** Kills the command's process group when `signal` fires; returns the unsubscribe. */
function killOn(signal: AbortSignal, group: CommandGroup): () => void {
  const kill = (): void => void group.kill();
  if (signal.aborted) kill();
  else signal.addEventListener("abort", kill, { once: true });
  return () => signal.removeEventListener("abort", kill);
}
