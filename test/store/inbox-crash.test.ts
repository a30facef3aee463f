/*
 * A message sent to a run of the store is delivered once, even when its
 * owner dies right after journaling it: given a run that waits, and an
 * orchestrator that kills itself (kill -9, the test hook
 * TEST_ADHESIVE_CRASH_AFTER_INBOX_RECORD) as soon as the journal append
 * holding a Ping message's record is in, when a standby takes the run over
 * and finishes it, then the journal holds one Ping instance, not two, and
 * the inbox has nothing pending: the message was acknowledged by the same
 * append that recorded it.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Store } from "../../src/store/connection.js";
import { pendingInbox } from "../../src/store/inbox.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { listStoreRuns, readRegistry } from "../../src/store/registry.js";
import { runCli } from "../run-cli.js";
import { until } from "../waiting.js";
import { type TestRedis } from "./redis-server.js";
import { exitOf, rolesPerFile, startRole, stopRole } from "./store-cli.js";

const pingsFile = fileURLToPath(new URL("../fixtures/store/pings.ts", import.meta.url));

let redis: TestRedis, store: Store, env: Record<string, string>;
rolesPerFile("adhesive-inbox-crash-", (file) => ({ redis, store, env } = file));

describe("a message in the inbox of a run of the store", () => {
  it("is delivered once when its owner dies right after journaling it", async () => {
    const orchestrator = startRole([pingsFile, "--store", redis.url], { ...env, TEST_ADHESIVE_CRASH_AFTER_INBOX_RECORD: "1" });
    const standby = startRole(["serve", "--store", redis.url], env);
    try {
      await until(async () => (await listStoreRuns(store)).length === 1, `the run to register (it printed: ${orchestrator.output()}; the standby: ${standby.output()})`);
      const runId = (await listStoreRuns(store))[0].runId;
      // the sender hears nothing: the owner died before replying
      await until(() => orchestrator.output().includes("wait  for message Ping"), `the token to wait (it printed: ${orchestrator.output()})`);
      const send = (n: number) => runCli(["send", runId, "Ping", "--data", JSON.stringify({ n }), "--store", redis.url]);
      const first = send(1);
      expect(await exitOf(orchestrator, "the orchestrator")).toBe(128 + 9);
      await until(async () => (await readRegistry(store, runId))?.owner?.pid !== orchestrator.pid, `the standby to take the run over (it printed: ${standby.output()})`, 90_000, 50);
      // the token may not wait again yet (the limit only caps a hang)
      await until(async () => (await send(2)).code === 0, "the second Ping to be taken", 90_000, 100);
      await until(async () => (await readRegistry(store, runId))?.state === "done", `the standby to finish the run (it printed: ${standby.output()})`, 90_000, 50);
      await first;
      const journal = await readStreamJournal(store, runId);
      expect(journal.inputs.filter((input) => input.kind === "delivered").map((input) => (input as { event: unknown }).event)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(journal.notes.find((note) => note.t === "resume")).toMatchObject({ takenFrom: { pid: orchestrator.pid } });
      expect(await pendingInbox(store, runId)).toBe(0);
    } finally {
      await stopRole(orchestrator);
      await stopRole(standby);
    }
  });
});
