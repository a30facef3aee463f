import { failureRecord, type FailureRecord } from "../journal/records.js";
import type { EncodedValue } from "../journal/values.js";
import type { PlainLoop } from "../workers/protocol.js";

/** What a worker needs to run one task: the job's data. */
export interface RemoteTaskJob {
  run: string;
  seq: number;
  attempt: number;
  /** the element id, and the task's name as rendered (`Build linux`) */
  node: string;
  name: string;
  /** the token's data, encoded as the journal encodes values */
  data: EncodedValue;
  idempotencyKey: string;
  tokenId: number;
  lane: string | undefined;
  loop: PlainLoop | undefined;
  /** the lane instance (`<lane>#<seq of its first task>`) whose workspace the task runs in, when its lane's function runs on the worker */
  laneInstance?: string;
}

/** The job that tells the worker holding a lane instance to tear it down (its lane function resumes after its yield). */
export interface LaneCloseJob {
  run: string;
  closeLane: string;
}

/** What a task that returned sends back: the fields of its journal "d" record (keys set, keys removed, a gateway's decision). */
export interface RemoteChanges {
  c?: Record<string, EncodedValue>;
  r?: string[];
  g?: EncodedValue;
  /** the task's console output, secrets masked, capped at REMOTE_OUTPUT_CAP_BYTES (output-cap.ts) */
  o?: string;
}

/** How a remote task ended, as the orchestrator records it. */
export type RemoteOutcome =
  | { kind: "done"; run: string; seq: number; attempt: number; changes: RemoteChanges }
  /** the task's function threw: the BPMN error path, never retried */
  | { kind: "failed"; run: string; seq: number; attempt: number; failure: FailureRecord }
  /** the job failed for another reason (it stalled more often than allowed): an incident, shown for a person to retry */
  | { kind: "incident"; run: string; seq: number; attempt: number; reason: string };

/*
 * A task's own failure travels as the failed job's reason: this prefix and
 * the failure record's JSON. A job that failed without it failed in BullMQ
 * (stalls ran out), not in the task.
 */
const FAILURE_PREFIX = "adhesive task failure ";

export function failureReason(error: unknown): string {
  return FAILURE_PREFIX + JSON.stringify(failureRecord(error));
}

export function failureOfReason(reason: string): FailureRecord | undefined {
  if (!reason.startsWith(FAILURE_PREFIX)) return undefined;
  try {
    return JSON.parse(reason.slice(FAILURE_PREFIX.length)) as FailureRecord;
  } catch {
    return undefined;
  }
}
