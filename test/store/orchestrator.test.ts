/*
 * `adhesive <file> --store <url>`, the orchestrator: given a process whose
 * "build" lane the pools setting maps to the build pool, and a worker of
 * that pool, when the file runs with a store, then the lane's tasks run on
 * the worker and the others here, the journal is the store's stream (one
 * completion per task), the registry says how the run ended, and a task's
 * BPMN error on the worker takes the error boundary without being retried.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Journal } from "../../src/journal/reader.js";
import { decodeValue } from "../../src/journal/values.js";
import { type Store } from "../../src/store/connection.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { readRegistry, type RegistryEntry } from "../../src/store/registry.js";
import { runCli } from "../run-cli.js";
import { until } from "../waiting.js";
import { type TestRedis } from "./redis-server.js";
import { completionsBySeq } from "./trials.js";
import { exitOf, newStoreRun, ORCHESTRATED, type Role, rolesPerFile, startRole, startWorker, stopRole, storeRunIds } from "./store-cli.js";

const remoteLaneFile = fileURLToPath(new URL("../fixtures/store/remote-lane.ts", import.meta.url));

let redis: TestRedis, store: Store, env: Record<string, string>;
rolesPerFile("adhesive-orchestrator-", (file) => ({ redis, store, env } = file));
let worker: Role | undefined;
beforeAll(async () => {
  worker = await startWorker(redis.url, env, 2);
});
afterAll(async () => stopRole(worker));

/** Runs the file as the orchestrator; its exit code, the run's registry entry and journal. */
async function orchestrate(data: Record<string, unknown>, file = ORCHESTRATED, roleEnv = env): Promise<{ role: Role; code: number; entry: RegistryEntry; journal: Journal }> {
  const before = await storeRunIds(store);
  const role = startRole([file, "--store", redis.url, "--data", JSON.stringify(data)], roleEnv);
  const code = await exitOf(role, "the orchestrator");
  const entry = await newStoreRun(store, before);
  expect(entry, role.output()).toBeDefined();
  return { role, code, entry: entry!, journal: await readStreamJournal(store, entry!.runId) };
}

