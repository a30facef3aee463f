/*
 * A remote task the orchestrator stops waiting for (here its boundary timer
 * interrupts it) does not go on holding a worker: given a process whose
 * Build task, in the "build" lane, runs a command that never ends and whose
 * timer then sends the token to Quick, in the same lane, when it runs with
 * a store, then Build's job is aborted on its worker (its command killed,
 * the slot given back, so Quick runs on a worker of concurrency 1) or, when
 * no worker took it yet, removed from its queue and never run.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { ReplayInput } from "../../src/engine/journal.js";
import { decodeValue } from "../../src/journal/values.js";
import type { Store } from "../../src/store/connection.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { until } from "../waiting.js";
import type { TestRedis } from "./redis-server.js";
import { exitOf, newStoreRun, type Role, rolesPerFile, startRole, startWorker, stopRole, storeRunIds } from "./store-cli.js";

const INTERRUPTED = fileURLToPath(new URL("../fixtures/store/interrupted.ts", import.meta.url));

let redis: TestRedis, store: Store, env: Record<string, string>, dir: string;
rolesPerFile("adhesive-cancel-job-", (file) => ({ redis, store, env, dir } = file));
const roles: Role[] = [];
afterEach(async () => {
  await Promise.all(roles.map((role) => stopRole(role)));
  roles.length = 0;
});

async function marksFolder(name: string): Promise<string> {
  const marks = join(dir, name);
  await mkdir(marks, { recursive: true });
  return marks;
}

describe("a remote task whose boundary timer interrupts it", () => {
  it("has its job aborted on the worker: its command is killed and the worker's one slot runs the next task", async () => {
    const worker = await startWorker(redis.url, env, 1, [], INTERRUPTED);
    roles.push(worker);
    const marks = await marksFolder("aborted");
    const before = await storeRunIds(store);
    const orchestrator = startRole([INTERRUPTED, "--store", redis.url, "--data", JSON.stringify({ marks })], env);
    roles.push(orchestrator);
    expect(await exitOf(orchestrator, "the orchestrator"), orchestrator.output()).toBe(0);

    const run = (await newStoreRun(store, before))!;
    const journal = await readStreamJournal(store, run.runId);
    expect(decodeValue(journal.end!.data as never)).toMatchObject({ quickBy: worker.pid });
    expect(decodeValue(journal.end!.data as never)).not.toHaveProperty("built");
    expect(readdirSync(marks)).toEqual([`build.${worker.pid}`]);
    await until(() => worker.output().includes(`cancelled run ${run.runId} #${startOf(journal.inputs, "build")} Build`), `the worker to say Build was cancelled (it printed: ${worker.output()})`);
    // the command the task started went with it (sleep 617 would outlive the test otherwise)
    await until(() => !sleeping(), "the task's sleep 617 to be killed");
  });

  it("has its job removed from the queue when no worker took it yet, and never runs it", async () => {
    const idle = { ...env, ADHESIVE_POOLS: JSON.stringify({ build: "idle" }) };
    const marks = await marksFolder("removed");
    const before = await storeRunIds(store);
    const orchestrator = startRole([INTERRUPTED, "--store", redis.url, "--data", JSON.stringify({ marks })], idle);
    roles.push(orchestrator);
    let runId = "";
    let buildSeq = 0;
    await until(async () => {
      runId = (await newStoreRun(store, before))?.runId ?? "";
      if (runId === "") return false;
      const inputs = (await readStreamJournal(store, runId)).inputs;
      buildSeq = startOf(inputs, "build") ?? 0;
      return startOf(inputs, "quick") !== undefined;
    }, `the timer to fire and Quick to start (the orchestrator printed: ${orchestrator.output()})`);
    await until(async () => (await store.redis.keys(`bull:*:${runId}.${buildSeq}.1`)).length === 0, "Build's job to leave its queue");

    const worker = startRole(["worker", INTERRUPTED, "--store", redis.url, "--pool", "idle", "--concurrency", "1"], idle);
    roles.push(worker);
    expect(await exitOf(orchestrator, "the orchestrator"), orchestrator.output()).toBe(0);
    const journal = await readStreamJournal(store, runId);
    expect(decodeValue(journal.end!.data as never)).toMatchObject({ quickBy: worker.pid });
    expect(existsSync(marks) && readdirSync(marks)).toEqual([]);
    expect(worker.output()).not.toContain(" Build");
  });
});

/* the number of the task execution of element `node` the journal's inputs started */
function startOf(inputs: readonly ReplayInput[], node: string): number | undefined {
  for (const input of inputs) if (input.kind === "started" && input.node === node) return input.seq;
  return undefined;
}

function sleeping(): boolean {
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8") === "sleep\u0000617\u0000") return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}
