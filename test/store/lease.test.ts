/*
 * One owner per run of the store. The lease is SET NX PX with an epoch that
 * grows at each claim; every write of the run (journal append, inbox read
 * and acknowledgement, registry update) compares the writer's epoch with
 * the run's in the same Lua script. So an owner that was paused (SIGSTOP)
 * past its lease, and wakes after another process took the run over,
 * writes nothing more.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { framedLine } from "../../src/journal/framing.js";
import { OwnerLostError } from "../../src/runs/owner/lease.js";
import { type Store } from "../../src/store/connection.js";
import { ackInbox, openInbox, pendingInbox, readInbox, sendToInbox } from "../../src/store/inbox.js";
import { appendJournal } from "../../src/store/journal-stream.js";
import { runKeys } from "../../src/store/keys.js";
import { claimStoreRun, StoreLease, takeHandover, type StoreHeld } from "../../src/store/lease.js";
import { readRegistry, updateRegistry } from "../../src/store/registry.js";
import { until } from "../waiting.js";
import { redisStorePerFile, type TestRedis } from "./redis-server.js";

const holderScript = fileURLToPath(new URL("../fixtures/store/lease-holder.ts", import.meta.url));

let redis: TestRedis;
let store: Store;
redisStorePerFile((server, connected) => {
  redis = server;
  store = connected;
});

async function claim(runId: string, leaseMs: number): Promise<StoreLease> {
  const lease = await claimStoreRun(store, runId, leaseMs);
  if (!(lease instanceof StoreLease)) throw new Error(`run ${runId} is held by ${JSON.stringify(lease.heldBy)}`);
  return lease;
}

/** Claims the run as soon as its current holder's lease has run out. */
async function takeOver(runId: string, leaseMs: number): Promise<StoreLease> {
  let taken: StoreLease | undefined;
  await until(async () => {
    const lease = await claimStoreRun(store, runId, leaseMs);
    if (lease instanceof StoreLease) taken = lease;
    return taken !== undefined;
  }, `the lease of run ${runId} to run out`);
  return taken!;
}

const record = (fields: Record<string, unknown>) => Buffer.from(framedLine(JSON.stringify(fields)));

async function journalEntries(runId: string): Promise<Array<Record<string, unknown>>> {
  const entries = await store.redis.xrange(runKeys(runId).journal, "-", "+");
  return entries.map(([, fields]) => JSON.parse(fields[1].split("\t")[0]) as Record<string, unknown>);
}

describe("the lease of a run in the store", () => {
  it("is held by one process at a time, which a second claim names", async () => {
    const first = await claim("one-owner", 60_000);
    expect(first.epoch).toBe(1);
    const second = await claimStoreRun(store, "one-owner", 60_000);
    expect(second).toEqual({ heldBy: expect.objectContaining({ pid: process.pid, host: first.owner.host }), leftMs: expect.any(Number) });
    // how long the holder has left, for a standby to claim again right then
    expect((second as StoreHeld).leftMs).toBeGreaterThan(0);
    expect((second as StoreHeld).leftMs).toBeLessThanOrEqual(60_000);
  });

  it("handed over by a standby, goes to the taker with the next epoch, and the standby's renewal finds it lost", async () => {
    const standby = await claim("handed", 60_000);
    const handover = { runId: "handed", epoch: standby.epoch, takenFrom: undefined };
    const taker = await takeHandover(store, handover, 60_000);
    expect(taker?.epoch).toBe(standby.epoch + 1);
    expect(await standby.renewOnce()).toBe(false);
    expect(await taker!.renewOnce()).toBe(true);
    // the same claim handed over again is stale: the lease is the taker's
    expect(await takeHandover(store, handover, 60_000)).toBeUndefined();
  });

  it("once released, is claimed at once with the next epoch, from nobody", async () => {
    const first = await claim("released", 60_000);
    await first.release();
    const second = await claim("released", 60_000);
    expect(second.epoch).toBe(2);
    expect(second.takenFrom).toBeUndefined();
  });

  it("once expired, is taken over from the holder that stopped renewing it", async () => {
    const first = await claim("expired", 200);
    const second = await takeOver("expired", 60_000);
    expect(second.epoch).toBe(first.epoch + 1);
    expect(second.takenFrom).toMatchObject({ pid: process.pid, host: first.owner.host });
  });

  it("is renewed for its whole time by renewOnce, and taken again if it ran out while nobody claimed it", async () => {
    const lease = await claim("renewed", 60_000);
    await store.redis.pexpire(runKeys("renewed").lease, 50);
    expect(await lease.renewOnce()).toBe(true);
    expect(await store.redis.pttl(runKeys("renewed").lease)).toBeGreaterThan(50);
    await store.redis.del(runKeys("renewed").lease);
    expect(await lease.renewOnce()).toBe(true);
    expect(await store.redis.exists(runKeys("renewed").lease)).toBe(1);
  });
});

