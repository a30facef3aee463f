/*
 * `adhesive <file> --store <url>`, the orchestrator: given a process whose
 * "build" lane the pools setting maps to the build pool, and a worker of
 * that pool, when the file runs with a store, then the lane's tasks run on
 * the worker and the others here, the journal is the store's stream (one
 * completion per task), the registry says how the run ended, and a task's
 * BPMN error on the worker takes the error boundary without being retried.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Journal } from "../../src/journal/reader.js";
import { decodeValue } from "../../src/journal/values.js";
import { type Store } from "../../src/store/connection.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { listStoreRuns, type RegistryEntry } from "../../src/store/registry.js";
import { until } from "../waiting.js";
import { redisStorePerFile, type TestRedis } from "./redis-server.js";
import { exitOf, startRole, stopRole, type Role } from "./store-cli.js";

const processFile = fileURLToPath(new URL("../fixtures/store/orchestrated.ts", import.meta.url));

let redis: TestRedis;
let store: Store;
redisStorePerFile((server, connected) => {
  redis = server;
  store = connected;
});

let env: Record<string, string>;
let worker: Role | undefined;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "adhesive-orchestrator-"));
  env = { ADHESIVE_POOLS: JSON.stringify({ build: "build" }), ADHESIVE_RUNS_FOLDER: join(dir, "runs"), ADHESIVE_TEMP_FOLDER: join(dir, "temp") };
  worker = startRole(["worker", processFile, "--store", redis.url, "--pool", "build", "--concurrency", "2"], env);
  await until(() => worker!.output().includes("taking jobs"), `the worker to start (it printed: ${worker!.output()})`);
});
afterAll(async () => stopRole(worker));

/** Runs the file as the orchestrator; its exit code, the run's registry entry and journal. */
async function orchestrate(data: Record<string, unknown>): Promise<{ role: Role; code: number; entry: RegistryEntry; journal: Journal }> {
  const before = new Set((await listStoreRuns(store)).map((run) => run.runId));
  const role = startRole([processFile, "--store", redis.url, "--data", JSON.stringify(data)], env);
  const code = await exitOf(role, "the orchestrator");
  const entry = (await listStoreRuns(store)).find((run) => !before.has(run.runId));
  expect(entry, role.output()).toBeDefined();
  return { role, code, entry: entry!, journal: await readStreamJournal(store, entry!.runId) };
}

function completionsBySeq(journal: Journal): Map<number, number> {
  const seen = new Map<number, number>();
  for (const input of journal.inputs) if (input.kind === "done" || input.kind === "failed") seen.set(input.seq, (seen.get(input.seq) ?? 0) + 1);
  return seen;
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
});
