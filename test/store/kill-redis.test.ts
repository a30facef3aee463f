/*
 * redis-server killed with kill -9 mid-run, then started again on its AOF:
 * given an orchestrator whose remote compile tasks run on a worker, when
 * Redis dies and comes back, then orchestrator and worker wait for it
 * (their connections retry) and the run finishes, each completion
 * journaled once. Seeded trials, consecutive seeds: an even one lets the
 * compile tasks finish while Redis is down, an odd one after it is back.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Store } from "../../src/store/connection.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { readRegistry } from "../../src/store/registry.js";
import { until } from "../waiting.js";
import { type TestRedis } from "./redis-server.js";
import { exitOf, newStoreRun, ORCHESTRATED, type Role, rolesPerFile, startRole, startWorker, stopRole, storeRunIds } from "./store-cli.js";
import { completionsBySeq, trialSeeds } from "./trials.js";

let redis: TestRedis, store: Store, dir: string, env: Record<string, string>;
rolesPerFile("adhesive-kill-redis-", (file) => ({ redis, store, dir, env } = file));
let worker: Role | undefined;
beforeAll(async () => {
  worker = await startWorker(redis.url, env, 2);
});
afterAll(async () => stopRole(worker));

describe("redis-server killed with kill -9 and started again", () => {
  it.each(trialSeeds(2))("stalls the run, which finishes once Redis is back, each completion journaled once (seed %i)", async (seed) => {
    const started = join(dir, `started-${seed}`);
    const hold = join(dir, `hold-${seed}`);
    const before = await storeRunIds(store);
    const orchestrator = startRole([ORCHESTRATED, "--store", redis.url, "--data", JSON.stringify({ started, hold })], env);
    try {
      await until(() => readdirSync(dir).filter((file) => file.startsWith(`started-${seed}.`)).length === 2, `both compile tasks to start (the orchestrator printed: ${orchestrator.output()})`);
      const runId = (await newStoreRun(store, before))!.runId;
      await redis.kill();
      if (seed % 2 === 0) writeFileSync(hold, "");
      await redis.start();
      writeFileSync(hold, "");
      expect(await exitOf(orchestrator, "the orchestrator"), `${orchestrator.output()}\n${worker!.output()}`).toBe(0);
      const journal = await readStreamJournal(store, runId);
      expect(journal.end?.state).toBe("done");
      expect([...completionsBySeq(journal).values()]).toEqual([1, 1, 1, 1, 1]);
      expect((await readRegistry(store, runId))?.state).toBe("done");
    } finally {
      await stopRole(orchestrator);
    }
  });
});
