/*
 * Lane functions on the worker's host, and sticky lane instances: given a
 * process whose lanes "Build A" and "Build B" the pools setting sends to the
 * build pool and whose lane function makes the lane's folder with a host
 * marker, and two workers taking one job at a time, when it runs, then each
 * lane's function runs on the worker that took the lane's first task, the
 * lane's three tasks all run on that worker in the folder it yielded, the
 * two lanes may be on different workers, and the lane's finally runs on
 * its worker once the lane ends. When the worker holding a lane is killed
 * with kill -9 mid-task, the lane instance fails: the run fails naming it,
 * and nothing waits for the dead worker. When the orchestrator is killed
 * instead, a standby takes the run over, finds which worker holds each
 * lane instance, and the lanes' tasks still run there. When the worker
 * holding a lane is stopped with SIGTERM mid-task, it drains: the lane's
 * remaining tasks and its finally still run there, then it exits.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Journal } from "../../src/journal/reader.js";
import { decodeValue } from "../../src/journal/values.js";
import { type Store } from "../../src/store/connection.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { readRegistry } from "../../src/store/registry.js";
import { laneHoldersKey } from "../../src/store/lane-holders.js";
import { until } from "../waiting.js";
import { type TestRedis } from "./redis-server.js";
import { completionsBySeq, marks } from "./trials.js";
import { exitOf, newStoreRun, type Role, rolesPerFile, startRole, startWorker, stopRole, storeRunIds, TAKEOVER_LIMIT_MS } from "./store-cli.js";

const LANES = fileURLToPath(new URL("../fixtures/store/lanes.ts", import.meta.url));

let redis: TestRedis, store: Store, dir: string, env: Record<string, string>;
rolesPerFile("adhesive-lanes-", (file) => ({ redis, store, dir, env } = file), () => ({ ADHESIVE_POOLS: JSON.stringify({ "Build [AB]": "build" }) }));
const workers: Role[] = [];
beforeAll(async () => {
  workers.push(...(await Promise.all([startWorker(redis.url, env, 1, [], LANES), startWorker(redis.url, env, 1, [], LANES)])));
});
afterAll(async () => {
  for (const worker of workers) await stopRole(worker);
});

async function newRun(before: Set<string>): Promise<{ runId: string; journal: Journal }> {
  const runId = (await newStoreRun(store, before))!.runId;
  return { runId, journal: await readStreamJournal(store, runId) };
}

interface CompilingRun {
  orchestrator: Role;
  /** the runs of the store before this one */
  before: Set<string>;
  /** the marks' prefixes: a lane's checkout, its compile (which holds until the file holdCompile exists) */
  started: string;
  compiling: string;
  holdCompile: string;
}

/** Starts an orchestrator of LANES, named `trial`, and returns once both lanes' compiles run on their workers. */
async function compilingRun(trial: string): Promise<CompilingRun> {
  const [started, hold, compiling, holdCompile] = ["started", "hold", "compiling", "hold-compile"].map((name) => join(dir, `${name}-${trial}`));
  const before = await storeRunIds(store);
  const orchestrator = startRole([LANES, "--store", redis.url, "--data", JSON.stringify({ dir, started, hold, compiling, holdCompile })], env);
  try {
    await until(() => marks(started).length === 2, `both checkouts to start (the orchestrator printed: ${orchestrator.output()})`);
    writeFileSync(hold, "");
    await until(() => marks(compiling).length === 2, `both compiles to start on their lanes' workers (the orchestrator printed: ${orchestrator.output()})`);
  } catch (error) {
    await stopRole(orchestrator);
    throw error;
  }
  return { orchestrator, before, started, compiling, holdCompile };
}