describe("a former owner after a takeover", () => {
  it("appends no journal record, reads and acknowledges no inbox message, updates no registry entry", async () => {
    const runId = "fenced";
    await openInbox(store, runId);
    const old = await claim(runId, 200);
    await appendJournal(old, record({ t: "note", by: "old" }));
    await updateRegistry(old, { state: "running", process: "p", add: { started: 1 } });
    await sendToInbox(store, runId, { name: "order", value: 1 });
    const [message] = await readInbox(old, { pending: false });
    expect(message.message).toEqual({ name: "order", value: 1 });

    const owner = await takeOver(runId, 60_000);
    const refusals = await Promise.all([
      appendJournal(old, record({ t: "note", by: "old again" }), [message.id]).catch((error: unknown) => error),
      ackInbox(old, [message.id]).catch((error: unknown) => error),
      updateRegistry(old, { state: "done", add: { done: 1 } }).catch((error: unknown) => error),
      readInbox(old, { pending: true }).catch((error: unknown) => error),
    ]);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(OwnerLostError);
      expect((refusal as OwnerLostError).message).toMatch(new RegExp(`^run fenced: another process \\(pid ${process.pid}\\) took the run over \\(epoch 2\\)`));
    }
    expect(old.holds()).toBe(false);

    expect(await journalEntries(runId)).toEqual([{ t: "note", by: "old" }]);
    expect(await readRegistry(store, runId)).toMatchObject({ state: "running", epoch: 1, counts: { started: 1, done: 0, failed: 0 } });
    // the message the old owner read and never journaled is the new owner's, pending
    expect(await pendingInbox(store, runId)).toBe(1);
    const pending = await readInbox(owner, { pending: true });
    expect(pending.map((entry) => entry.id)).toEqual([message.id]);
    await appendJournal(owner, record({ t: "dl", by: "new" }), [message.id]);
    expect(await pendingInbox(store, runId)).toBe(0);
    await updateRegistry(owner, { state: "done", add: { done: 1 } });
    expect(await readRegistry(store, runId)).toMatchObject({ state: "done", epoch: 2, counts: { started: 1, done: 1 } });
  });

  it("stopped with SIGSTOP past its lease, writes nothing once it wakes after a takeover, and says it lost the run", async () => {
    const runId = "paused";
    const child = spawn(process.execPath, ["--import", "tsx", holderScript, redis.url, runId, "1000"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await until(async () => (await journalEntries(runId)).length >= 3, `the holder's first records (it printed: ${output})`);
      child.kill("SIGSTOP");
      const owner = await takeOver(runId, 60_000);
      expect(owner.takenFrom?.pid).toBe(child.pid);
      await appendJournal(owner, record({ t: "note", by: "new owner" }));
      const before = await journalEntries(runId);
      child.kill("SIGCONT");
      expect(await exited).toBe(3);
      expect(output).toContain(`lost: run ${runId}: another process (pid ${process.pid}) took the run over (epoch 2)`);
      const after = await journalEntries(runId);
      // nothing of the old owner after the new owner's first record, nor at all since it woke
      expect(after).toEqual(before);
      expect(after.findIndex((entry) => entry.by === "new owner")).toBe(after.length - 1);
      expect(after.filter((entry) => entry.by === 1).length).toBeGreaterThanOrEqual(3);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
