/*
 * A worker host's network link cut mid-job (run as root only: it needs
 * network namespaces). Three hosts: this one (the orchestrator and one
 * worker), a Redis host and a worker host, each a network namespace,
 * joined by veth pairs to the Redis host. Given both compile tasks running,
 * one on each worker, when the worker host's link goes down, then its job
 * runs again on the other worker once its lock runs out, the run finishes
 * and each completion is journaled once. Seeded trials, consecutive seeds:
 * an even one lets the held tasks finish before the cut, an odd one only
 * after it, when the cut worker can no longer report (its task then ran
 * exactly twice: there, and on the other worker).
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectStore, type Store } from "../../src/store/connection.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { until } from "../waiting.js";
import { REDIS_SERVER } from "./redis-server.js";
import { exitOf, newStoreRun, ORCHESTRATED, type Role, rolesEnv, startRole, startWorker, stopRole, storeRunIds } from "./store-cli.js";
import { completionsBySeq, trialSeeds } from "./trials.js";

const asRoot = process.getuid?.() === 0;

/* names unique to this test process: interface names hold at most 15 characters */
const tag = `a${process.pid % 100000}`;
const redisHost = `${tag}r`;
const workerHost = `${tag}w`;
const net = 200 + (process.pid % 50);
const here = { ip: `10.${net}.1.1`, redis: `10.${net}.1.2` };
const far = { ip: `10.${net}.2.2`, redis: `10.${net}.2.1` };
const PORT = 6379;

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: "pipe" });
}

let dir: string;
let redis: ChildProcess | undefined;
let store: Store | undefined;
let env: Record<string, string>;
const workers: Role[] = [];

async function setUp(): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), "adhesive-link-cut-"));
  ip("netns", "add", redisHost);
  ip("netns", "add", workerHost);
  for (const ns of [redisHost, workerHost]) ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
  // this host <-> the Redis host
  ip("link", "add", `${tag}h`, "type", "veth", "peer", "name", `${tag}hr`);
  ip("link", "set", `${tag}hr`, "netns", redisHost);
  ip("addr", "add", `${here.ip}/24`, "dev", `${tag}h`);
  ip("link", "set", `${tag}h`, "up");
  ip("netns", "exec", redisHost, "ip", "addr", "add", `${here.redis}/24`, "dev", `${tag}hr`);
  ip("netns", "exec", redisHost, "ip", "link", "set", `${tag}hr`, "up");
  // the worker host <-> the Redis host
  ip("link", "add", `${tag}w`, "type", "veth", "peer", "name", `${tag}wr`);
  ip("link", "set", `${tag}w`, "netns", workerHost);
  ip("link", "set", `${tag}wr`, "netns", redisHost);
  ip("netns", "exec", workerHost, "ip", "addr", "add", `${far.ip}/24`, "dev", `${tag}w`);
  ip("netns", "exec", workerHost, "ip", "link", "set", `${tag}w`, "up");
  ip("netns", "exec", redisHost, "ip", "addr", "add", `${far.redis}/24`, "dev", `${tag}wr`);
  ip("netns", "exec", redisHost, "ip", "link", "set", `${tag}wr`, "up");
  redis = spawn("ip", ["netns", "exec", redisHost, REDIS_SERVER, "--bind", "0.0.0.0", "--port", String(PORT), "--protected-mode", "no", "--dir", dir, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--maxmemory-policy", "noeviction"], { stdio: "ignore" });
  await until(async () => {
    try {
      store = await connectStore(`redis://${here.redis}:${PORT}/0`, { connectTimeoutMs: 1000 });
      return true;
    } catch {
      return false;
    }
  }, "redis-server to answer on the Redis host");
  env = rolesEnv(dir);
}

async function tearDown(): Promise<void> {
  for (const worker of workers) await stopRole(worker);
  await store?.close();
  redis?.kill("SIGKILL");
  // the veth pairs go with their namespaces
  for (const ns of [redisHost, workerHost]) {
    try {
      ip("netns", "del", ns);
    } catch {
      // never made: set-up failed before it
    }
  }
  await rm(dir, { recursive: true, force: true });
}

async function startHostWorker(url: string, inside: string[] = []): Promise<Role> {
  const worker = await startWorker(url, env, 1, inside);
  workers.push(worker);
  return worker;
}

describe.skipIf(!asRoot)("a worker host whose link is cut mid-job (as root: network namespaces)", () => {
  beforeAll(setUp, 60_000);
  afterAll(tearDown);

  it.each(trialSeeds(2))("loses its job to the other worker; the run finishes, each completion journaled once (seed %i)", async (seed) => {
    const local = await startHostWorker(`redis://${here.redis}:${PORT}/0`);
    const remote = await startHostWorker(`redis://${far.redis}:${PORT}/0`, ["ip", "netns", "exec", workerHost]);
    const started = join(dir, `started-${seed}`);
    const hold = join(dir, `hold-${seed}`);
    const before = await storeRunIds(store!);
    const orchestrator = startRole([ORCHESTRATED, "--store", `redis://${here.redis}:${PORT}/0`, "--data", JSON.stringify({ started, hold })], env);
    const marks = () => readdirSync(dir).filter((file) => file.startsWith(`started-${seed}.`)).map((file) => ({ side: file.split(".")[1], pid: Number(file.split(".")[2]) }));
    try {
      await until(() => marks().length === 2, `both compile tasks to start (the orchestrator printed: ${orchestrator.output()})`);
      const cut = marks().find((mark) => mark.pid === remote.pid)!;
      expect(cut, "a compile task runs on the worker host").toBeDefined();
      if (seed % 2 === 0) writeFileSync(hold, "");
      ip("netns", "exec", workerHost, "ip", "link", "set", `${tag}w`, "down");
      writeFileSync(hold, "");
      expect(await exitOf(orchestrator, "the orchestrator"), orchestrator.output()).toBe(0);
      const runId = (await newStoreRun(store!, before))!.runId;
      const journal = await readStreamJournal(store!, runId);
      expect(journal.end?.state).toBe("done");
      expect([...completionsBySeq(journal).values()]).toEqual([1, 1, 1, 1, 1]);
      const ranOnCutSide = marks().filter((mark) => mark.side === cut.side).map((mark) => mark.pid);
      if (seed % 2 === 1) expect(ranOnCutSide.sort()).toEqual([remote.pid, local.pid].sort());
      else expect(ranOnCutSide).toContain(remote.pid);
    } finally {
      await stopRole(orchestrator);
      await stopRole(remote);
      await stopRole(local);
      ip("netns", "exec", workerHost, "ip", "link", "set", `${tag}w`, "up");
    }
  });
});
