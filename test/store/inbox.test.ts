/*
 * adhesive complete and adhesive send with --store: given a run of the
 * store waiting for a form's answer and then a message, when another
 * process answers and sends through the run's inbox in the store (it knows
 * only the store and the run's id, not the host or folder of the run),
 * then the run's owner takes both and the run finishes with them; what it
 * refuses comes back to the sender.
 */
import { writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Store } from "../../src/store/connection.js";
import { pendingInbox } from "../../src/store/inbox.js";
import { listStoreRuns } from "../../src/store/registry.js";
import { runCli, type CliResult } from "../run-cli.js";
import { until } from "../waiting.js";
import { redisStorePerFile, type TestRedis } from "./redis-server.js";
import { exitOf, startRole, stopRole } from "./store-cli.js";

const orderFile = fileURLToPath(new URL("../fixtures/live/order.ts", import.meta.url));

let redis: TestRedis;
let store: Store;
redisStorePerFile((server, connected) => {
  redis = server;
  store = connected;
});

describe("adhesive complete and send --store", () => {
  it("reach the run through its inbox in the store, and the run finishes with the answer and the message", async () => {
    const dir = await mkdtemp(join(tmpdir(), "adhesive-store-inbox-"));
    const release = join(dir, "release");
    writeFileSync(release, "");
    const env = { ADHESIVE_RUNS_FOLDER: join(dir, "runs"), ADHESIVE_TEMP_FOLDER: join(dir, "temp"), ORDER_RELEASE: release };
    const run = startRole(["--ui", orderFile, "--store", redis.url], env);
    try {
      await until(async () => (await listStoreRuns(store)).length === 1, `the run to register (it printed: ${run.output()})`);
      const id = (await listStoreRuns(store))[0].runId;
      const inbox = (args: string[]): Promise<CliResult> => runCli([...args, "--store", redis.url]);
      await until(() => run.output().includes("user task Approve Order waits for an answer"), `the form to open (it printed: ${run.output()})`);
      const wrong = await inbox(["complete", id, "Approve Order", "--data", '{"approvr": "bo"}']);
      expect(wrong).toMatchObject({ code: 1, stderr: 'adhesive: user task "Approve Order" has no field "approvr"; its fields: approver, priority, gifts, approve, reject\n' });
      const answered = await inbox(["complete", id, "approve", "--data", '{"approver": "bo", "gifts": ["card"], "reject": 1}']);
      expect(answered).toMatchObject({ code: 0, stdout: `answered user task "Approve Order" (approve) of run ${id}\n` });
      let paid: CliResult | undefined;
      // the token may still be on its way to the payment (the limit only caps a hang)
      await until(async () => (paid = await inbox(["send", id, "payment", "--data", '{"amount": 5}'])).code === 0, "the payment to be taken", 60_000, 100);
      expect(paid!.stdout).toContain(`delivered "payment" to 1 token of run ${id} (payment)`);
      expect(await exitOf(run, "the run")).toBe(0);
      expect(run.output()).toContain('result: {"approver":"bo","reject":false,"priority":"low","gifts":["card"],"paid":5,"shipped":true}');
      expect(await pendingInbox(store, id)).toBe(0);
    } finally {
      await stopRole(run);
    }
  });
});
