/** What bench/run.ts asks of a worker (bench/worker.ts) and what it gets back; the runner each engine implements. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type EngineName = "baseline" | "adhesive" | "bpmn-engine";
export type Workload = "seed" | "wide" | "deep" | "loop" | "data-loop" | "inline-loop" | "beside";

export interface Job {
  engine: EngineName;
  /** adhesive: keep each run's journal (in a scratch folder); otherwise journal: false, as before journals existed */
  journal?: boolean;
  /** adhesive: tasks running at once; undefined is adhesive's default (the CPU count) */
  poolSize?: number;
  workload: Workload;
  /** events (seed) or instances (bpmn-engine seed), branches (wide), tasks (deep), iterations (loop) */
  size: number;
  mode: "time" | "inflight" | "long";
  /** "long": events between two samples */
  sampleEvery?: number;
  /** bpmn-engine seed: one instance after the other, or all started at once */
  concurrency?: "sequential" | "concurrent";
  reps: number;
  /** size of the untimed warm-up run (0: none) */
  warmup: number;
  /**
   * "time" jobs: after the warm-ups the worker says it is ready and times
   * one run per "rep" the parent sends, until "done" (run.ts runInTurns
   * alternates it with its reference's worker)
   */
  paced?: boolean;
}

/** what a paced worker tells the parent: it has warmed up, or it has timed one more run */
export interface PacedMessage {
  paced: "ready" | "rep";
}

/** what a row's ratio target compares it with (plan.ts referenceOf): an engine and its settings, run on the row's workload and size */
export interface Reference {
  engine: "baseline" | "adhesive";
  journal?: boolean;
  poolSize?: number;
}

export interface HeapFigures {
  /** heap used after GC before the run, bytes */
  before: number;
  /** heap used after GC with every token parked */
  held: number;
  /** heap used after GC once the run has returned */
  after: number;
  tokens: number;
  events: number;
}

/** one point of a long run */
export interface LongSample {
  events: number;
  elapsedMs: number;
  cpuMs: number;
  rssMB: number;
  heapUsedMB: number;
  /** the journal file's size at that moment (it shrinks when a snapshot replaces it) */
  journalBytes: number;
  /** the largest size the journal file was seen at so far (looked at 50 times between samples) */
  journalPeakBytes: number;
  /** the times the file was seen smaller than before: snapshots that replaced it, at least */
  journalShrinks: number;
}

export interface JobResult {
  ok: boolean;
  error?: string;
  /** wall time of each timed run, ms */
  times: number[];
  /** CPU time (user + system, all threads) of each timed run, ms */
  cpuTimes: number[];
  warmupMs?: number;
  /** task executions per run (counted, or checked once for bpmn-engine) */
  tokens: number;
  /** reading the BPMN once (parse, map, validate / serialize), ms */
  loadMs?: number;
  /** RSS once modules and the definition are loaded, MB */
  rssIdleMB: number;
  /** high-water RSS of the process, MB */
  peakRssMB: number;
  heap?: HeapFigures;
  samples?: LongSample[];
  /** the row's reference, timed in turns with its own runs (run.ts): wall and CPU of each, ms */
  reference?: { times: number[]; cpuTimes: number[] };
}

export interface Runner {
  loadMs?: number;
  /** runs the workload at `size` once; returns the task executions it counted (or expects) */
  run(size: number, warmup?: boolean): Promise<number>;
  /** parks `size` events in their tasks, calls `measure`, releases them, waits for the end */
  inflight?(size: number, measure: (tokens: number) => void): Promise<void>;
  /** one run of `size` events, calling `probe` every `every` events and at the end with the journal file's size; returns the task executions */
  long?(size: number, every: number, probe: (events: number, journalBytes: number) => void): Promise<number>;
}

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/** What a run that never finished had done, for its error: set by the runner as it goes. */
export const stall = { report: (): string => "" };
