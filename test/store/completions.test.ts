/*
 * How a job's end becomes a task's outcome: a completion is the task's
 * changes, a failure carrying the task's error is that error (the BPMN
 * error path), any other failure (stalls ran out) is an incident; each
 * task is recorded once, and a job never tracked records nothing.
 */
import { describe, expect, it } from "vitest";
import { BpmnError } from "../../src/index.js";
import { Completions } from "../../src/store/completions.js";
import { failureReason, type RemoteOutcome, type RemoteTaskJob } from "../../src/store/remote-outcome.js";
import { jobId, parseJobId } from "../../src/store/job-id.js";
import { processVersion, queueName } from "../../src/store/queue-name.js";

const job = (seq: number, attempt = 1): RemoteTaskJob => ({ run: "run-1", seq, attempt, node: "n", name: "N", data: { j: {} }, idempotencyKey: "k", tokenId: 1, lane: undefined, loop: undefined });

function tracked(...jobs: RemoteTaskJob[]): { completions: Completions; outcomes: RemoteOutcome[] } {
  const outcomes: RemoteOutcome[] = [];
  const completions = new Completions((outcome) => outcomes.push(outcome));
  for (const entry of jobs) completions.track(jobId(entry.run, entry.seq, entry.attempt), entry);
  return { completions, outcomes };
}

describe("the outcome of a job", () => {
  it("is the task's error when the task threw, and an incident when BullMQ failed it", () => {
    const { completions, outcomes } = tracked(job(1), job(2));
    completions.settle("run-1.1.1", { state: "failed", failedReason: failureReason(new BpmnError("LATE", "too late")) });
    completions.settle("run-1.2.1", { state: "failed", failedReason: "job stalled more than allowable limit" });
    expect(outcomes).toEqual([
      { kind: "failed", run: "run-1", seq: 1, attempt: 1, failure: expect.objectContaining({ name: "BpmnError", code: "LATE", message: "too late" }) },
      { kind: "incident", run: "run-1", seq: 2, attempt: 1, reason: "job stalled more than allowable limit" },
    ]);
  });

  it("is recorded once per task, whichever attempt ends first", () => {
    const { completions, outcomes } = tracked(job(4, 1), job(4, 2));
    expect(completions.settle("run-1.4.2", { state: "completed", returnvalue: { c: { x: { j: 2 } } } })).toBe(true);
    expect(completions.settle("run-1.4.1", { state: "completed", returnvalue: { c: { x: { j: 1 } } } })).toBe(false);
    expect(completions.settle("run-1.4.2", { state: "completed", returnvalue: { c: { x: { j: 2 } } } })).toBe(false);
    expect(outcomes).toEqual([{ kind: "done", run: "run-1", seq: 4, attempt: 2, changes: { c: { x: { j: 2 } } } }]);
    expect(completions.size).toBe(0);
  });

  it("records nothing for a job it does not track", () => {
    const { completions, outcomes } = tracked();
    expect(completions.settle("run-9.1.1", { state: "completed", returnvalue: {} })).toBe(false);
    expect(outcomes).toEqual([]);
  });
});

describe("job ids and queue names", () => {
  it("name the run, the task's number and its attempt", () => {
    expect(jobId("run_1-a", 12, 3)).toBe("run_1-a.12.3");
    expect(parseJobId("run_1-a.12.3")).toEqual({ run: "run_1-a", seq: 12, attempt: 3 });
    expect(parseJobId("run:1.2.3")).toBeUndefined();
  });

  it("carry the process version, which changes with any element's function", () => {
    const hashes = { definition: "d1", implementations: { build: "b1", test: "t1" } };
    const version = processVersion(hashes);
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(processVersion({ definition: "d1", implementations: { test: "t1", build: "b1" } })).toBe(version);
    expect(processVersion({ ...hashes, implementations: { ...hashes.implementations, test: "t2" } })).not.toBe(version);
    expect(queueName("gpu", version)).toBe(`adhesive.gpu.${version}`);
    expect(() => queueName("gpu:1", version)).toThrow('pool "gpu:1": a pool name may only hold letters, digits, - and _');
  });
});
