/*
 * A request to a run of the store is taken once, even when its owner dies
 * right after journaling what it did: given a run that waits, and an
 * orchestrator that kills itself (kill -9, the test hook
 * TEST_ADHESIVE_CRASH_AFTER_INBOX_RECORD) as soon as a journal append that
 * acknowledges an inbox entry is in, when a standby takes the run over,
 * then the inbox has nothing pending, the journal holds the request's
 * record once, and the sender is told what became of its request:
 * - a Ping message (`send`): one Ping instance, not two;
 * - an answer (`complete`): one completion of the user task, with the answer;
 * - a cancel: the run's end, cancelled, which the standby then registers.
 * An orchestrator that acknowledged in an append of its own would not be
 * killed by the hook, and its exit code would say so.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeValue } from "../../src/journal/values.js";
import { type Store } from "../../src/store/connection.js";
import { pendingInbox } from "../../src/store/inbox.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { readRegistry } from "../../src/store/registry.js";
import { runCli } from "../run-cli.js";
import { until } from "../waiting.js";
import { type TestRedis } from "./redis-server.js";
import { exitOf, newStoreRun, type Role, rolesPerFile, startRole, stopRole, storeRunIds, TAKEOVER_LIMIT_MS } from "./store-cli.js";
import { completionsBySeq } from "./trials.js";

const pingsFile = fileURLToPath(new URL("../fixtures/store/pings.ts", import.meta.url));
const approvalFile = fileURLToPath(new URL("../fixtures/store/approval.ts", import.meta.url));

let redis: TestRedis, store: Store, env: Record<string, string>;
rolesPerFile("adhesive-inbox-crash-", (file) => ({ redis, store, env } = file));
let standby: Role | undefined;
beforeAll(() => {
  standby = startRole(["serve", "--store", redis.url], env);
});
afterAll(async () => {
  await stopRole(standby);
});

/** An orchestrator of `file` that dies right after an append acknowledging an inbox entry, and its run's id once registered. */
async function crashing(file: string, flags: string[] = []): Promise<{ orchestrator: Role; runId: string }> {
  const before = await storeRunIds(store);
  const orchestrator = startRole([file, "--store", redis.url, ...flags], { ...env, TEST_ADHESIVE_CRASH_AFTER_INBOX_RECORD: "1" });
  const fresh = async () => (await newStoreRun(store, before))?.runId;
  await until(async () => (await fresh()) !== undefined, `the run to register (it printed: ${orchestrator.output()}; the standby: ${standby!.output()})`);
  return { orchestrator, runId: (await fresh())! };
}

const inboxCommand = (args: string[]) => runCli([...args, "--store", redis.url]);

describe("a request in the inbox of a run of the store", () => {
  it("is a message delivered once when its owner dies right after journaling it", async () => {
    const { orchestrator, runId } = await crashing(pingsFile);
    try {
      // the owner dies before replying
      await until(() => orchestrator.output().includes("wait  for message Ping"), `the token to wait (it printed: ${orchestrator.output()})`);
      const send = (n: number) => inboxCommand(["send", runId, "Ping", "--data", JSON.stringify({ n })]);
      const first = send(1);
      expect(await exitOf(orchestrator, "the orchestrator")).toBe(128 + 9);
      await until(async () => (await readRegistry(store, runId))?.owner?.pid !== orchestrator.pid, `the standby to take the run over (it printed: ${standby!.output()})`, TAKEOVER_LIMIT_MS, 50);
      // the token may not wait again yet (the limit only caps a hang)
      await until(async () => (await send(2)).code === 0, "the second Ping to be taken", TAKEOVER_LIMIT_MS, 100);
      await until(async () => (await readRegistry(store, runId))?.state === "done", `the standby to finish the run (it printed: ${standby!.output()})`, TAKEOVER_LIMIT_MS, 50);
      // it learns that its request was taken once the owner is gone, not after the whole wait
      expect((await first).stdout).toContain("its owner took the request and stopped before it answered");
      const journal = await readStreamJournal(store, runId);
      expect(journal.inputs.filter((input) => input.kind === "delivered").map((input) => (input as { event: unknown }).event)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(journal.notes.find((note) => note.t === "resume")).toMatchObject({ takenFrom: { pid: orchestrator.pid } });
      expect(await pendingInbox(store, runId)).toBe(0);
    } finally {
      await stopRole(orchestrator);
    }
  });

  it("is an answer recorded once, with its user task's completion, when its owner dies right after journaling it", async () => {
    // off a terminal, a form is answered through the live view's inbox
    const { orchestrator, runId } = await crashing(approvalFile, ["--ui"]);
    try {
      // the token may still be on its way to the user task; the answer that is taken gets no reply: its owner died
      let answer: ReturnType<typeof inboxCommand> | undefined;
      await until(async () => {
        answer = inboxCommand(["complete", runId, "Approve", "--data", JSON.stringify({ approver: "bo" })]);
        return await Promise.race([answer.then((outcome) => outcome.code === 0), exitOf(orchestrator, "the orchestrator").then(() => true)]);
      }, `the answer to be taken (it printed: ${orchestrator.output()})`);
      expect(await exitOf(orchestrator, "the orchestrator")).toBe(128 + 9);
      await until(async () => (await readRegistry(store, runId))?.state === "done", `the standby to finish the run (it printed: ${standby!.output()})`, TAKEOVER_LIMIT_MS, 50);
      expect((await answer!).stdout).toContain("its owner took the request and stopped before it answered");
      const journal = await readStreamJournal(store, runId);
      expect([...completionsBySeq(journal).values()]).toEqual([1]);
      expect(journal.end?.state).toBe("done");
      expect(decodeValue(journal.end!.data as never)).toEqual({ approver: "bo" });
      expect(journal.notes.find((note) => note.t === "resume")).toMatchObject({ takenFrom: { pid: orchestrator.pid } });
      expect(await pendingInbox(store, runId)).toBe(0);
    } finally {
      await stopRole(orchestrator);
    }
  });

  it("is a cancel that ends the run once, when its owner dies right after journaling the end", async () => {
    const { orchestrator, runId } = await crashing(pingsFile);
    try {
      await until(() => orchestrator.output().includes("wait  for message Ping"), `the token to wait (it printed: ${orchestrator.output()})`);
      const cancel = inboxCommand(["cancel", runId]);
      expect(await exitOf(orchestrator, "the orchestrator")).toBe(128 + 9);
      // its registry entry still said running: the standby took the run, found its end and registered it
      await until(async () => (await readRegistry(store, runId))?.state === "cancelled", `the standby to register the end (it printed: ${standby!.output()})`, TAKEOVER_LIMIT_MS, 50);
      // its owner answered before it journaled the end
      expect((await cancel).stdout).toBe(`run ${runId} is cancelling\n`);
      const journal = await readStreamJournal(store, runId);
      expect(journal.end?.state).toBe("cancelled");
      expect(journal.inputs.filter((input) => input.kind === "delivered")).toEqual([]);
      expect(await pendingInbox(store, runId)).toBe(0);
    } finally {
      await stopRole(orchestrator);
    }
  });
});
