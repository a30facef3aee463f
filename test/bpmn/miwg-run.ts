import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Adhesive, InvalidBpmnError, loadBpmn, scriptedUi, SimulatedClock, type ProcessDefinition } from "adhesive-bpmn";
import { compiledProcess } from "../../src/model/compile.js";
import { startsInstance, type GraphNode } from "../../src/model/graph.js";
import { bindingName } from "../../src/tasks/binding.js";

/** The BPMN MIWG test suite as exported by eight modelers (../shared/corpus/miwg, next to the repository). */
export const MIWG = join(import.meta.dirname, "..", "..", "..", "shared", "corpus", "miwg");

export interface MiwgOutcome {
  file: string;
  /** the exporter, from the file name `<exporter>--<test case>.bpmn` */
  modeler: string;
  loaded: boolean;
  /** the InvalidBpmnError's problems when it did not load */
  problems: Array<{ elementId: string; message: string }>;
  /** undefined: finished; else why the no-op run did not */
  failure: string | undefined;
}

export async function miwgFiles(): Promise<string[]> {
  return (await readdir(MIWG)).filter((name) => name.endsWith(".bpmn")).sort();
}

/** Loads one file and, when it loads, runs it with no-op implementations for everything. */
export async function miwgOutcome(file: string, tempFolder: string): Promise<MiwgOutcome> {
  const modeler = file.split("--")[0];
  let definition: ProcessDefinition;
  try {
    definition = await loadBpmn(join(MIWG, file));
  } catch (error) {
    if (!(error instanceof InvalidBpmnError)) throw error;
    return { file, modeler, loaded: false, problems: error.problems, failure: "not loaded" };
  }
  return { file, modeler, loaded: true, problems: [], failure: await noOpRun(definition, tempFolder) };
}

/* rounds of moving the simulated clock an hour and delivering the messages tokens wait for */
const ROUNDS = 60;

/**
 * Every task a no-op, every decision the first flow, user tasks answered by
 * scriptedUi, timers (and timers drawn without a value, PT1M) on a
 * SimulatedClock, conditions drawn without one true, loop markers without
 * an expression once. Message start events get one message; catch and
 * boundary events a message each round. Returns undefined when the run
 * finished, else why not.
 */
async function noOpRun(definition: ProcessDefinition, tempFolder: string): Promise<string | undefined> {
  const graph = compiledProcess(definition);
  const adhesive = new Adhesive();
  const decide = (ctx: { task: { id: string; type: string } }): unknown =>
    ctx.task.type === "exclusiveGateway" ? graph.byId.get(ctx.task.id)?.outgoing[0]?.id : undefined;
  adhesive.task({ re: /.*/, loop: "[1]" }, decide);
  adhesive.usertask({ re: /.*/, loop: "[1]" }, () => undefined);
  adhesive.timer({ re: /.*/ }, "PT1M");
  adhesive.condition({ re: /.*/ }, "true");
  let tick = (): void => undefined;
  const { starts, catches } = messageNames(graph.nodes);
  if (starts.length > 0) adhesive.message(starts, function* () { yield {}; });
  if (catches.length > 0) {
    adhesive.messageCallback(catches, async (ctx, emit) => {
      while (!ctx.signal.aborted) {
        await emit({});
        await new Promise<void>((resolve) => (tick = resolve));
      }
    });
  }
  const clock = new SimulatedClock();
  const stop = new AbortController();
  let settled: { error: unknown } | undefined;
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const reporter = { runStarted: () => started() };
  const run = adhesive
    .run(definition, { clock, ui: scriptedUi({}), tempFolder, signal: stop.signal, taskLimit: 2000, poolSize: 4, reporter })
    .then(
      () => (settled = { error: undefined }),
      (error: unknown) => (settled = { error }),
    );
  // the run creates its folders first
  await Promise.race([running, run]);
  for (let round = 0; round < ROUNDS && settled === undefined; round++) {
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(3_600_000);
    tick();
  }
  if (settled === undefined) stop.abort(new Error(`still running after ${ROUNDS} rounds`));
  await run;
  const error = settled!.error;
  return error === undefined ? undefined : error instanceof Error ? error.message : String(error);
}

/* message start events of the run take one message each; everything else that waits for a message, one per round */
function messageNames(nodes: readonly GraphNode[]): { starts: string[]; catches: string[] } {
  const starts = new Set<string>();
  const catches = new Set<string>();
  for (const node of nodes) {
    if (node.messageFed || node.messageName === undefined) continue;
    (startsInstance(node) ? starts : catches).add(bindingName(node));
  }
  for (const name of starts) catches.delete(name);
  return { starts: [...starts], catches: [...catches] };
}

/** A folder for the runs' workspaces and logs, removed afterwards. */
export async function withTempFolder<T>(fn: (folder: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), "adhesive-miwg-"));
  try {
    return await fn(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
