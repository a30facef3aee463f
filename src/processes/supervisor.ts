import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * A runner killed with SIGKILL runs no cleanup code, so its commands (each
 * in its own process group, out of reach of the signal) would run on and
 * its secret files would stay. One small child process per runner thread,
 * started with the first command, holds a pipe from the runner and the
 * list of the runner's running process groups and secret files; when the
 * pipe closes, the runner is gone and the supervisor kills those groups
 * (SIGTERM, then SIGKILL after the grace period) and removes those files.
 * It is a /bin/sh script (adhesive-supervisor.sh), which commands run
 * through already: a node process cost every run with a command 40 ms of
 * CPU to start. It lives in its own session so a terminal's Ctrl-C or
 * hang-up does not reach it, and it keeps neither the runner's event loop
 * nor a command's output open. No library does this: execa's `cleanup` and
 * signal-exit only run when the runner can still run code.
 */
export class Supervisor {
  private readonly graceMs: number;
  private readonly groups = new Set<number>();
  private readonly files = new Set<string>();
  private child: ChildProcess | undefined;

  constructor(graceMs: number) {
    this.graceMs = graceMs;
  }

  /** The group's processes die with this runner from now on. */
  addGroup(pgid: number): void {
    this.groups.add(pgid);
    this.send(`+g ${pgid}`);
  }

  /** The group's command ended (or was killed): forget it before its id can be reused. */
  removeGroup(pgid: number): void {
    if (this.groups.delete(pgid)) this.send(`-g ${pgid}`);
  }

  /** The file (a secret in a local workspace) is removed if this runner dies before it does. */
  addFile(path: string): void {
    this.files.add(path);
    this.send(`+f ${escaped(path)}`);
  }

  removeFile(path: string): void {
    if (this.files.delete(path)) this.send(`-f ${escaped(path)}`);
  }

  /** The supervisor's process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /* one line per change (see adhesive-supervisor.sh) */
  private send(line: string): void {
    // a new supervisor gets the whole list, this line's change included
    if (this.child === undefined) this.start();
    else this.child.stdin?.write(`${line}\n`);
  }

  private start(): void {
    const entry = fileURLToPath(new URL("./adhesive-supervisor.sh", import.meta.url));
    // kill is built into sh; rm and sleep are found on PATH. LC_ALL=C: printf turns escapes into bytes, not characters
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" };
    const child = spawn("/bin/sh", [entry, String(this.graceMs)], { stdio: ["pipe", "ignore", "ignore"], detached: true, env });
    this.child = child;
    child.unref();
    const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
    stdin?.unref?.();
    // a supervisor that could not start or died leaves commands unsupervised until the next one starts
    child.on("error", () => this.lost(child));
    child.on("exit", () => this.lost(child));
    stdin?.on("error", () => this.lost(child));
    for (const pgid of this.groups) stdin?.write(`+g ${pgid}\n`);
    for (const path of this.files) stdin?.write(`+f ${escaped(path)}\n`);
  }

  private lost(child: ChildProcess): void {
    if (this.child === child) this.child = undefined;
  }
}

/* every byte as a \0ooo escape, which the script's printf %b turns back into that byte: a path may hold spaces and newlines */
function escaped(path: string): string {
  let text = "";
  for (const byte of Buffer.from(path)) text += `\\0${byte.toString(8).padStart(3, "0")}`;
  return text;
}
