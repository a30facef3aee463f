import type { Change, HeldValue } from "./data-trail.js";

/* What a run's timeline and task executions are made of, as the console's columns number them (journal-view.ts). */

export type EntryKind = "started" | "completed" | "failed" | "caught" | "answered" | "decided" | "timer" | "message" | "instance" | "instance-ended" | "resumed" | "lane" | "ended" | "snapshot";
export const KINDS: readonly EntryKind[] = ["started", "completed", "failed", "caught", "answered", "decided", "timer", "message", "instance", "instance-ended", "resumed", "lane", "ended", "snapshot"];
export const KIND = Object.fromEntries(KINDS.map((kind, i) => [kind, i])) as Record<EntryKind, number>;

export interface TimelineEntry {
  /** position in the timeline: journal order */
  i: number;
  /** epoch ms */
  at: number;
  kind: EntryKind;
  elementId: string | undefined;
  seq: number | undefined;
  /** the message instance it is about (0: none) */
  instance: number;
  attempt: number | undefined;
  error: string | undefined;
  changes: Change[] | undefined;
  /** a message's event, a gateway's decision, a lane's name, how the run ended */
  value: HeldValue | string | undefined;
  /** this failure failed the run */
  failedRun: boolean;
}

export type EntryExtra = Partial<Pick<TimelineEntry, "attempt" | "error" | "changes" | "value" | "failedRun">>;

export type ExecutionOutcome = "running" | "done" | "failed" | "caught" | "interrupted" | "cancelled";
export const OUTCOMES = ["running", "done", "failed", "caught"] as const;
export type StoredOutcome = (typeof OUTCOMES)[number];

/** One task execution (a task, user task, gateway or loop with a function): its last attempt. */
export interface Execution {
  seq: number;
  elementId: string;
  /** the message instance it ran in (0: none) */
  instance: number;
  attempts: number;
  startedAt: number;
  endedAt: number | undefined;
  outcome: StoredOutcome;
  error: string | undefined;
  changes: Change[];
  decision: HeldValue | undefined;
  /** its log file under the run's logs folder */
  log: string | undefined;
}

export type ExecutionExtra = Partial<Pick<Execution, "error" | "changes" | "decision" | "log">>;
