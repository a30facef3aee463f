import { TaskError, describe } from "../errors.js";
import { redact } from "../secrets/redact.js";
import type { GraphFlow } from "../model/graph.js";
import type { MonitorLayout } from "./layout.js";

export type RunOutcome = "running" | "done" | "failed" | "cancelled" | "interrupted";

/**
 * What a RunMonitor is told, by element index (GraphNode.index) and flow
 * index (MonitorLayout). The engine feeds it live through engine-feed.ts; a
 * journal replay can feed the same calls to rebuild the view of a past run.
 */
export interface RunEvents {
  tokenEntered(node: number): void;
  tokenMoved(from: number, to: number): void;
  /** `cancelled`: it was taken off by an error, a timer or the run's end, not by finishing */
  tokenLeft(node: number, cancelled: boolean): void;
  flowTaken(flow: number): void;
  taskStarted(node: number): void;
  /** `error` is undefined when the task succeeded; a task that threw is counted by the elementFailed that follows */
  taskFinished(node: number, tokenId: number, taskName: string, error: unknown): void;
  taskCancelled(node: number): void;
  /** a task threw there, or the element (a gateway, a loop, an event) failed; `caught`: an error boundary event took it over */
  elementFailed(node: number, tokenId: number, name: string, error: unknown, caught: boolean): void;
  runEnded(outcome: RunOutcome, error?: unknown): void;
}

/** One element's counts as the page shows them. */
export interface ElementCounts {
  /** tokens standing on the element now */
  tokens: number;
  /** of those, running its task (or inside its sub-process) */
  running: number;
  /** of those, waiting: at a join, for a pool slot, for a message or timer, for a person */
  waiting: number;
  /** tasks that finished; for events and gateways, tokens that went on (tokens merged at a join count once) */
  completed: number;
  /** failures that failed the run */
  failed: number;
  /** failures an error boundary event (or error event sub-process) caught: the run went on */
  caught: number;
  cancelled: number;
}

export interface FailureEntry {
  elementId: string;
  taskName: string;
  tokenId: number;
  message: string;
  at: number;
  /** an error boundary event caught it */
  caught: boolean;
}

export interface MonitorSummary {
  state: RunOutcome;
  startedAt: number;
  endedAt: number | undefined;
  durationMs: number;
  tokens: number;
  running: number;
  waiting: number;
  completed: number;
  failed: number;
  caught: number;
  /** message events that started an instance */
  events: number;
  /** over the last second or so; undefined for processes without message start events */
  eventsPerSecond: number | undefined;
  /** why the run failed or was cancelled */
  error: string | undefined;
}

/** Everything that changed since the last update (the first one has every element that was ever touched). */
export interface MonitorUpdate {
  summary: MonitorSummary;
  elements: Record<string, ElementCounts>;
  flows: Record<string, number>;
  failures: FailureEntry[];
}

/* failures are rare, but a loop failing a million times must not keep a million messages */
const MAX_FAILURES = 200;
const RATE_WINDOW_MS = 1000;
const MIN_RATE_SPAN_MS = 200;

/**
 * Per-element counts of one run for the live view: plain typed arrays
 * indexed by element, so each engine event is a few array writes and no
 * allocation. Everything else (objects for the page, rates, diffs) is made
 * when an update is taken, which the live view does at most ~10 times a
 * second however fast the run goes.
 */
export class RunMonitor implements RunEvents {
  readonly layout: MonitorLayout;
  private readonly tokens: Float64Array;
  private readonly running: Float64Array;
  private readonly completed: Float64Array;
  private readonly failed: Float64Array;
  private readonly caught: Float64Array;
  private readonly cancelled: Float64Array;
  private readonly flows: Float64Array;
  /* elements that reported a task (gateways with a function do too): their completions come from the task, not from tokens passing */
  private readonly observed: Uint8Array;
  private readonly sent: { elements: Float64Array[]; flows: Float64Array; failures: number };
  private readonly failures: FailureEntry[] = [];
  private failuresDropped = 0;
  private events = 0;
  private readonly rate: Array<[number, number]> = [];
  private state: RunOutcome = "running";
  /** the element whose failure failed the run */
  private runFailedAt: number | undefined;
  private error: string | undefined;
  readonly startedAt: number;
  private endedAt: number | undefined;
  private dirty = false;
  /** called once each time the monitor goes from clean to changed */
  onChange: (() => void) | undefined;

