import type { RunState } from "../journal/records.js";
import { writeSummary, type RunSummary } from "./summary.js";

/* how often a running run's summary is written again while its counts change */
const WRITE_EVERY_MS = 1000;

/**
 * Keeps a running run's summary (run.json) up to date, cheaply: the counts
 * change in memory as tasks start and end, and the file is written when the
 * run starts, about once a second while they change, when something a
 * reader needs changes (the control socket), and when the run ends; never
 * once per task or journal record. Once `fenced()` says another process
 * took the run over, nothing is written any more: the summary is theirs.
 */
export class SummaryWriter {
  readonly summary: RunSummary;
  private readonly folder: string;
  private readonly fenced: () => boolean;
  private timer: NodeJS.Timeout | undefined;
  private changed = false;
  /* nothing is written before open(): a resume that is refused leaves the run's summary as it was */
  private opened = false;

  constructor(folder: string, summary: RunSummary, fenced: () => boolean = () => false) {
    this.folder = folder;
    this.summary = summary;
    this.fenced = fenced;
  }

  /** Writes it now (throws what the file system says: a run that cannot write its folder does not start), then every second while it changes. */
  open(): void {
    writeSummary(this.folder, this.summary);
    this.opened = true;
    this.timer = setInterval(() => this.flush(), WRITE_EVERY_MS);
    this.timer.unref();
  }

  taskStarted(attempt: number): void {
    // a task run again after a resume was in flight already
    if (attempt === 1) this.summary.inFlight++;
    this.touch();
  }

  taskEnded(failed: boolean): void {
    if (failed) this.summary.failed++;
    else this.summary.done++;
    this.summary.inFlight = Math.max(0, this.summary.inFlight - 1);
    this.touch();
  }

  /** An error boundary caught a failure: a task's (counted as failed when it ended) or another element's. */
  failureCaught(ofTask: boolean): void {
    if (ofTask) this.summary.failed = Math.max(0, this.summary.failed - 1);
    this.summary.caught++;
    this.touch();
  }

  /** An element without a task function (a gateway, a loop, an event) failed the run. */
  elementFailed(): void {
    this.summary.failed++;
    this.touch();
  }

  taskCancelled(): void {
    this.summary.inFlight = Math.max(0, this.summary.inFlight - 1);
    this.touch();
  }

  /** Where `adhesive send` reaches the run (undefined once it stops listening). */
  setControl(path: string | undefined): void {
    this.summary.control = path;
    this.changed = true;
    this.flush();
  }

  /** The run ended: its state, why, and when. */
  close(state: RunState, error: string | undefined): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const now = Date.now();
    Object.assign(this.summary, { state, error, endedAt: now, lastActivity: now, control: undefined });
    if (state !== "interrupted") this.summary.inFlight = 0;
    this.changed = true;
    // the journal has the end now (even of a run that failed before it went on): the summary says the same
    this.opened = true;
    this.flush();
  }

  private touch(): void {
    this.changed = true;
  }

  private flush(): void {
    if (!this.changed || !this.opened || this.fenced()) return;
    this.changed = false;
    this.summary.lastActivity = Math.max(this.summary.lastActivity, Date.now());
    try {
      writeSummary(this.folder, this.summary);
    } catch {
      // a summary that could not be written (a full disk) is written again with the next change; the journal is the run's record
      this.changed = true;
    }
  }
}
