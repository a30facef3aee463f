/*
 * Remote tasks as BullMQ jobs: at least once per task, exactly once per
 * recorded completion. Given a pool's queue and workers, when jobs end
 * while nobody listens, twice for one task, with the task's own error, or
 * on a worker killed with kill -9 mid-task, then each task's outcome is
 * recorded once, a business error is never retried, and only the killed
 * worker's task runs again; and the job of a task nobody waits for any
 * more is removed, or failed unrun where its cancel came first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Job, Queue, type Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BpmnError } from "../../src/index.js";
import { decodeValue, encodeValue } from "../../src/journal/values.js";
import { connectStore, type Store } from "../../src/store/connection.js";
import type { RemoteOutcome, RemoteTaskJob } from "../../src/store/remote-outcome.js";
import { queueName } from "../../src/store/queue-name.js";
import { CANCEL_CHANNEL, CancelListener } from "../../src/store/job-cancel.js";
import { queueKeys, TaskQueue } from "../../src/store/task-queue.js";
import { startTaskWorker } from "../../src/store/task-worker.js";
import { until } from "../waiting.js";
import { startRedis, type TestRedis } from "./redis-server.js";

const workerScript = fileURLToPath(new URL("../fixtures/store/task-worker.ts", import.meta.url));
/* short lock and stall check, so a killed worker's job is found within seconds */
const LOCK_MS = 1000;
const STALLED_MS = 500;

let redis: TestRedis;
let store: Store;
const closing: Array<{ close(): Promise<unknown> }> = [];
beforeAll(async () => {
  redis = await startRedis();
  store = await connectStore(redis.url);
});
afterAll(async () => {
  for (const item of closing.reverse()) await item.close();
  await store?.close();
  await redis?.stop();
});

function job(run: string, seq: number, attempt: number, data: Record<string, unknown> = {}): RemoteTaskJob {
  return { run, seq, attempt, node: "build", name: "Build", data: encodeValue(data), idempotencyKey: `${run}:${seq}`, tokenId: seq, lane: undefined, loop: undefined };
}

async function openQueue(name: string, outcomes: RemoteOutcome[], confirmEveryMs?: number): Promise<TaskQueue> {
  const tasks = await TaskQueue.open(store, name, { keepResultsS: 3600, confirmEveryMs }, (outcome) => outcomes.push(outcome));
  closing.push(tasks);
  return tasks;
}

/** A worker in this process: returns {ran: the data's n}, or throws the data's error. */
async function localWorker(name: string): Promise<Worker> {
  const worker = await startTaskWorker({
    store,
    queue: name,
    concurrency: 4,
    lockDurationMs: LOCK_MS,
    stalledIntervalMs: STALLED_MS,
    run: async (task) => {
      const data = decodeValue(task.data) as { n?: number; fail?: string };
      if (data.fail !== undefined) throw new BpmnError(data.fail, `no stock for item ${task.seq}`);
      return { c: { ran: encodeValue(data.n ?? task.seq) } };
    },
  });
  closing.push(worker);
  return worker;
}

function inspect(name: string): Queue {
  const queue = new Queue(name, { connection: store.connection });
  closing.push(queue);
  return queue;
}

async function untilState(queue: Queue, id: string, state: string): Promise<void> {
  await until(async () => (await queue.getJobState(id)) === state, `job ${id} to be ${state}`);
}

