/**
 * The roles of a store's tests as child processes of the CLI as it is
 * published (built once per test run, test/built-package.ts; through tsx,
 * each role's start cost seconds of CPU): an orchestrator (`adhesive <file>
 * --store`), workers, standbys. Each gets its own runs and temp folders in
 * `dir`, the pools of `pools` and the short lock, stall and lease times of
 * the tests, and collects what it prints.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll } from "vitest";
import type { Store } from "../../src/store/connection.js";
import { listStoreRuns, type RegistryEntry } from "../../src/store/registry.js";
import { builtCli } from "../built-package.js";
import { root } from "../run-cli.js";
import { bounded, until } from "../waiting.js";
import { redisStorePerFile, type TestRedis } from "./redis-server.js";

export interface Role {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** the exit code (or 128 + signal number) once it has exited */
  exited: Promise<number>;
}

const bin = await builtCli();

/* a takeover waits for the lease (3 s), then a resume starts: a generous cap for a loaded machine */
export const TAKEOVER_LIMIT_MS = 90_000;

export const TEST_SETTINGS = { ADHESIVE_LOCK_DURATION_MS: "2000", ADHESIVE_STALLED_INTERVAL_MS: "1000", ADHESIVE_LEASE_TTL_MS: "3000" };

/** `inside`: the command that runs it elsewhere, such as `ip netns exec <name>` (it must exec the node process). */
export function startRole(args: readonly string[], env: Record<string, string>, inside: readonly string[] = []): Role {
  const command = [...inside, process.execPath, bin, ...args];
  const child = spawn(command[0], command.slice(1), { cwd: root, env: { ...process.env, ...TEST_SETTINGS, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.once("exit", (code, signal) => resolve(code ?? 128 + signalNumber(signal))));
  return { child, pid: child.pid!, output: () => output, exited };
}

/** The process file the orchestration tests run: its compile tasks, in the "build" lane, hold until told (fixtures/store/orchestrated.ts). */
export const ORCHESTRATED = fileURLToPath(new URL("../fixtures/store/orchestrated.ts", import.meta.url));

/** The environment of a test's roles: the "build" lane's tasks go to the "build" pool, runs and workspaces stay in `dir`. */
export function rolesEnv(dir: string): Record<string, string> {
  return { ADHESIVE_POOLS: JSON.stringify({ build: "build" }), ADHESIVE_RUNS_FOLDER: join(dir, "runs"), ADHESIVE_TEMP_FOLDER: join(dir, "temp") };
}

/** What a test file of the roles shares: one redis-server and a store connected to it, and a folder for the roles with their environment. */
export interface RolesFile {
  redis: TestRedis;
  store: Store;
  dir: string;
  env: Record<string, string>;
}

/**
 * Makes the file's server and store (redisStorePerFile) and a folder named
 * after `prefix` with the roles' environment (rolesEnv, then `moreEnv`),
 * before the file's tests and its own beforeAll hooks that come after.
 */
export function rolesPerFile(prefix: string, use: (file: RolesFile) => void, moreEnv: (dir: string) => Record<string, string> = () => ({})): void {
  let server: Pick<RolesFile, "redis" | "store"> | undefined;
  redisStorePerFile((redis, store) => (server = { redis, store }));
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    use({ ...server!, dir, env: { ...rolesEnv(dir), ...moreEnv(dir) } });
  });
}

/** Starts a worker of the "build" pool on ORCHESTRATED (or `file`) and waits until it takes jobs. */
export async function startWorker(url: string, env: Record<string, string>, concurrency: number, inside: readonly string[] = [], file = ORCHESTRATED): Promise<Role> {
  const worker = startRole(["worker", file, "--store", url, "--pool", "build", "--concurrency", String(concurrency)], env, inside);
  try {
    await until(() => worker.output().includes("taking jobs"), `a worker to start (it printed: ${worker.output()})`);
  } catch (error) {
    // a worker that never started is not left behind
    await stopRole(worker);
    throw error;
  }
  return worker;
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

/** The ids of the store's runs now: what a run started after is told apart from (newStoreRun). */
export async function storeRunIds(store: Store): Promise<Set<string>> {
  return new Set((await listStoreRuns(store)).map((run) => run.runId));
}

/** The registry entry of a run of the store that is not one of `before`, or undefined while there is none. */
export async function newStoreRun(store: Store, before: ReadonlySet<string>): Promise<RegistryEntry | undefined> {
  return (await listStoreRuns(store)).find((run) => !before.has(run.runId));
}
