import { createColors } from "picocolors";
import type { Data } from "../engine/data.js";
import { RunSession } from "../api/run-session.js";
import { VerifyRecorder } from "../api/verify-mode.js";
import type { GraphNode } from "../model/graph.js";
import { bindingName, ruleFor } from "../tasks/binding.js";
import { checkMappings, type ElementCheck, type MappingCheck, type RenderingCheck } from "../tasks/mapping-check.js";
import type { Declaration } from "../tasks/registry.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { reportFailure, type FailureIo } from "./failure.js";
import { shortPath } from "./paths.js";
import type { Output } from "./reporter.js";

export interface VerifyIo extends FailureIo {
  out: Output;
}

/*
 * A file that keeps something open (a server, an interval) never lets the
 * event loop run dry; this long without a new run means it started all it
 * will start without running one to its end.
 */
const QUIET_MS = 1000;

/**
 * `adhesive verify`: imports the process file with every run only recorded
 * (a recorded run never settles, so no task and none of the code after the
 * run executes), waits until the file can start no more runs, and reports
 * how each element of each process maps to an implementation. Exit 1 for a
 * missing or ambiguous element, 2 when the file or a process cannot be read.
 */
export async function verifyProcessFile(load: () => Promise<void>, data: Data | undefined, io: VerifyIo): Promise<number> {
  const recorder = new VerifyRecorder();
  // never left: the runs recorded never settle, and the CLI exits once it has reported them
  new RunSession({ options: {}, data, purpose: { kind: "verify", recorder } }).enter();
  let failure: { error: unknown } | undefined;
  const imported = load().catch((error: unknown) => {
    failure = { error };
  });
  await untilQuiet(imported, recorder);
  const c = createColors(io.color);
  if (recorder.runs.length === 0 && failure === undefined) {
    io.err.write(`${c.red("error")}: the process file started no process: it must call bpmnBuild(), build() or processStart()...build()\n`);
    return EXIT_USAGE;
  }
  const mapped = recorder.runs.length > 0 ? printCheck(checkMappings(recorder.runs), io) : EXIT_OK;
  const unreadable = recorder.runs.filter((run) => run.error !== undefined).map((run) => reportFailure(run.error, io));
  const failed = failure === undefined ? EXIT_OK : reportFailure(failure.error, io);
  return Math.max(mapped, failed, ...unreadable);
}

/**
 * Resolves once the file can start no more runs: the event loop ran dry
 * (Node's beforeExit: nothing is left but runs that never settle), or the
 * import has settled or started a run and nothing new happened for QUIET_MS.
 * Never while a started run's process file is still being read.
 */
export function untilQuiet(imported: Promise<void>, recorder: VerifyRecorder): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (recorder.busy) return;
      clearTimeout(timer);
      process.off("beforeExit", finish);
      unsubscribe();
      resolve();
    };
    const arm = (): void => {
      clearTimeout(timer);
      if (recorder.busy || (!settled && recorder.runs.length === 0)) return;
      // unref: the timer must not keep the loop alive, or beforeExit could never come
      timer = setTimeout(finish, QUIET_MS).unref();
    };
    const unsubscribe = recorder.onChange(arm);
    process.on("beforeExit", finish);
    void imported.then(() => {
      settled = true;
      arm();
    });
  });
}

/** Prints each process's elements, then unused implementations and a count; returns 1 if anything cannot run. */
function printCheck(check: MappingCheck, io: VerifyIo): number {
  const c = createColors(io.color);
  const show = (d: Declaration) => describe(d, io.cwd);
  let problems = 0;
  let elements = 0;
  for (const { run, elements: checks } of check.runs) {
    if (run.graph === undefined) continue;
    io.out.write(`${c.bold(shortPath(run.source, io.cwd))}\n`);
    for (const warning of run.warnings) io.out.write(`  ${c.yellow("warning")}   ${warning.elementId}: ${warning.message}\n`);
    for (const element of checks) {
      // a gateway may have an implementation; one without is fine and not worth a line
      if (element.status === "ok" && element.binding.candidates.length === 0) continue;
      elements++;
      if (element.status !== "ok") problems++;
      io.out.write(elementLines(element, c, show));
    }
  }
  for (const { declaration, nearest } of check.unused) {
    const hint = nearest.length > 0 ? `; did you mean ${nearest.map(({ node, source }) => `${elementName(node)} (${node.id}) in ${shortPath(source, io.cwd)}`).join(" or ")}?` : "";
    io.out.write(`  ${c.yellow("unused")}    ${show(declaration)}: matches no element of the processes started${hint}\n`);
  }
  const runs = check.runs.filter(({ run }) => run.graph !== undefined).length;
  const counts = [`${runs} process${runs === 1 ? "" : "es"}`, `${elements} element${elements === 1 ? "" : "s"} mapped`];
  if (problems > 0) counts.push(c.red(`${problems} cannot run`));
  if (check.unused.length > 0) counts.push(c.yellow(`${check.unused.length} unused implementation${check.unused.length === 1 ? "" : "s"}`));
  io.out.write(`${counts.join(", ")}\n`);
  return problems > 0 ? EXIT_FAILED : EXIT_OK;
}

