/*
 * Cancel from the console (`adhesive ui --store`, which takes no run over)
 * on a run of the store whose owner is gone: given a run whose orchestrator
 * was killed with kill -9 and no standby yet, when the page asks to cancel
 * it, then it is told that the run has not answered and the request waits
 * in the run's inbox (not that the run is cancelling), and the standby
 * started afterwards takes the run over and cancels it.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/connection.js";
import { readRegistry } from "../../src/store/registry.js";
import { until } from "../waiting.js";
import type { TestRedis } from "../store/redis-server.js";
import { newStoreRun, ORCHESTRATED, type Role, rolesPerFile, startRole, stopRole, storeRunIds, TAKEOVER_LIMIT_MS } from "../store/store-cli.js";

let redis: TestRedis, store: Store, dir: string, env: Record<string, string>;
rolesPerFile("adhesive-store-unanswered-", (file) => ({ redis, store, dir, env } = file), (dir) => ({ ADHESIVE_RUNS_FOLDER: join(dir, "console-runs") }));
const roles: Role[] = [];
let base: URL;

beforeAll(async () => {
  const consoleRole = startRole(["ui", "--store", redis.url], env);
  roles.push(consoleRole);
  await until(() => /console: http:\S+token=\S+/.test(consoleRole.output()), `the console to start (it printed: ${consoleRole.output()})`, 60_000);
  base = new URL(/console: (http:\S+)/.exec(consoleRole.output())![1]);
});
afterAll(async () => {
  for (const role of roles) await stopRole(role);
});

async function cancelFromPage(id: string): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(`/api/runs/${id}/actions/cancel`, base), { method: "POST", headers: { "x-adhesive-token": base.searchParams.get("token")!, "content-type": "application/json" }, body: "{}" });
  return (await response.json()) as Record<string, unknown>;
}

describe("the console's Cancel on a run of the store whose owner is gone", () => {
  it("says the request waits in the run's inbox, and the next owner cancels the run", async () => {
    const before = await storeRunIds(store);
    // its compile tasks hold (nobody ever writes the file), and no worker takes them
    const orchestrator = startRole([ORCHESTRATED, "--store", redis.url, "--data", JSON.stringify({ hold: join(dir, "never") })], env);
    roles.push(orchestrator);
    await until(async () => (await newStoreRun(store, before)) !== undefined, `the run to register (it printed: ${orchestrator.output()})`);
    const id = (await newStoreRun(store, before))!.runId;
    orchestrator.child.kill("SIGKILL");
    await orchestrator.exited;

    const answer = await cancelFromPage(id);
    expect(answer).toMatchObject({ action: "cancel", run: id, state: "running" });
    expect(answer.note).toBe(`run ${id} has not answered within 10 s: the request stays in its inbox, for the process that owns the run next`);

    roles.push(startRole(["serve", "--store", redis.url], env));
    await until(async () => (await readRegistry(store, id))?.state === "cancelled", "the standby to take the run over and cancel it", TAKEOVER_LIMIT_MS, 50);
  });
});
