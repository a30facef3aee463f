import { join } from "node:path";
import type { TokenTracker } from "../engine/engine.js";
import { CancelledError } from "../errors.js";
import { endState } from "../runs/state.js";
import { PendingForms } from "../inbox/forms.js";
import { InboxError } from "../inbox/inbox-error.js";
import { AnswerReceipts } from "../inbox/answer-receipts.js";
import { Inbox, type MessageTarget } from "../inbox/inbox.js";
import { controlPath, listenControl, type ControlRequest } from "../inbox/control-socket.js";
import { racingUi } from "../inbox/racing-ui.js";
import type { ProcessDefinition } from "../model/definition.js";
import type { ProcessGraph } from "../model/graph.js";
import { MonitorFeed } from "../monitor/engine-feed.js";
import { MonitorLayout } from "../monitor/layout.js";
import { RunMonitor, type MonitorUpdate } from "../monitor/run-monitor.js";
import { redactJson } from "../secrets/redact.js";
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
  /** stops the run for good (`adhesive cancel`, the console's Cancel): it ends "cancelled" */
  cancel(error: CancelledError): void;
}

/** What the live view sends: the monitor's counts and the forms waiting for an answer. */
export type LiveUpdate = MonitorUpdate & { forms: FormView[] };

/**
 * One message of the live view's event stream: `seq` numbers the updates of
 * the run (a newcomer's snapshot carries the number of the last update it
 * includes), `json` is the redacted text. The same object goes to every
 * listener, so whatever a listener derives from it (the framed bytes) can be
 * made once per update, not once per listener.
 */
export interface LiveMessage {
  readonly seq: number;
  readonly json: string;
}

type Listener = (message: LiveMessage) => void;

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
  private target: MessageTarget | undefined;
  /* answers given from outside, kept once their user task's completion is on disk (the engine exists once attached) */
  private readonly receipts = new AnswerReceipts((done) => (this.target === undefined ? done(false) : this.target.whenDurable(done)));
  private control: { close(): Promise<void> } | undefined;
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private lastUpdate = 0;
  /* updates taken from the monitor so far; the number of the next one is seq + 1 */
  private seq = 0;
  /* the snapshot newcomers get until the next update (or for 100 ms of a quiet run): one made for all who join in between, not one each */
  private snapshotMessage: (LiveMessage & { at: number }) | undefined;
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

  /** The engine's tracker (the run's own, `tracker`, first) and the task hooks the run's observer calls: this monitor, and the receipts of answers given from outside. */
  feed(tracker: TokenTracker | undefined): MonitorFeed {
    return new MonitorFeed(this.monitor, tracker, this.receipts);
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
    this.target = target;
    this.inboxValue = new Inbox(this.settings.graph, target, this.forms, this.receipts);
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
    this.receipts.runEnded();
    this.monitor.runEnded(endState(error), error);
    // what the last message or answer did may have ended the run: its sender hears that it was kept before the socket closes
    await this.inboxValue?.settled();
    await this.control?.close();
    this.control = undefined;
    this.flush();
    // the run's outcome must not change because its view could not be saved (a full disk): the runs list then shows it as interrupted
    if (save) await writeRunFile(this.runFolder, VIEW_FILE, redactJson(this.monitor.snapshot())).catch(() => undefined);
  }

  /** Everything so far, for a page that has just opened. */
  snapshot(): LiveUpdate {
    return { ...this.monitor.snapshot(), forms: this.forms.list() };
  }

  /**
   * Updates as JSON text, at most every 100 ms; the first is the full
   * snapshot. A newcomer costs the others nothing: it gets a snapshot taken
   * since the last update, and from then on the same updates as everyone
   * (an update repeats what the snapshot may already hold, which applying
   * again does not change; the page drops failures it has). Flushing the
   * others on every subscribe sent N clients N(N+1)/2 messages.
   */
  subscribe(listener: Listener): () => void {
    if (this.listeners.size === 0) {
      // nobody got the changes since the last update: they are in the snapshot, and the next update starts after it
      this.monitor.takeUpdate();
      this.seq++;
      this.snapshotMessage = undefined;
    }
    const now = Date.now();
    if (this.snapshotMessage === undefined || now - this.snapshotMessage.at > UPDATE_INTERVAL_MS) {
      this.snapshotMessage = { seq: this.seq, json: redactJson(this.snapshot()), at: now };
    }
    listener(this.snapshotMessage);
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

  /**
   * A request from outside (the control socket, the store's inbox): the
   * message sent, the answer given, the cancel, the state. `recorded`: an
   * answer's, called when the journal records it (AnswerReceipts.expect).
   */
  handle(request: ControlRequest, recorded?: () => void): unknown {
    switch (request.op) {
      case "send":
        return this.inbox.send({ message: String(request.message), data: request.data, correlation: request.correlation, key: typeof request.key === "string" ? request.key : undefined });
      case "complete":
        return this.inbox.complete({ task: String(request.task), data: request.data ?? {}, by: request.from === "console" ? "in the console" : "with adhesive complete", recorded });
      case "cancel":
        return this.cancel(request.from === "console" ? "from the console" : "with adhesive cancel");
      case "state":
        return this.snapshot();
      default:
        throw new Error(`unknown request ${JSON.stringify((request as { op?: unknown }).op)}`);
    }
  }

  /*
   * Answered as soon as the run is told: its tasks are cancelled, their
   * commands killed and its lanes torn down before it ends, and its end
   * closes this socket. The caller waits for the end in the run's summary.
   */
  private cancel(by: string): { cancelling: true } {
    if (this.monitor.outcome !== "running" || this.target === undefined || this.target.isFinished) {
      throw new InboxError("ADHESIVE_RUN_ENDED", `run ${this.id} has ended: there is nothing to cancel`, 409);
    }
    this.settings.cancel(new CancelledError(by));
    return { cancelling: true };
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
    this.seq++;
    this.snapshotMessage = undefined;
    if (this.listeners.size === 0) return;
    const message: LiveMessage = { seq: this.seq, json: redactJson({ ...update, forms: this.forms.list() }) };
    for (const listener of this.listeners) listener(message);
  };
}
