/**
 * A throw-away redis-server on 127.0.0.1 for the store tests, configured as
 * adhesive expects a production one (docs/scale-out.md): AOF on with fsync
 * every second, `maxmemory-policy noeviction`, no RDB snapshots. Its files
 * live in a temp folder of its own; it runs in the foreground as a child of
 * the test process and `stop()` ends it and removes the folder. `kill()`
 * (kill -9) and `start()` again on the same port and folder let a test lose
 * the server and get it back with what its AOF kept.
 *
 * A machine without redis-server fails the test, naming the install script:
 * a store test that skips would pass on exactly the machines it says nothing
 * about.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { connectStore, type Store } from "../../src/store/connection.js";
import { claimStoreRun, StoreLease } from "../../src/store/lease.js";
import { freePort } from "../workspaces/sshd.js";

export const REDIS_SERVER = "/usr/bin/redis-server";
/* only caps a hang: loading the AOF of a restarted server takes a moment on a loaded machine */
const START_TIMEOUT_MS = 60_000;

export interface TestRedis {
  port: number;
  /** redis://127.0.0.1:<port>/0 */
  url: string;
  dir: string;
  /** everything the server printed so far */
  log(): string;
  /** the server's pid while it runs */
  pid(): number | undefined;
  /** kill -9: the server dies as in a crash, its AOF as fsync left it */
  kill(): Promise<void>;
  /** starts it again on the same port and folder (after kill()) */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  try {
    await access(REDIS_SERVER);
  } catch {
    throw new Error(`${REDIS_SERVER} is missing: the store tests need a Redis server. Install it with scripts/install-system-deps.sh (Debian package redis-server).`);
  }
  const dir = await mkdtemp(join(tmpdir(), "adhesive-redis-"));
  let lastError: unknown;
  // the free port is found before redis binds it, so another process may take it in between: retry
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = new RedisChild(dir, await freePort());
    try {
      await server.start();
      return server.handle();
    } catch (error) {
      lastError = error;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

class RedisChild {
  private child: ChildProcess | undefined;
  private output = "";
  private exited: string | undefined;

  constructor(
    private readonly dir: string,
    private readonly port: number,
  ) {}

  handle(): TestRedis {
    return {
      port: this.port,
      url: `redis://127.0.0.1:${this.port}/0`,
      dir: this.dir,
      log: () => this.output,
      pid: () => (this.running() ? this.child?.pid : undefined),
      kill: () => this.end("SIGKILL"),
      start: () => this.start(),
      stop: async () => {
        await this.end("SIGTERM");
        await rm(this.dir, { recursive: true, force: true });
      },
    };
  }

  async start(): Promise<void> {
    const args = [
      "--bind", "127.0.0.1",
      "--port", String(this.port),
      "--dir", this.dir,
      "--appendonly", "yes",
      "--appendfsync", "everysec",
      "--save", "",
      "--maxmemory-policy", "noeviction",
      "--daemonize", "no",
      "--logfile", "",
    ];
    const child = spawn(REDIS_SERVER, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exited = undefined;
    child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.on("exit", (code, signal) => (this.exited = `redis-server exited (code ${code}, signal ${signal})`));
    child.on("error", (error) => (this.exited = `redis-server could not start: ${error.message}`));
    const deadline = Date.now() + START_TIMEOUT_MS;
    // PONG, not only an open port: a server loading its AOF answers LOADING
    while (!(await pongs(this.port))) {
      if (this.exited !== undefined) throw new Error(`${this.exited}:\n${this.output}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`redis-server did not answer PING on 127.0.0.1:${this.port} within ${START_TIMEOUT_MS} ms:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running()) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

function pongs(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    socket.setTimeout(1000);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (!reply.includes("\r\n")) return;
      socket.destroy();
      resolve(reply.startsWith("+PONG"));
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * One server and one store connected to it for the whole test file: `use`
 * gets both once they are up (before the file's tests), and both stop
 * after them.
 */
export function redisStorePerFile(use: (redis: TestRedis, store: Store) => void): void {
  let redis: TestRedis | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    store = await connectStore(redis.url);
    use(redis, store);
  });
  afterAll(async () => {
    await store?.close();
    await redis?.stop();
  });
}

/** The run's lease, which the test expects to be free. */
export async function claimFreeRun(store: Store, runId: string, leaseMs = 60_000): Promise<StoreLease> {
  const lease = await claimStoreRun(store, runId, leaseMs);
  if (!(lease instanceof StoreLease)) throw new Error(`run ${runId} is held`);
  return lease;
}