  constructor(layout: MonitorLayout, startedAt = Date.now()) {
    this.layout = layout;
    const n = layout.elements.length;
    this.tokens = new Float64Array(n);
    this.running = new Float64Array(n);
    this.completed = new Float64Array(n);
    this.failed = new Float64Array(n);
    this.caught = new Float64Array(n);
    this.cancelled = new Float64Array(n);
    this.observed = Uint8Array.from(layout.isTask);
    this.flows = new Float64Array(layout.flowIds.length);
    this.sent = { elements: this.metrics().map(() => new Float64Array(n)), flows: new Float64Array(layout.flowIds.length), failures: 0 };
    this.startedAt = startedAt;
  }

  // ---- events (the hot path) ----------------------------------------------

  tokenEntered(node: number): void {
    this.tokens[node]++;
    if (this.layout.isMessageStart[node] === 1) this.events++;
    this.touch();
  }

  tokenMoved(from: number, to: number): void {
    this.tokens[from]--;
    this.tokens[to]++;
    if (this.observed[from] === 0) this.completed[from]++;
    this.touch();
  }

  tokenLeft(node: number, cancelled: boolean): void {
    this.tokens[node]--;
    // a task's own cancellation is counted by taskCancelled; a token merged at a join went on in another one
    if (this.observed[node] === 0) {
      if (cancelled) this.cancelled[node]++;
      else if (this.layout.isEnd[node] === 1) this.completed[node]++;
    }
    this.touch();
  }

  flowTaken(flow: number): void {
    if (flow >= 0) this.flows[flow]++;
  }

  /**
   * An instance of a fan-out block (engine/express.ts) began: its event's
   * token went by `intoFork` through the fork, and one token took each of
   * `intoTasks`. What tokenEntered, flowTaken and tokenMoved count for
   * those steps, in one call.
   */
  blockForked(intoFork: GraphFlow, intoTasks: readonly GraphFlow[]): void {
    const start = intoFork.source.index;
    const fork = intoFork.target.index;
    if (this.layout.isMessageStart[start] === 1) this.events++;
    if (this.observed[start] === 0) this.completed[start]++;
    if (this.observed[fork] === 0) this.completed[fork]++;
    this.flowTaken(this.layout.flowOf(intoFork));
    for (let i = 0; i < intoTasks.length; i++) {
      this.tokens[intoTasks[i].target.index]++;
      this.flowTaken(this.layout.flowOf(intoTasks[i]));
    }
    this.touch();
  }

  /**
   * The last token of a fan-out block's instance reached its join: the
   * `merged` tokens there became one, which went by `intoEnd` to the end
   * event and finished. What tokenLeft, flowTaken and tokenMoved count for
   * those steps, in one call.
   */
  blockEnded(intoEnd: GraphFlow, merged: number): void {
    const join = intoEnd.source.index;
    const end = intoEnd.target.index;
    this.tokens[join] -= merged;
    if (this.observed[join] === 0) this.completed[join]++;
    if (this.observed[end] === 0 && this.layout.isEnd[end] === 1) this.completed[end]++;
    this.flowTaken(this.layout.flowOf(intoEnd));
    this.touch();
  }

  taskStarted(node: number): void {
    this.observed[node] = 1;
    this.running[node]++;
    this.touch();
  }

  taskFinished(node: number, _tokenId: number, _taskName: string, error: unknown): void {
    this.running[node]--;
    if (error === undefined) this.completed[node]++;
    this.touch();
  }

  elementFailed(node: number, tokenId: number, name: string, error: unknown, caught: boolean): void {
    if (!caught) this.runFailedAt = node;
    this.recordFailure(node, tokenId, name, error, caught);
    this.touch();
  }

  taskCancelled(node: number): void {
    this.running[node]--;
    this.cancelled[node]++;
    this.touch();
  }

  runEnded(outcome: RunOutcome, error?: unknown, endedAt = Date.now()): void {
    if (this.state !== "running") return;
    this.state = outcome;
    this.endedAt = endedAt;
    if (error !== undefined) this.error = redact(describe(error));
    // a run can fail where no token failed (a message source that threw): its error names the element
    if (outcome === "failed" && this.runFailedAt === undefined && error instanceof TaskError) {
      const at = this.layout.element(error.elementId);
      if (at !== undefined) this.recordFailure(at, error.tokenId ?? 0, error.taskName, error.cause, false);
    }
    this.touch();
  }