describe("the completion of a remote task", () => {
  it("that ended while no listener was up is found by asking the job", async () => {
    const name = queueName("build", "listener-down");
    const first = await openQueue(name, []);
    const id = await first.add(job("r1", 1, 1, { n: 7 }));
    // the orchestrator goes away before the job ends: nobody hears its completion event
    await first.close();
    await localWorker(name);
    await untilState(inspect(name), id, "completed");

    const outcomes: RemoteOutcome[] = [];
    const standby = await openQueue(name, outcomes);
    standby.adopt(job("r1", 1, 1, { n: 7 }));
    expect(outcomes).toEqual([]);
    await standby.confirm();
    expect(outcomes).toEqual([{ kind: "done", run: "r1", seq: 1, attempt: 1, changes: { c: { ran: { j: 7 } } } }]);
    expect(standby.inFlight).toBe(0);
  });

  it("is recorded once when two attempts of the task complete, and when its event and its state check both report it", async () => {
    const name = queueName("build", "twice");
    const outcomes: RemoteOutcome[] = [];
    const tasks = await openQueue(name, outcomes);
    const queue = inspect(name);
    // attempt 2 was added after a takeover, while attempt 1 was still running somewhere
    const ids = [await tasks.add(job("r2", 5, 1, { n: 1 })), await tasks.add(job("r2", 5, 2, { n: 2 }))];
    await localWorker(name);
    for (const id of ids) await untilState(queue, id, "completed");
    await until(() => outcomes.length > 0, "the completion event");
    await tasks.confirm();
    await tasks.confirm();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ kind: "done", run: "r2", seq: 5 });
  });

  it("adds a job the journal started and BullMQ never got, under the same id", async () => {
    const name = queueName("build", "missing");
    const outcomes: RemoteOutcome[] = [];
    const tasks = await openQueue(name, outcomes, 50);
    // the orchestrator died between the start record and the add
    tasks.adopt(job("r3", 2, 1, { n: 3 }));
    await localWorker(name);
    await until(() => outcomes.length > 0, "the job added again to complete");
    expect(outcomes).toEqual([{ kind: "done", run: "r3", seq: 2, attempt: 1, changes: { c: { ran: { j: 3 } } } }]);
    expect(await inspect(name).getJobState("r3.2.1")).toBe("completed");
  });

  it("that failed with the task's own error is that failure, and is never retried", async () => {
    const name = queueName("build", "business");
    const outcomes: RemoteOutcome[] = [];
    const tasks = await openQueue(name, outcomes, 50);
    const id = await tasks.add(job("r4", 3, 1, { fail: "OUT_OF_STOCK" }));
    await localWorker(name);
    await until(() => outcomes.length > 0, "the failure");
    expect(outcomes).toEqual([
      {
        kind: "failed",
        run: "r4",
        seq: 3,
        attempt: 1,
        failure: expect.objectContaining({ name: "BpmnError", message: "no stock for item 3", code: "OUT_OF_STOCK" }),
      },
    ]);
    const failed = await Job.fromId(inspect(name), id);
    expect(failed?.attemptsStarted).toBe(1);
    expect(await failed?.getState()).toBe("failed");
  });
});

describe("the jobs in flight, asked in one batch", () => {
  it("are added together when the engine launches them in one turn, each once under its id", async () => {
    const name = queueName("build", "one-turn");
    const outcomes: RemoteOutcome[] = [];
    const tasks = await openQueue(name, outcomes);
    const ids = await Promise.all([1, 2, 3].map((seq) => tasks.add(job("r5", seq, 1, { n: seq * 10 }))));
    // added again (a confirm that found it missing, say): BullMQ keeps the first
    await tasks.add(job("r5", 2, 1, { n: 99 }));
    const queue = inspect(name);
    expect(await Promise.all(ids.map((id) => queue.getJobState(id)))).toEqual(["waiting", "waiting", "waiting"]);
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 3 });
    await localWorker(name);
    await until(() => outcomes.length === 3, "the three completions");
    expect(outcomes.map((outcome) => (outcome.kind === "done" ? outcome.changes.c : outcome.kind)).sort()).toEqual([{ ran: { j: 10 } }, { ran: { j: 20 } }, { ran: { j: 30 } }]);
  });

  it("tell a failure that ended while no listener was up, and which jobs still wait for a worker", async () => {
    const name = queueName("build", "asked-failure");
    const first = await openQueue(name, []);
    await first.add(job("r6", 1, 1, { fail: "OUT_OF_STOCK" }));
    await first.close();
    await localWorker(name);
    await untilState(inspect(name), "r6.1.1", "failed");

    // a job of another pool's queue that nobody takes: it waits, and is reported once
    const outcomes: RemoteOutcome[] = [];
    const slow: string[] = [];
    const standby = await TaskQueue.open(store, name, { keepResultsS: 3600, confirmEveryMs: undefined, scheduleToStartMs: 1, onSlowStart: (_job, id) => slow.push(id) }, (outcome) => outcomes.push(outcome));
    closing.push(standby);
    standby.adopt(job("r6", 1, 1, { fail: "OUT_OF_STOCK" }));
    const idle = await TaskQueue.open(store, queueName("nobody", "asked-failure"), { keepResultsS: 3600, confirmEveryMs: undefined, scheduleToStartMs: 1, onSlowStart: (_job, id) => slow.push(id) }, () => undefined);
    closing.push(idle);
    await idle.add(job("r7", 1, 1));
    await standby.confirm();
    expect(outcomes).toEqual([{ kind: "failed", run: "r6", seq: 1, attempt: 1, failure: expect.objectContaining({ name: "BpmnError", code: "OUT_OF_STOCK" }) }]);
    await until(async () => {
      await idle.confirm();
      return slow.length > 0;
    }, "the waiting job to be reported");
    await idle.confirm();
    expect(slow).toEqual(["r7.1.1"]);
    expect(idle.inFlight).toBe(1);
  });

  it("are found under BullMQ's own keys of their queue, which the scripts use without loading BullMQ", async () => {
    const name = queueName("keys", "0123456789abcdef");
    const queue = new Queue(name, { connection: store.connection });
    closing.push(queue);
    for (const type of ["wait", "paused", "meta", "id", "completed", "failed", "delayed", "active", "events", "marker", ""]) expect(queueKeys(name).toKey(type)).toBe(queue.toKey(type));
  });
});

