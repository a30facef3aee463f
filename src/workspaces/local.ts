import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { CommandGroup } from "../processes/groups.js";
import { CommandError } from "./command-error.js";
import { commandStream } from "./command-output.js";
import { copyFilter } from "./copy-filter.js";
import type { CommandOptions, OutputSink, TaskIo, Workspace } from "./workspace.js";

export interface LocalWorkspaceOptions {
  id: string;
  pwd: string;
  env?: Record<string, string>;
}

/**
 * Runs commands and touches files on this machine, in a folder of the run.
 * Commands run in their own process group so cancelling a task kills the
 * whole tree the shell started, not only the shell; a cancelled command's
 * run() settles only once that group is gone.
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
    const { execa } = await loadExeca();
    const child = execa(command, {
      shell: options.shell ?? true,
      cwd: options.cwd === undefined ? this.pwd : this.path(options.cwd),
      env: { ...this.env, ...options.env },
      stdin: "ignore",
      all: true,
      reject: false,
      detached: true,
      stripFinalNewline: false,
    });
    const sink = this.io?.output;
    const streams = sink ? [follow(child.stdout, sink), follow(child.stderr, sink)] : undefined;
    const group = child.pid === undefined ? undefined : new CommandGroup(child.pid);
    const stop = signal && group ? killOn(signal, group) : undefined;
    const result = await child;
    stop?.();
    if (streams) for (const end of streams) end();
    if (group?.killed) await group.kill();
    else group?.release();
    signal?.throwIfAborted();
    if (result.failed) {
      const exitCode = result.exitCode;
      const reason = exitCode === undefined && !result.signal ? `could not start: ${result.originalMessage ?? result.shortMessage}` : undefined;
      throw new CommandError(command, exitCode, result.signal, String(result.all ?? ""), reason);
    }
    return options.capture ? String(result.stdout ?? "") : "";
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

/** Sends one output stream of a command to the task's log; returns the function that flushes it once the command has ended. */
function follow(output: Readable | null, sink: OutputSink): () => void {
  if (output === null) return () => undefined;
  const stream = commandStream(sink);
  output.on("data", (chunk: Buffer) => stream.write(chunk));
  return () => stream.end();
}

/** Kills the command's process group when `signal` fires; returns the unsubscribe. */
function killOn(signal: AbortSignal, group: CommandGroup): () => void {
  const kill = (): void => void group.kill();
  if (signal.aborted) kill();
  else signal.addEventListener("abort", kill, { once: true });
  return () => signal.removeEventListener("abort", kill);
}

/**
 * execa is loaded by the first command, not when adhesive is imported. The
 * CLI loads it early when it is about to register module hooks (tsx): every
 * module imported after that goes through them, which costs execa's ~100
 * files about as much again.
 */
export function loadExeca(): Promise<typeof import("execa")> {
  return import("execa");
}
