/*
 * The orchestrator adds its jobs by running BullMQ's own addStandardJob Lua
 * (src/store/add-jobs.ts), pinned to its text. Given the installed BullMQ,
 * when jobs are added that way and the same jobs through Queue.add, then
 * the pinned script is the installed one (an upgrade that changes it fails
 * here), both leave the same job in Redis, a second add of an id adds
 * nothing, and a BullMQ worker runs what was added.
 */
import { Queue, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addStandardJobSha1, jobAdder, PINNED_ADD_STANDARD_JOB_SHA1, type JobAdder } from "../../src/store/add-jobs.js";
import { connectStore, type Store } from "../../src/store/connection.js";
import { until } from "../waiting.js";
import { startRedis, type TestRedis } from "./redis-server.js";

let redis: TestRedis;
let store: Store;
beforeAll(async () => {
  redis = await startRedis();
  store = await connectStore(redis.url);
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

const options = { attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 3600 } };

describe("jobs added with BullMQ's add script run by adhesive", () => {
  it("use the installed BullMQ's addStandardJob, which is the pinned one", async () => {
    const { addStandardJob } = (await import("bullmq/dist/esm/scripts/addStandardJob-9.js")) as { addStandardJob: { content: string } };
    expect(addStandardJobSha1(addStandardJob.content)).toBe(PINNED_ADD_STANDARD_JOB_SHA1);
    expect(await jobAdder()).toBeDefined();
  });

  it("are stored as Queue.add stores them, once per id, and a worker runs them", async () => {
    const adder = (await jobAdder()) as JobAdder;
    const queue = new Queue("add-jobs", { connection: store.connection });
    const data = { run: "r1", seq: 1, text: "héllo \"quoted\"", loop: undefined };
    await queue.add("Build", data, { ...options, jobId: "by-bullmq" });
    await adder.add(store.redis, queue, options, [{ id: "by-adhesive", name: "Build", data }]);
    const [theirs, ours] = await Promise.all([store.redis.hgetall(queue.toKey("by-bullmq")), store.redis.hgetall(queue.toKey("by-adhesive"))]);
    expect({ ...ours, timestamp: "", opts: { ...JSON.parse(ours.opts), jobId: "" } }).toEqual({ ...theirs, timestamp: "", opts: { ...JSON.parse(theirs.opts), jobId: "" } });
    expect(JSON.parse(ours.opts).jobId).toBe("by-adhesive");
    const events = (await store.redis.xrange(queue.toKey("events"), "-", "+")).map(([, fields]) => fields.join(" "));
    expect(events.slice(-2)).toEqual(["event added jobId by-adhesive name Build", "event waiting jobId by-adhesive"]);

    // the same id again, and a new one in the same call: only the new one is added
    await adder.add(store.redis, queue, options, [{ id: "by-adhesive", name: "Build", data: { other: true } }, { id: "second", name: "Test", data: { seq: 2 } }]);
    expect(JSON.parse((await store.redis.hget(queue.toKey("by-adhesive"), "data"))!)).toEqual({ run: "r1", seq: 1, text: "héllo \"quoted\"" });
    expect(await queue.getWaitingCount()).toBe(3);

    const ran: string[] = [];
    const worker = new Worker("add-jobs", async (job) => void ran.push(`${job.id} ${job.name} ${JSON.stringify(job.data)} ${job.opts.attempts}`), { connection: store.connection });
    try {
      await until(async () => (await queue.getCompletedCount()) === 3, "the three jobs to complete");
    } finally {
      await worker.close();
      await queue.close();
    }
    expect(ran.sort()).toEqual(['by-adhesive Build {"run":"r1","seq":1,"text":"héllo \\"quoted\\""} 1', 'by-bullmq Build {"run":"r1","seq":1,"text":"héllo \\"quoted\\""} 1', 'second Test {"seq":2} 1']);
  });
});
