import { TaskContext, type ContextHandle, type ContextHost, type TaskNodeInfo } from "../engine/context.js";
import type { Engine } from "../engine/engine.js";
import type { Data } from "../engine/data.js";
import { startsInstance, type GraphNode } from "../model/graph.js";
import { bindingName, type NodeBinding } from "../tasks/binding.js";
import { groupsFor } from "../tasks/matcher.js";
import type { Declaration } from "../tasks/registry.js";
import type { Context, MessageCallbackFunction, MessageFunction } from "../api/types.js";
import type { Workspace } from "../workspaces/workspace.js";
import { fromInbox } from "../inbox/from-inbox.js";
import type { Feeds } from "./feeds.js";
import { Inlet } from "./inlet.js";
import { handOver } from "./source-delivery.js";
import type { SnapshotGate } from "./snapshot-gate.js";

export interface SourceSettings {
  engine: Engine;
  executionId: string;
  initialData: Data;
  workspace: Workspace;
  maxInFlight: number;
  /** events a messageCallback may have waiting for room before the run fails */
  maxBuffered: number;
  signal: AbortSignal;
  /** called for every event a source delivers (the CLI's events/s) */
  onEvent?: () => void;
  /** a continued run: per element, the last event its journal recorded (ctx.lastEvent of its source) */
  lastEvents?: ReadonlyMap<string, unknown>;
  /** which elements a running source still sends to (the engine's stall check asks) */
  feeds: Feeds;
  /** holds generators back while the journal takes a snapshot */
  gate?: SnapshotGate;
}

/**
 * Starts one driver per message() / messageCallback() declaration, feeding
 * every element bound to it: a start event gets a new instance per event, a
 * catch or boundary event hands it to the tokens waiting there. A generator
 * is pulled only while fewer than `maxInFlight` instances run (backpressure),
 * so an endless source cannot fill memory. Sources of start events keep the
 * run open until they finish; a source that only feeds catch events is
 * stopped (its ctx.signal fires) when the run ends. A failing source fails
 * the run.
 */
export function startSources(bindings: readonly NodeBinding[], settings: SourceSettings): () => void {
  const nodesBy = new Map<Declaration, GraphNode[]>();
  for (const { node, declaration } of bindings) {
    if (declaration === undefined || (declaration.kind !== "message" && declaration.kind !== "messageCallback")) continue;
    nodesBy.set(declaration, [...(nodesBy.get(declaration) ?? []), node]);
  }
  // one listener on the run's signal for every source: a signal warns past 10 listeners
  const stopped = stopFlag(settings.signal);
  const launches = [...nodesBy].map(([declaration, nodes]) => startSource(declaration, nodes, settings, stopped));
  return () => {
    for (const launch of launches) launch();
  };
}

/*
 * Registers the source with the engine (so the run waits for it) and returns
 * the function that starts calling user code: that must wait until the
 * engine has started, because a source may emit as soon as it is called.
 */
function startSource(declaration: Declaration, nodes: GraphNode[], settings: SourceSettings, stopped: StopFlag): () => void {
  const { engine } = settings;
  const first = nodes[0];
  const ctx = sourceContext(first, nodes, settings);
  // a receive task's source may match its message's name instead
  const groups = groupsFor(declaration.patterns, bindingName(first), first.messageName);
  const holdsRun = nodes.some((node) => startsInstance(node));
  // fromInbox sends nothing itself: its elements get what the run's inbox brings, if the run has one
  const sends = declaration.fn !== fromInbox;
  let ended = false;
  // whichever comes first, the source's own end or a failure while it runs, counts: never both
  const end = (error?: unknown): void => {
    if (ended) return;
    ended = true;
    if (sends) settings.feeds.closed(nodes);
    if (error !== undefined) engine.outside.failSource(first, error, holdsRun);
    else if (holdsRun) engine.outside.closeSource();
    else engine.outside.sourceEnded();
  };
  if (holdsRun) engine.outside.openSource();
  if (sends) settings.feeds.opened(nodes);
  return () => {
    const driver =
      declaration.kind === "message"
        ? pull(declaration.fn as MessageFunction, ctx, groups, nodes, holdsRun, settings, stopped)
        : listen(declaration.fn as MessageCallbackFunction, ctx, groups, new Inlet(engine, nodes, settings, end));
    driver.then(
      () => end(),
      (error: unknown) => end(error),
    );
  };
}

function sourceContext(node: GraphNode, nodes: readonly GraphNode[], settings: SourceSettings): Context {
  const info = { id: node.id, name: node.name, type: node.kind };
  const data = { ...settings.initialData };
  const host = { executionId: settings.executionId, signalFor: () => settings.signal, dataFor: () => data, attemptOf: () => 1, instanceOf: () => 0, workspaceFor: () => settings.workspace, write: (_ctx: unknown, text: string) => void process.stdout.write(text) };
  const last = nodes.filter((element) => settings.lastEvents?.has(element.id)).map((element) => settings.lastEvents!.get(element.id));
  return new SourceContext(host, { id: 0 }, info, node.name, undefined, node.lane, last.at(-1));
}

/*
 * A class of its own rather than a key added to a task's context: the first
 * contexts made decide how much room every TaskContext gets, and a source's
 * context is made first, so its extra key cost each task 8 bytes.
 */
class SourceContext extends TaskContext<Workspace> {
  readonly lastEvent: unknown;

  constructor(host: ContextHost, handle: ContextHandle, info: TaskNodeInfo, name: string, loop: undefined, lane: string | undefined, lastEvent: unknown) {
    super(host, handle, info, name, loop, lane);
    this.lastEvent = lastEvent;
  }
}

async function pull(
  fn: MessageFunction,
  ctx: Context,
  groups: string[],
  nodes: readonly GraphNode[],
  backpressure: boolean,
  settings: SourceSettings,
  stop: StopFlag,
): Promise<void> {
  const { engine, gate, onEvent, maxInFlight } = settings;
  const outside = engine.outside;
  for await (const event of fn(ctx, ...groups)) {
    if (stop.aborted || outside.isFinished) return;
    const held = backpressure ? gate?.held : undefined;
    if (held) {
      await held;
      if (stop.aborted || outside.isFinished) return;
    }
    onEvent?.();
    handOver(engine, nodes, event);
    const pause = backpressure ? outside.whenBelow(maxInFlight) : undefined;
    if (pause) await pause;
    // stop before pulling again: an event taken from the generator after the run ended would be lost
    if (stop.aborted || outside.isFinished) return;
  }
}

interface StopFlag {
  aborted: boolean;
}

/*
 * The signal's `aborted`, kept by its abort event (which fires as `aborted`
 * turns true): the source loop reads a field three times per event instead
 * of the signal's getter, and never touches the signal. A run's signal
 * changes shape as it runs, so a loop that read it was deoptimised at the
 * end of every run and compiled again in the next (pull ran unoptimised for
 * the first thousands of events of each run). The listener lives as long
 * as the run's signal; it is not removed.
 */
function stopFlag(signal: AbortSignal): StopFlag {
  const flag: StopFlag = { aborted: signal.aborted };
  signal.addEventListener(
    "abort",
    () => {
      flag.aborted = true;
    },
    { once: true },
  );
  return flag;
}

/* async, so a callback that throws at once fails the run like one whose promise rejects; done once what it emitted has all started */
async function listen(fn: MessageCallbackFunction, ctx: Context, groups: string[], inlet: Inlet): Promise<void> {
  await fn(ctx, inlet.emit, ...groups);
  await inlet.drained();
}
