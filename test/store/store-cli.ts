/**
 * The roles of a store's tests as child processes of the repository's CLI
 * (bin/adhesive.js, the sources): an orchestrator (`adhesive <file>
 * --store`), workers, standbys. Each gets its own runs and temp folders in
 * `dir`, the pools of `pools` and the short lock, stall and lease times of
 * the tests, and collects what it prints.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { root } from "../run-cli.js";
import { bounded } from "../waiting.js";

export interface Role {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** the exit code (or 128 + signal number) once it has exited */
  exited: Promise<number>;
}

export const TEST_SETTINGS = { ADHESIVE_LOCK_DURATION_MS: "2000", ADHESIVE_STALLED_INTERVAL_MS: "1000", ADHESIVE_LEASE_TTL_MS: "3000" };

/** `inside`: the command that runs it elsewhere, such as `ip netns exec <name>` (it must exec the node process). */
export function startRole(args: readonly string[], env: Record<string, string>, inside: readonly string[] = []): Role {
  const command = [...inside, process.execPath, `${root}bin/adhesive.js`, ...args];
  const child = spawn(command[0], command.slice(1), { cwd: root, env: { ...process.env, ...TEST_SETTINGS, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.once("exit", (code, signal) => resolve(code ?? 128 + signalNumber(signal))));
  return { child, pid: child.pid!, output: () => output, exited };
}

/** Waits for the role to exit (bounded: a hang fails the test); its exit code. */
export function exitOf(role: Role, what: string): Promise<number> {
  return bounded(role.exited, `${what} to exit (it printed: ${role.output()})`, 120_000);
}

/** Ends a role still running (a test that failed half-way). */
export async function stopRole(role: Role | undefined): Promise<void> {
  if (role === undefined || role.child.exitCode !== null || role.child.signalCode !== null) return;
  role.child.kill("SIGKILL");
  await role.exited;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : signal === "SIGINT" ? 2 : 0;
}
