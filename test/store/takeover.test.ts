/*
 * Takeover by a standby (`adhesive serve --store`): given an orchestrator
 * whose two remote compile tasks are running on a worker, when the
 * orchestrator is killed with kill -9, then the standby takes the run over
 * once its lease runs out, replays the journal stream, adopts the jobs in
 * flight instead of running them again, and finishes the run, each
 * completion journaled once. When the orchestrator is stopped (SIGSTOP)
 * instead, the standby finishes the run, and the stopped one, woken with
 * SIGCONT, writes nothing more and stops none of the jobs the standby
 * adopted, even woken while they run. Seeded trials, consecutive seeds: an even
 * one lets the compile jobs finish before the orchestrator is lost, an odd
 * one after, so each run of the suite tries both.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Store } from "../../src/store/connection.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { runKeys } from "../../src/store/keys.js";
import { readRegistry } from "../../src/store/registry.js";
import { until } from "../waiting.js";
import { type TestRedis } from "./redis-server.js";
import { exitOf, newStoreRun, ORCHESTRATED, type Role, rolesPerFile, startRole, startWorker, stopRole, storeRunIds, TAKEOVER_LIMIT_MS } from "./store-cli.js";
import { completionsBySeq, trialSeeds } from "./trials.js";


let redis: TestRedis, store: Store, dir: string, env: Record<string, string>;
rolesPerFile("adhesive-takeover-", (file) => ({ redis, store, dir, env } = file));
let worker: Role | undefined;
let standby: Role | undefined;
beforeAll(async () => {
  standby = startRole(["serve", "--store", redis.url], env);
  worker = await startWorker(redis.url, env, 2);
  await until(() => standby!.output().includes("standing by"), `the standby to start (it printed: ${standby!.output()})`);
});
afterAll(async () => {
  await stopRole(worker);
  await stopRole(standby);
});

function marks(prefix: string): string[] {
  const name = prefix.slice(dir.length + 1);
  return readdirSync(dir).filter((file) => file.startsWith(`${name}.`));
}

/** Starts a run whose compile tasks hold until told; returns once both run on the worker. */
async function runHeld(trial: string): Promise<{ orchestrator: Role; runId: string; hold: string; started: string }> {
  const started = join(dir, `started-${trial}`);
  const hold = join(dir, `hold-${trial}`);
  const before = await storeRunIds(store);
  const orchestrator = startRole([ORCHESTRATED, "--store", redis.url, "--data", JSON.stringify({ started, hold })], env);
  await until(() => marks(started).length === 2, `both compile tasks to start (the orchestrator printed: ${orchestrator.output()})`);
  const runId = (await newStoreRun(store, before))!.runId;
  return { orchestrator, runId, hold, started };
}

async function untilDone(runId: string): Promise<void> {
  await until(async () => (await readRegistry(store, runId))?.state === "done", `the standby to finish run ${runId} (it printed: ${standby!.output()})`, TAKEOVER_LIMIT_MS, 50);
}

describe("a standby (adhesive serve --store)", () => {
  it.each(trialSeeds(2))("finishes a run whose orchestrator was killed with kill -9, adopting the jobs in flight (seed %i)", async (seed) => {
    const finishFirst = seed % 2 === 0;
    const { orchestrator, runId, hold, started } = await runHeld(`kill-${seed}`);
    try {
      if (finishFirst) writeFileSync(hold, "");
      orchestrator.child.kill("SIGKILL");
      await orchestrator.exited;
      if (!finishFirst) writeFileSync(hold, "");
      await untilDone(runId);
      const journal = await readStreamJournal(store, runId);
      expect(journal.end?.state).toBe("done");
      expect([...completionsBySeq(journal).values()]).toEqual([1, 1, 1, 1, 1]);
      // the compile jobs were adopted, never run again
      expect(marks(started)).toHaveLength(2);
      const resumed = journal.notes.find((note) => note.t === "resume");
      // epoch 2 is the standby's claim, 3 its hand-over to the resume it started
      expect(resumed).toMatchObject({ epoch: 3, takenFrom: { pid: orchestrator.pid } });
      expect((await readRegistry(store, runId))!.owner!.pid).not.toBe(orchestrator.pid);
    } finally {
      await stopRole(orchestrator);
    }
  });

  it.each(trialSeeds(2))("takes over from an orchestrator stopped with SIGSTOP, which writes nothing once woken (seed %i)", async (seed) => {
    const finishFirst = seed % 2 === 0;
    const { orchestrator, runId, hold } = await runHeld(`stop-${seed}`);
    try {
      if (finishFirst) writeFileSync(hold, "");
      orchestrator.child.kill("SIGSTOP");
      if (!finishFirst) writeFileSync(hold, "");
      await untilDone(runId);
      const written = await store.redis.xlen(runKeys(runId).journal);
      const entry = await readRegistry(store, runId);
      orchestrator.child.kill("SIGCONT");
      expect(await exitOf(orchestrator, "the woken orchestrator")).not.toBe(0);
      expect(orchestrator.output()).toContain("took the run over");
      expect(await store.redis.xlen(runKeys(runId).journal)).toBe(written);
      expect(await readRegistry(store, runId)).toEqual(entry);
      expect([...completionsBySeq(await readStreamJournal(store, runId)).values()]).toEqual([1, 1, 1, 1, 1]);
    } finally {
      orchestrator.child.kill("SIGCONT");
      await stopRole(orchestrator);
    }
  });

  it("takes over from an orchestrator stopped with SIGSTOP, which stops none of the jobs the run adopted when it is woken while they run", async () => {
    const { orchestrator, runId, hold, started } = await runHeld("woken");
    try {
      orchestrator.child.kill("SIGSTOP");
      await until(async () => (await readStreamJournal(store, runId)).notes.some((note) => note.t === "resume"), `the standby to take the run over (it printed: ${standby!.output()})`, TAKEOVER_LIMIT_MS, 50);
      orchestrator.child.kill("SIGCONT");
      // it finds its run taken and its tasks stopped, but their jobs are the new owner's: no remove, no cancel request
      expect(await exitOf(orchestrator, "the woken orchestrator")).not.toBe(0);
      writeFileSync(hold, "");
      await untilDone(runId);
      expect([...completionsBySeq(await readStreamJournal(store, runId)).values()]).toEqual([1, 1, 1, 1, 1]);
      expect(marks(started)).toHaveLength(2);
      expect(worker!.output()).not.toContain("cancelled");
    } finally {
      orchestrator.child.kill("SIGCONT");
      await stopRole(orchestrator);
    }
  });
});