describe("adhesive <file> --store", () => {
  it("runs the build lane's tasks on the worker and the others here, journaling into the store", async () => {
    const { role, code, entry, journal } = await orchestrate({});
    expect(code, role.output()).toBe(0);
    expect(entry).toMatchObject({ state: "done", counts: { done: 5, failed: 0 }, incidents: [] });
    expect(journal.end?.state).toBe("done");
    const data = decodeValue(journal.end!.data as never) as Record<string, unknown>;
    expect(data).toMatchObject({ preparedBy: role.pid, compiledA: worker!.pid, compiledB: worker!.pid, packaged: 2, reportedBy: role.pid });
    expect([...completionsBySeq(journal).values()]).toEqual([1, 1, 1, 1, 1]);
    expect(worker!.output()).toContain(`done  run ${entry.runId} #`);

    const [list, shown] = await Promise.all([runCli(["runs", "--store", redis.url, "--no-color"]), runCli(["runs", "show", entry.runId.slice(0, 8), "--store", redis.url, "--no-color"])]);
    expect(list.stdout, list.stderr).toMatch(new RegExp(`${entry.runId}\\s+done\\s+.*orchestrated\\.bpmn#release\\s+\\S+ pid ${role.pid}\\s.*5 done, 0 failed`));
    expect(shown.stdout, shown.stderr).toContain(`run ${entry.runId}: done`);
    // a finished run gives its lease back: that is no lost owner
    expect(shown.stdout).toMatch(new RegExp(`owner +\\S+ pid ${role.pid} \\(epoch \\d+\\)\n`));
    expect(shown.stdout).toMatch(/#\d+\s+Compile A \(compileA\).*done/);
    expect(shown.stdout.match(/^#\d+ .* done$/gm)).toHaveLength(5);
  });

  it("sends a lane declared remote(pool) in code to that pool's workers, and without a store its tasks fail naming the pool", async () => {
    const { ADHESIVE_POOLS: _, ...withoutPools } = env;
    // its own worker: the file's functions, as the published CLI compiles it (into one bundle with orchestrated.ts), hash to a version of their own
    const laneWorker = await startWorker(redis.url, withoutPools, 2, [], remoteLaneFile);
    try {
      const { role, code, journal } = await orchestrate({}, remoteLaneFile, withoutPools);
      expect(code, role.output()).toBe(0);
      expect(decodeValue(journal.end!.data as never)).toMatchObject({ preparedBy: role.pid, compiledA: laneWorker.pid, compiledB: laneWorker.pid });
    } finally {
      await stopRole(laneWorker);
    }
    const alone = startRole([remoteLaneFile], withoutPools);
    expect(await exitOf(alone, "the run without a store")).toBe(1);
    expect(alone.output()).toContain(`this lane's tasks run on the adhesive workers of pool "build" (remote("build")), which takes a store`);
  });

  it("takes the error boundary when a task on the worker throws a BPMN error, and runs it once", async () => {
    const { role, code, entry, journal } = await orchestrate({ broken: true });
    expect(code, role.output()).toBe(0);
    const data = decodeValue(journal.end!.data as never) as Record<string, unknown>;
    expect(data.recovered).toMatchObject({ code: "BUILD_BROKEN", message: "the package is broken" });
    expect(data.reportedBy).toBeUndefined();
    expect(entry.state).toBe("done");
    const packaged = worker!.output().split("\n").filter((line) => line.startsWith(`fail  run ${entry.runId} `) && line.includes("Package"));
    expect(packaged).toHaveLength(1);
  });

  it("says when a job waits for a worker, shows a job that failed outside its task as an incident, and adhesive retry puts it back", async () => {
    const flaky = { ...env, ADHESIVE_POOLS: JSON.stringify({ build: "flaky" }), ADHESIVE_SCHEDULE_TO_START_MS: "200" };
    const before = await storeRunIds(store);
    const role = startRole([ORCHESTRATED, "--store", redis.url], flaky);
    let second: Role | undefined;
    try {
      await until(() => /has waited [\d.]+ s for a worker of pool flaky/.test(role.output()), `the wait to be reported (the orchestrator printed: ${role.output()})`);
      const queue = /\(queue (adhesive\.flaky\.[0-9a-f]{16})\)/.exec(role.output())![1];
      const runId = (await newStoreRun(store, before))!.runId;
      // a worker that fails its jobs in BullMQ, not in the task (as when stalls run out)
      const broken = new Worker(queue, async () => Promise.reject(new Error("the host lost its disk")), { connection: store.connection, concurrency: 2 });
      await until(async () => (await readRegistry(store, runId))!.incidents.length === 2, "two incidents in the registry");
      await broken.close();
      const incidents = (await readRegistry(store, runId))!.incidents;
      expect(incidents.map((incident) => incident.node).sort()).toEqual(["compileA", "compileB"]);
      expect(incidents[0].reason).toBe("the host lost its disk");
      expect(role.output()).toContain("incident: task Compile");
      const shown = await runCli(["runs", "show", runId, "--store", redis.url, "--no-color"]);
      expect(shown.stdout, shown.stderr).toContain(`run ${runId}: running 2 incidents`);
      expect(shown.stdout).toContain(`incident Compile A (compileA, #`);
      expect(shown.stdout).toContain(`failed: the host lost its disk; retry it with adhesive retry ${runId} compileA --store ...`);

      const retried = await runCli(["retry", runId, "compileA", "--store", redis.url]);
      expect(retried.stdout, retried.stderr).toContain(`retried task Compile A (compileA) of run ${runId}: job ${runId}.`);
      const unknown = await runCli(["retry", runId, "package", "--store", redis.url]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain(`run ${runId} has no incident of task "package"; its incidents: Compile B (compileB, #`);
      expect((await runCli(["retry", runId, "Compile B", "--store", redis.url])).code).toBe(0);

      second = startRole(["worker", ORCHESTRATED, "--store", redis.url, "--pool", "flaky"], flaky);
      expect(await exitOf(role, "the orchestrator"), role.output()).toBe(0);
      const entry = (await readRegistry(store, runId))!;
      expect(entry).toMatchObject({ state: "done", incidents: [] });
      expect([...completionsBySeq(await readStreamJournal(store, runId)).values()]).toEqual([1, 1, 1, 1, 1]);
    } finally {
      await stopRole(role);
      await stopRole(second);
    }
  });
});
