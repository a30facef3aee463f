import { join } from "node:path";
import type { EngineObserver, TokenTracker } from "../engine/engine.js";
import { CancelledError } from "../errors.js";
import { PendingForms } from "../inbox/forms.js";
import { Inbox, type MessageTarget } from "../inbox/inbox.js";
import { controlPath, listenControl, type ControlRequest } from "../inbox/control-socket.js";
import { racingUi } from "../inbox/racing-ui.js";
import type { ProcessDefinition } from "../model/definition.js";
import type { ProcessGraph } from "../model/graph.js";
import { feedMonitor } from "../monitor/engine-feed.js";
import { MonitorLayout } from "../monitor/layout.js";
import { RunMonitor, type MonitorUpdate } from "../monitor/run-monitor.js";
import { redact } from "../secrets/redact.js";
import type { UiProvider } from "../ui/form.js";
import { noUi } from "../ui/scripted.js";
import { diagramOf, saveDiagramSource } from "./diagram.js";
import { listLogs, type LogEntry } from "./logs.js";
import { VIEW_FILE, writeRunFile } from "../runs/files.js";
import type { RunSummary } from "../runs/summary.js";
import type { SummaryWriter } from "../runs/summary-writer.js";
import { formOpened, registerLiveRun } from "./registry.js";
import type { FormView } from "../inbox/forms.js";

/* the live view's SSE messages: at most this often, however fast the run goes */
const UPDATE_INTERVAL_MS = 100;

export interface LiveRunSettings {
  graph: ProcessGraph;
  definition: ProcessDefinition;
  executionId: string;
  /** `<runs_folder>/<executionId>`: its journal and logs */
  runFolder: string;
  processFile: string | undefined;
  /** the run's summary (run.json), which names the control socket for other processes */
  summary: SummaryWriter;
  /** whether the web page can answer forms (a live view is open) */
  web: boolean;
}

/** What the live view sends: the monitor's counts and the forms waiting for an answer. */
export type LiveUpdate = MonitorUpdate & { forms: FormView[] };

type Listener = (json: string) => void;

/**
 * One run as the live view and other adhesive processes see it: its
 * monitor (counts per element), its inbox (messages and user-task
 * answers), its control socket, its files. The runtime makes one when the
 * run has a live view or an inbox (the CLI always has one).
 */
export class LiveRun {
  readonly id: string;
  readonly monitor: RunMonitor;
  readonly forms = new PendingForms();
  readonly runFolder: string;
  private readonly settings: LiveRunSettings;
  private inboxValue: Inbox | undefined;
  private control: { close(): Promise<void> } | undefined;
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private lastUpdate = 0;
  private diagram: Promise<string> | undefined;
  private readonly sourceSaved: Promise<void>;

  constructor(settings: LiveRunSettings) {
    this.settings = settings;
    this.id = settings.executionId;
    this.runFolder = settings.runFolder;
    this.monitor = new RunMonitor(new MonitorLayout(settings.graph));
    this.monitor.onChange = this.schedule;
    this.forms.onChange = () => this.monitor.touch();
    this.forms.onOpen = (view) => formOpened(this, view);
    // what its diagram is drawn from, kept in its folder (asked for once the run is listed)
    this.sourceSaved = saveDiagramSource(this.runFolder, settings.definition);
    this.sourceSaved.catch(() => undefined);
    // listed as this process's own from the start: its run.json (src/runs) is written before it attaches
    registerLiveRun(this);
  }

  /** The run's summary, as its run.json has it. */
  get info(): RunSummary {
    return this.settings.summary.summary;
  }

  /** The tracker and observer the engine gets: the run's own, plus this monitor. */
  feed(tracker: TokenTracker | undefined, observer: EngineObserver): { tracker: TokenTracker; observer: EngineObserver } {
    return feedMonitor(this.monitor, this.settings.graph, tracker, observer);
  }

  /**
   * The run's user-task front end: the one given (or the terminal) racing
   * with the web page and `adhesive complete`. With neither a terminal nor
   * a web page, forms fail at once as before, naming the reason.
   */
  ui(given: UiProvider | undefined, terminal: UiProvider | undefined): UiProvider {
    const local = given ?? terminal;
    if (local === undefined && !this.settings.web) {
      return noUi("no user interface was given (opts.ui), stdin/stdout are not a terminal and no live view is open (--ui)");
    }
    return racingUi(local, this.forms);
  }

  /** The engine is built: messages can go in; the run is listed and reachable on its control socket. */
  async attach(target: MessageTarget): Promise<void> {
    this.inboxValue = new Inbox(this.settings.graph, target, this.forms);
    const path = controlPath(this.runFolder, this.id);
    this.control = await listenControl(path, (request) => this.handle(request));
    this.settings.summary.setControl(path);
    await this.sourceSaved;
  }

  get inbox(): Inbox {
    if (this.inboxValue === undefined) throw new Error("the live run is not attached to its engine yet");
    return this.inboxValue;
  }

  /** The run ended (error undefined: it succeeded); its final counts are written next to its logs unless `save` is false. */
  async finish(error?: unknown, save = true): Promise<void> {
    this.monitor.runEnded(error === undefined ? "done" : error instanceof CancelledError ? "cancelled" : "failed", error);
    await this.control?.close();
    this.control = undefined;
    this.flush();
    // the run's outcome must not change because its view could not be saved (a full disk): the runs list then shows it as interrupted
    if (save) await writeRunFile(this.runFolder, VIEW_FILE, redact(JSON.stringify(this.monitor.snapshot()))).catch(() => undefined);
  }

  /** Everything so far, for a page that has just opened. */
  snapshot(): LiveUpdate {
    return { ...this.monitor.snapshot(), forms: this.forms.list() };
  }

  /** Updates as JSON text, at most every 100 ms; the first is the full snapshot. */
  subscribe(listener: Listener): () => void {
    // the others get what changed up to now; the newcomer starts from everything
    if (this.listeners.size > 0) this.flush();
    else this.monitor.takeUpdate();
    listener(redact(JSON.stringify(this.snapshot())));
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  diagramXml(): Promise<string> {
    this.diagram ??= this.sourceSaved.then(() => diagramOf(this.runFolder));
    return this.diagram;
  }

  logs(): Promise<LogEntry[]> {
    return listLogs(join(this.runFolder, "logs"), this.settings.graph);
  }

  private handle(request: ControlRequest): unknown {
    switch (request.op) {
      case "send":
        return this.inbox.send({ message: String(request.message), data: request.data, correlation: request.correlation, key: typeof request.key === "string" ? request.key : undefined });
      case "complete":
        return this.inbox.complete({ task: String(request.task), data: request.data ?? {}, by: "with adhesive complete" });
      case "state":
        return this.snapshot();
      default:
        throw new Error(`unknown request ${JSON.stringify((request as { op?: unknown }).op)}`);
    }
  }

  /* an arrow: the monitor calls it as a plain function */
  private readonly schedule = (): void => {
    // nobody watching: the monitor stays marked as changed until a page subscribes
    if (this.timer !== undefined || this.listeners.size === 0) return;
    const wait = Math.max(0, this.lastUpdate + UPDATE_INTERVAL_MS - Date.now());
    this.timer = setTimeout(this.flush, wait);
    this.timer.unref();
  };

  private readonly flush = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastUpdate = Date.now();
    const update = this.monitor.takeUpdate(this.lastUpdate);
    const json = redact(JSON.stringify({ ...update, forms: this.forms.list() }));
    for (const listener of this.listeners) listener(json);
  };
}
