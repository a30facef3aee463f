/*
 * A worker killed with kill -9 mid-task: given an orchestrator and two
 * workers of the build pool (one job at a time each), when both compile
 * tasks are running and one worker dies, then its task runs again on the
 * other once its lock runs out, the run finishes, every task's completion
 * is journaled once, and only the killed worker's task ran twice. Several
 * seeded trials: the seed picks which worker dies.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Store } from "../../src/store/connection.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { until } from "../waiting.js";
import { type TestRedis } from "./redis-server.js";
import { completionsBySeq, seeded, trialSeeds, marks } from "./trials.js";
import { exitOf, newStoreRun, ORCHESTRATED, type Role, rolesPerFile, startRole, startWorker, stopRole, storeRunIds } from "./store-cli.js";

let redis: TestRedis, store: Store, dir: string, env: Record<string, string>;
rolesPerFile("adhesive-kill-worker-", (file) => ({ redis, store, dir, env } = file));
const workers: Role[] = [];
beforeAll(async () => {
  workers.push(...(await Promise.all([startWorker(redis.url, env, 1), startWorker(redis.url, env, 1)])));
});
afterAll(async () => {
  for (const worker of workers) await stopRole(worker);
});


describe("a worker killed with kill -9 mid-task", () => {
  it.each(trialSeeds())("loses only its own task, which runs again elsewhere; each completion is journaled once (seed %i)", async (seed) => {
    const random = seeded(seed);
    const started = join(dir, `started-${seed}`);
    const hold = join(dir, `hold-${seed}`);
    const before = await storeRunIds(store);
    const orchestrator = startRole([ORCHESTRATED, "--store", redis.url, "--data", JSON.stringify({ started, hold })], env);
    try {
      await until(() => marks(started).length === 2, `both compile tasks to start on the workers (the orchestrator printed: ${orchestrator.output()})`);
      const running = marks(started);
      expect(new Set(running.map((mark) => mark.pid)).size).toBe(2);
      const victim = running[Math.floor(random() * 2)];
      const killed = workers.find((worker) => worker.pid === victim.pid)!;
      killed.child.kill("SIGKILL");
      await killed.exited;
      writeFileSync(hold, "");
      expect(await exitOf(orchestrator, "the orchestrator"), orchestrator.output()).toBe(0);

      const runId = (await newStoreRun(store, before))!.runId;
      const journal = await readStreamJournal(store, runId);
      expect(journal.end?.state).toBe("done");
      expect([...completionsBySeq(journal).values()]).toEqual([1, 1, 1, 1, 1]);
      const after = marks(started);
      const survivor = running.find((mark) => mark !== victim)!;
      expect(after.filter((mark) => mark.side === survivor.side)).toEqual([survivor]);
      expect(after.filter((mark) => mark.side === victim.side).map((mark) => mark.pid).sort()).toEqual([victim.pid, survivor.pid].sort());
      workers.splice(workers.indexOf(killed), 1, await startWorker(redis.url, env, 1));
    } finally {
      await stopRole(orchestrator);
    }
  });
});