type Colors = ReturnType<typeof createColors>;

function elementLines(check: ElementCheck, c: Colors, show: (d: Declaration) => string): string {
  const { binding } = check;
  // a service task's job type (zeebe:taskDefinition type, camunda:topic) is what typed implementations match
  const jobType = binding.node.taskType === undefined ? "" : ` job type ${JSON.stringify(binding.node.taskType)}`;
  const element = `${elementName(binding.node)} ${c.dim(`(${binding.node.id})`)}${jobType}`;
  const mapping = binding.candidates.length > 0 ? ` -> ${binding.candidates.map(show).join(" | ")}` : "";
  const lines: string[] = [];
  if (check.status === "ok") lines.push(`  ${c.green("ok")}        ${element}${mapping}`);
  else if (check.status === "ambiguous") lines.push(`  ${c.red("ambiguous")} ${element}${mapping}`);
  else lines.push(`  ${c.red("missing")}   ${element}${mapping}${binding.problem === "missing" ? `: no implementation matches${guess(check, show)}` : ""}`);
  const indent = " ".repeat(14);
  for (const from of ["data", "name"] as const) {
    const fine = check.renderings.filter((r) => r.chosen !== undefined && r.from === from);
    if (fine.length > 0) lines.push(`${indent}${c.dim(`renders as ${fine.map((r) => JSON.stringify(r.name)).join(", ")} (${fromLabel(from)})`)}`);
  }
  for (const rendering of check.renderings.filter((r) => r.chosen === undefined)) {
    const why = rendering.matching.length === 0 ? "no implementation matches it" : `matched by ${rendering.matching.map(show).join(" and ")}`;
    lines.push(`${indent}${c.red(`as "${rendering.name}"`)} ${c.dim(`(${fromLabel(rendering.from)})`)}: ${why}`);
  }
  if (check.unchecked !== undefined) {
    const which = binding.candidates.length > 1 ? `which of its ${binding.candidates.length} implementations runs` : "whether its implementation matches";
    lines.push(`${indent}${c.yellow("not checked")}: ${check.unchecked}; ${which} is only known once the name is rendered (initialData or --data lets verify render it)`);
  }
  return `${lines.join("\n")}\n`;
}

function guess(check: ElementCheck, show: (d: Declaration) => string): string {
  const type = check.binding.node.taskType;
  if (check.suggestions.length === 0) return type === undefined ? "" : `; implement its job type with task({ type: ${JSON.stringify(type)} }, fn)`;
  const needed = implementationCall(check.binding.node);
  const shown = check.suggestions.map((d) => (implementationCall(d.kind) === needed ? show(d) : `${show(d)} (a ${elementKind(check.binding.node)} needs ${needed}())`));
  return `; did you mean ${shown.join(" or ")}?`;
}

function elementName(node: GraphNode): string {
  return `${elementKind(node)} ${JSON.stringify(bindingName(node))}`;
}

function elementKind(node: GraphNode): string {
  if (node.kind === "userTask") return "user task";
  if (node.kind === "task") return "task";
  return node.kind.replace(/([A-Z])/g, " $1").toLowerCase();
}

/** The function that implements an element or declaration kind. */
function implementationCall(of: GraphNode | Declaration["kind"]): string {
  const kind = typeof of === "string" ? of : (ruleFor(of)?.kinds[0] ?? "task");
  if (kind === "userTask") return "usertask";
  if (kind === "messageCallback") return "message";
  return kind;
}

function fromLabel(from: RenderingCheck["from"]): string {
  return from === "data" ? "with the initial data" : "an implementation's own name";
}

function describe(declaration: Declaration, cwd: string): string {
  const kind = declaration.kind === "userTask" ? "usertask" : declaration.kind;
  return `${kind}(${declaration.label})${declaration.origin ? ` at ${shortPath(declaration.origin, cwd)}` : ""}`;
}