  /** Something besides the counts changed (a form opened): the next update goes out. */
  touch(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.onChange?.();
  }

  // ---- reading --------------------------------------------------------------

  get outcome(): RunOutcome {
    return this.state;
  }

  /** Every element and flow that was ever touched, every kept failure. */
  snapshot(now = Date.now()): MonitorUpdate {
    return this.collect(now, true);
  }

  /** What changed since the last update taken (the live view's SSE messages). */
  takeUpdate(now = Date.now()): MonitorUpdate {
    this.dirty = false;
    const update = this.collect(now, false);
    const metrics = this.metrics();
    for (let m = 0; m < metrics.length; m++) this.sent.elements[m].set(metrics[m]);
    this.sent.flows.set(this.flows);
    this.sent.failures = this.failuresDropped + this.failures.length;
    return update;
  }

  private collect(now: number, full: boolean): MonitorUpdate {
    const elements: Record<string, ElementCounts> = {};
    const metrics = this.metrics();
    const { elements: infos, flowIds } = this.layout;
    for (let i = 0; i < infos.length; i++) {
      const touched = full ? metrics.some((metric) => metric[i] !== 0) : metrics.some((metric, m) => metric[i] !== this.sent.elements[m][i]);
      if (touched) elements[infos[i].id] = this.countsOf(i);
    }
    const flows: Record<string, number> = {};
    for (let f = 0; f < flowIds.length; f++) {
      if (full ? this.flows[f] !== 0 : this.flows[f] !== this.sent.flows[f]) flows[flowIds[f]] = this.flows[f];
    }
    const newFailures = this.failuresDropped + this.failures.length - this.sent.failures;
    const failures = full ? [...this.failures] : this.failures.slice(Math.max(0, this.failures.length - newFailures));
    return { summary: this.summary(now), elements, flows, failures };
  }

  private countsOf(i: number): ElementCounts {
    // a token on a sub-process is busy inside it, not waiting
    const running = this.layout.elements[i].kind === "subProcess" ? this.tokens[i] : this.running[i];
    return {
      tokens: this.tokens[i],
      running,
      waiting: Math.max(0, this.tokens[i] - running),
      completed: this.completed[i],
      failed: this.failed[i],
      caught: this.caught[i],
      cancelled: this.cancelled[i],
    };
  }

  summary(now = Date.now()): MonitorSummary {
    let tokens = 0;
    let running = 0;
    let completed = 0;
    let failed = 0;
    let caught = 0;
    for (let i = 0; i < this.tokens.length; i++) {
      tokens += this.tokens[i];
      running += this.running[i];
      if (this.observed[i] === 1) completed += this.completed[i];
      failed += this.failed[i];
      caught += this.caught[i];
    }
    const end = this.endedAt ?? now;
    return {
      state: this.state,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      durationMs: end - this.startedAt,
      tokens,
      running,
      waiting: Math.max(0, tokens - running),
      completed,
      failed,
      caught,
      events: this.events,
      eventsPerSecond: this.layout.hasMessageStarts ? this.eventsPerSecond(end) : undefined,
      error: this.error,
    };
  }

  /* while running: over the last second or so; once ended: the average of the whole run */
  private eventsPerSecond(now: number): number {
    if (this.state !== "running") return perSecond(this.events, now - this.startedAt);
    const samples = this.rate;
    samples.push([now, this.events]);
    // keep the newest sample that is at least a window old, and everything after it
    while (samples.length > 1 && now - samples[1][0] >= RATE_WINDOW_MS) samples.shift();
    const [since, base] = samples[0];
    return now - since >= MIN_RATE_SPAN_MS ? perSecond(this.events - base, now - since) : perSecond(this.events, now - this.startedAt);
  }

  private metrics(): Float64Array[] {
    return [this.tokens, this.running, this.completed, this.failed, this.caught, this.cancelled];
  }

  private recordFailure(node: number, tokenId: number, taskName: string, error: unknown, caught: boolean): void {
    if (caught) this.caught[node]++;
    else this.failed[node]++;
    if (this.failures.length === MAX_FAILURES) {
      this.failures.shift();
      this.failuresDropped++;
    }
    this.failures.push({ elementId: this.layout.elements[node].id, taskName, tokenId, message: redact(describe(error)), at: Date.now(), caught });
  }
}

function perSecond(count: number, ms: number): number {
  return ms > 0 ? Math.round((count * 1000) / ms) : 0;
}