describe("a worker killed with kill -9 mid-task", () => {
  function startWorker(name: string, mode: "hang" | "work"): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, ["--import", "tsx", workerScript, redis.url, name, mode, String(LOCK_MS), String(STALLED_MS)], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    closing.push({ close: async () => void child.kill("SIGKILL") });
    return { child, output: () => output };
  }

  it("has its task run again by another worker once the stall is found, and recorded once", async () => {
    const name = queueName("build", "killed");
    const outcomes: RemoteOutcome[] = [];
    const tasks = await openQueue(name, outcomes, 200);
    const doomed = startWorker(name, "hang");
    await until(() => doomed.output().includes("ready"), `the first worker to start (it printed: ${doomed.output()})`);
    const id = await tasks.add(job("r5", 1, 1));
    const other = await tasks.add(job("r5", 2, 1));
    await until(() => doomed.output().includes(`started ${id}`), `the first worker to take job ${id}`);
    doomed.child.kill("SIGKILL");
    const rescuer = startWorker(name, "work");
    await until(() => outcomes.length === 2, `both tasks to be recorded (the second worker printed: ${rescuer.output()})`);

    const byTask = Object.fromEntries(outcomes.map((outcome) => [outcome.seq, outcome]));
    expect(byTask[1]).toEqual({ kind: "done", run: "r5", seq: 1, attempt: 1, changes: { c: { doneBy: { j: rescuer.child.pid } } } });
    expect(byTask[2]).toMatchObject({ kind: "done", seq: 2 });
    // the killed worker's task ran twice; the other task, which it never took, once
    expect((await Job.fromId(inspect(name), id))?.attemptsStarted).toBe(2);
    expect((await Job.fromId(inspect(name), other))?.attemptsStarted).toBe(1);
    expect(rescuer.output().match(/started /g)).toHaveLength(2);
  });
});

describe("the job of a task nobody waits for any more (interrupted, cancelled)", () => {
  it("is removed while it waits, and the state check does not add it again", async () => {
    const name = queueName("build", "cancel-waiting");
    const tasks = await openQueue(name, []);
    const queue = inspect(name);
    const id = await tasks.add(job("r9", 1, 1));
    await untilState(queue, id, "waiting");
    tasks.cancel("r9", 1, "its boundary timer fired");
    await until(async () => (await queue.getJobState(id)) === "unknown", `job ${id} to be removed`);
    expect(tasks.inFlight).toBe(0);
    await tasks.confirm();
    expect(await queue.getJobState(id)).toBe("unknown");
  });

  it("fails unrun on a worker that heard its cancel before the job reached it", async () => {
    const name = queueName("build", "cancel-early");
    const workers: Worker[] = [];
    const listener = await CancelListener.start(store.redis, workers);
    closing.push({ close: async () => listener.stop() });
    await store.redis.publish(CANCEL_CHANNEL, JSON.stringify({ queue: name, id: "r10.1.1", reason: "its run was cancelled" }));
    await until(() => listener.cancelled("r10.1.1") !== undefined, "the worker to hear the cancel");
    let ran = 0;
    const worker = await startTaskWorker({ store, queue: name, concurrency: 1, lockDurationMs: LOCK_MS, stalledIntervalMs: STALLED_MS, run: async () => (ran++, {}), cancelled: (id) => listener.cancelled(id) });
    workers.push(worker);
    closing.push(worker);
    const queue = inspect(name);
    await queue.add("Build", job("r10", 1, 1), { jobId: "r10.1.1" });
    await untilState(queue, "r10.1.1", "failed");
    expect((await Job.fromId(queue, "r10.1.1"))?.failedReason).toContain("ADHESIVE_JOB_CANCELLED");
    expect(ran).toBe(0);
  });
});
