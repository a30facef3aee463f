/*
 * The registry: given runs registered by their owners, when they update
 * their state and counts, then each run's entry says its state, process,
 * owner and epoch and counts, and the list of the store's runs has every
 * run in the order they were registered; a run is found by its id or a
 * prefix only it has, and a prefix several runs share is refused naming
 * them.
 */
import { describe, expect, it } from "vitest";
import { type Store } from "../../src/store/connection.js";
import { StoreLease } from "../../src/store/lease.js";
import { findStoreRun, listStoreRuns, readRegistry, updateRegistry } from "../../src/store/registry.js";
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

  it("finds a run by its id or a prefix only it has, and refuses a prefix several runs share, naming them", async () => {
    for (const id of ["ship-1a", "ship-1b", "ship-2", "ship"]) await updateRegistry(await claim(id), { state: "running" });
    expect(await findStoreRun(store, "ship-2")).toBe("ship-2");
    expect(await findStoreRun(store, "ship-1a")).toBe("ship-1a");
    // an id that is also a prefix of others is that run
    expect(await findStoreRun(store, "ship")).toBe("ship");
    await expect(findStoreRun(store, "ship-1")).rejects.toThrow(`2 runs of the store ${store.address.shown} start with "ship-1": ship-1a, ship-1b; give more of the id`);
    await expect(findStoreRun(store, "dock")).rejects.toThrow(`run dock: the store ${store.address.shown} has no such run (adhesive runs --store lists its runs)`);
  });
});
