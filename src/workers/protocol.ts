import type { Data } from "../engine/data.js";

/** A loop context as it crosses threads: the graph node it points to stays behind. */
export interface PlainLoop {
  index: number;
  key: unknown;
  value: unknown;
  expression: string;
  parent: PlainLoop | undefined;
}

/** What a worker needs to run one task: which declaration, and the task's context as plain data. */
export interface Job {
  job: number;
  /** position of the declaration in the registry; `label` guards against the two threads registering differently */
  index: number;
  label: string;
  groups: string[];
  task: { id: string; name: string; type: string };
  taskName: string;
  data: Data;
  loop: PlainLoop | undefined;
  lane: string | undefined;
  executionId: string;
  tokenId: number;
  attempt: number;
  idempotencyKey: string;
  /** the run's workspace folder, shared by the threads */
  pwd: string;
}

export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  code: string | undefined;
}

/** What a task changed in its data: the keys it set, and those it deleted. */
export interface DataChanges {
  set: Data;
  deleted: string[];
}

export type ToWorker = { type: "run"; job: Job } | { type: "cancel"; job: number };

export type FromWorker =
  | { type: "ready" }
  | { type: "output"; job: number; text: string }
  | { type: "done"; job: number; changes: DataChanges }
  | { type: "failed"; job: number; error: SerializedError };
