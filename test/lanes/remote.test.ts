/*
 * remote(pool, fn): given a lane declared with a pool, when a worker asks
 * which function to run for it, then it is the function given to remote(),
 * none for a bare remote(pool), and a plain lane function (a lane the pools
 * setting maps) is its own; the orchestrator's side keeps failing without a
 * store, naming the pool.
 */
import { describe, expect, it } from "vitest";
import { remote, type Context, type Workspace } from "../../src/index.js";
import { remotePoolOf, workerLaneFunction } from "../../src/lanes/remote.js";

const onWorker = async function* (ctx: Context): AsyncGenerator<Workspace, void, unknown> {
  yield ctx.workspace;
};

describe("remote(pool, fn)", () => {
  it("gives the worker the lane function to run, and the orchestrator the pool", async () => {
    const declared = remote("build", onWorker);
    expect(remotePoolOf(declared)).toBe("build");
    expect(workerLaneFunction(declared)).toBe(onWorker);
    expect(workerLaneFunction(remote("gpu"))).toBeUndefined();
    expect(workerLaneFunction(onWorker)).toBe(onWorker);
    await expect(declared({} as Context).next()).rejects.toThrow('this lane\'s tasks run on the adhesive workers of pool "build" (remote("build")), which takes a store');
  });

  it("refuses a second argument that is not a lane function", () => {
    expect(() => remote("build", "docker" as never)).toThrow('remote("build", fn): fn must be a lane function');
  });
});