describe("a lane function with a pool", () => {
  it("runs on the worker that takes the lane's first task, keeps the lane's tasks there in its workspace, and tears down there", async () => {
    const started = join(dir, "started");
    const hold = join(dir, "hold");
    const before = await storeRunIds(store);
    const orchestrator = startRole([LANES, "--store", redis.url, "--data", JSON.stringify({ dir, started, hold })], env);
    try {
      // both checkouts held, one job at a time each: each worker opened one lane
      await until(() => marks(started).length === 2, `both checkouts to start (the orchestrator printed: ${orchestrator.output()})`);
      const openers = marks(started);
      expect(new Set(openers.map((mark) => mark.pid)).size).toBe(2);
      writeFileSync(hold, "");
      expect(await exitOf(orchestrator, "the orchestrator"), orchestrator.output()).toBe(0);

      const { runId, journal } = await newRun(before);
      expect(journal.end?.state).toBe("done");
      expect([...completionsBySeq(journal).values()]).toEqual([1, 1, 1, 1, 1, 1, 1]);
      const data = decodeValue(journal.end!.data as never) as Record<string, unknown>;
      for (const { side, pid } of openers) {
        expect(workers.map((worker) => worker.pid)).toContain(pid);
        // the lane function ran on that worker, and all three tasks ran there, in the folder it yielded
        expect(data[`host${side}`]).toBe(pid);
        expect(data[`pids${side}`]).toEqual([pid, pid, pid]);
        expect(data[`compiled${side}`]).toBe(`checked out by ${pid}`);
        expect(data[`folder${side}`]).toBe(join(dir, "temp", runId, "workspace", `lane-${side}`));
        // its finally ran there, before the run ended
        expect(existsSync(join(dir, `closed-${side}.${pid}`))).toBe(true);
        expect(readdirSync(dir).filter((file) => file.startsWith(`closed-${side}.`))).toHaveLength(1);
      }
      expect(data.reportedBy).toBe(orchestrator.pid);
      expect(await store.redis.hlen(laneHoldersKey(runId))).toBe(0);
    } finally {
      await stopRole(orchestrator);
    }
  });

  it("keeps a lane instance's tasks on its worker after a standby took the run over from an orchestrator killed with kill -9", async () => {
    const standby = startRole(["serve", "--store", redis.url], env);
    let orchestrator: Role | undefined;
    try {
      const run = await compilingRun("takeover");
      ({ orchestrator } = run);
      const { before, compiling, holdCompile } = run;
      const openers = marks(run.started);
      orchestrator.child.kill("SIGKILL");
      await orchestrator.exited;
      writeFileSync(holdCompile, "");
      const { runId } = await newRun(before);
      await until(async () => (await readRegistry(store, runId))?.state === "done", `the standby to finish run ${runId} (it printed: ${standby.output()})`, TAKEOVER_LIMIT_MS, 50);

      const journal = await readStreamJournal(store, runId);
      expect(journal.notes.find((note) => note.t === "resume")).toMatchObject({ takenFrom: { pid: orchestrator.pid } });
      expect([...completionsBySeq(journal).values()]).toEqual([1, 1, 1, 1, 1, 1, 1]);
      const data = decodeValue(journal.end!.data as never) as Record<string, unknown>;
      for (const { side, pid } of openers) {
        // the compile in flight was adopted on the lane's worker (it ran once), and the test went there too
        expect(marks(compiling).filter((mark) => mark.side === side)).toEqual([{ side, pid }]);
        expect(data[`pids${side}`]).toEqual([pid, pid, pid]);
        expect(data[`compiled${side}`]).toBe(`checked out by ${pid}`);
        expect(existsSync(join(dir, `closed-${side}.${pid}`))).toBe(true);
      }
      expect(await store.redis.hlen(laneHoldersKey(runId))).toBe(0);
    } finally {
      await stopRole(orchestrator);
      await stopRole(standby);
    }
  });

  it("drains a worker stopped with SIGTERM: the lane instance it holds keeps its tasks there until it closes, then the worker exits", async () => {
    const { orchestrator, before, compiling, holdCompile } = await compilingRun("drain");
    try {
      const held = marks(compiling).find((mark) => mark.side === "A")!;
      const stopping = workers.find((worker) => worker.pid === held.pid)!;
      stopping.child.kill("SIGTERM");
      await until(() => stopping.output().includes("serving the 1 lane instance it holds until closed"), `the worker to drain (it printed: ${stopping.output()})`);
      writeFileSync(holdCompile, "");
      expect(await exitOf(orchestrator, "the orchestrator"), orchestrator.output()).toBe(0);
      expect(await exitOf(stopping, "the stopped worker")).toBe(143);

      const { runId, journal } = await newRun(before);
      expect(journal.end?.state).toBe("done");
      expect([...completionsBySeq(journal).values()]).toEqual([1, 1, 1, 1, 1, 1, 1]);
      const data = decodeValue(journal.end!.data as never) as Record<string, unknown>;
      // the stopping worker ran the lane's compile and test after the signal, and tore the lane down before it exited (the run ends after that)
      expect(data.pidsA).toEqual([held.pid, held.pid, held.pid]);
      expect(stopping.output().split("serving the 1 lane instance")[1]).toMatch(/done {2}run \S+ #\d+ Test A/);
      expect(await store.redis.hlen(laneHoldersKey(runId))).toBe(0);
    } finally {
      await stopRole(orchestrator);
    }
    // the next test needs two workers
    workers.splice(workers.findIndex((worker) => worker.child.exitCode !== null || worker.child.signalCode !== null), 1, await startWorker(redis.url, env, 1, [], LANES));
  });

  it("fails the lane instance when its worker is killed with kill -9 mid-task, and the run ends", async () => {
    const { orchestrator, before, compiling, holdCompile } = await compilingRun("kill");
    try {
      const victim = marks(compiling).find((mark) => mark.side === "A")!;
      const killed = workers.find((worker) => worker.pid === victim.pid)!;
      killed.child.kill("SIGKILL");
      await killed.exited;
      const runId = (await newRun(before)).runId;
      await until(async () => (await readStreamJournal(store, runId)).inputs.some((input) => input.kind === "failed"), `the orchestrator to fail the lost lane's task (it printed: ${orchestrator.output()})`);
      // the other lane's compile, still running on its worker, may end now: its lane is torn down after it
      writeFileSync(holdCompile, "");
      expect(await exitOf(orchestrator, "the orchestrator"), orchestrator.output()).toBe(1);
      expect(orchestrator.output()).toContain('lane "Build A": its instance Build A#');
      expect(orchestrator.output()).toContain(`its worker `);

      const journal = await readStreamJournal(store, runId);
      expect(journal.end?.state).toBe("failed");
      expect(journal.inputs.filter((input) => input.kind === "failed")).toHaveLength(1);
      // the surviving lane was torn down on its worker; the lost one's claim is gone
      const survivor = marks(compiling).find((mark) => mark.side === "B")!;
      expect(existsSync(join(dir, `closed-B.${survivor.pid}`))).toBe(true);
      expect(await store.redis.hlen(laneHoldersKey(runId))).toBe(0);
      // the last test of the file: the killed worker is not replaced
      workers.splice(workers.indexOf(killed), 1);
    } finally {
      await stopRole(orchestrator);
    }
  });
});
