/*
 * The registry: given runs registered by their owners, when they update
 * their state and counts, then each run's entry says its state, process,
 * owner and epoch and counts, and the list of the store's runs has every
 * run in the order they were registered.
 */
import { describe, expect, it } from "vitest";
import { type Store } from "../../src/store/connection.js";
import { StoreLease } from "../../src/store/lease.js";
import { listStoreRuns, readRegistry, updateRegistry } from "../../src/store/registry.js";
import { claimFreeRun, redisStorePerFile } from "./redis-server.js";

let store: Store;
redisStorePerFile((_server, connected) => {
  store = connected;
});

const claim = (runId: string): Promise<StoreLease> => claimFreeRun(store, runId);

describe("the registry of a store", () => {
  it("keeps each run's state, process, owner and counts, and lists the runs in the order they were registered", async () => {
    const first = await claim("build-1");
    await updateRegistry(first, { state: "running", process: "build.bpmn#build", add: { started: 2 } });
    const second = await claim("deploy-1");
    await updateRegistry(second, { state: "running", process: "deploy.bpmn#deploy" });
    await updateRegistry(first, { add: { done: 1, failed: 1 } });
    await updateRegistry(first, { state: "failed", add: { done: 0 } });

    expect(await readRegistry(store, "build-1")).toMatchObject({
      runId: "build-1",
      state: "failed",
      process: "build.bpmn#build",
      owner: { pid: process.pid },
      epoch: 1,
      counts: { started: 2, done: 1, failed: 1 },
    });
    expect(await readRegistry(store, "never-registered")).toBeUndefined();
    const runs = await listStoreRuns(store);
    expect(runs.map((run) => [run.runId, run.state])).toEqual([
      ["build-1", "failed"],
      ["deploy-1", "running"],
    ]);
    expect(runs[0].updated).toBeGreaterThanOrEqual(runs[0].registered);
  });
});
