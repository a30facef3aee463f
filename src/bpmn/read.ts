import { readFile } from "node:fs/promises";
import { InvalidBpmnError, describe, type BpmnProblem } from "../errors.js";
import type { ProcessDefinition } from "../model/definition.js";
import { compiledProcess } from "../model/compile.js";
import { resolveFolderCalls } from "./called.js";
import { decodeXml, forbiddenCharacter } from "./decode.js";
import { escapeIds, restoreTree } from "./ids.js";
import { mapDefinitions } from "./map.js";
import { parseXml } from "./moddle.js";
import { validateDefinition } from "./validate.js";
import { lintWarnings } from "./warnings.js";

/** What loadBpmn reads of a file. */
export interface LoadOptions {
  /** the process to run, by id or name (default: every process that runs, see README Pools) */
  process?: string;
}

/**
 * Reads a BPMN file into the process model. Any file gets one of two answers:
 * the model, or an InvalidBpmnError listing every problem with its element id.
 */
export async function loadBpmn(file: string, options: LoadOptions = {}): Promise<ProcessDefinition> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InvalidBpmnError(file, [{ elementId: "", message: `cannot read the file: ${describe(error)}` }]);
  }
  const decoded = decodeXml(bytes);
  if (decoded.problem !== undefined) throw new InvalidBpmnError(file, [decoded.problem]);
  return readBpmn(decoded.text, file, options);
}

/** Same as loadBpmn for XML already in memory; `file` names it in problems (and its folder holds the processes it calls). */
export async function readBpmn(xml: string, file: string, options: LoadOptions = {}): Promise<ProcessDefinition> {
  let outcome: { process?: ProcessDefinition; problems: BpmnProblem[] };
  try {
    outcome = await readProcess(xml, file, options);
  } catch (error) {
    // a reader bug must still surface as "this file cannot be run", not as a crash
    outcome = { problems: [{ elementId: "", message: `cannot read the BPMN: ${describe(error)}` }] };
  }
  if (outcome.process && outcome.problems.length === 0) return outcome.process;
  throw new InvalidBpmnError(file, distinct(outcome.problems));
}

async function readProcess(xml: unknown, file: string, options: LoadOptions): Promise<{ process?: ProcessDefinition; problems: BpmnProblem[] }> {
  if (typeof xml !== "string") return { problems: [{ elementId: "", message: "the BPMN content is not text" }] };
  const forbidden = forbiddenCharacter(xml);
  if (forbidden !== undefined) return { problems: [forbidden] };
  const escaped = escapeIds(xml);
  const parsed = await parseXml(escaped.xml);
  const problems = [...parsed.problems];
  if (!parsed.definitions) return { problems: restored(problems, escaped.escaped) };
  const mapped = mapDefinitions(parsed.definitions, file, problems, parsed.unresolved, options);
  if (!mapped) return { problems: restored(problems, escaped.escaped) };
  if (escaped.escaped) restoreTree(mapped);
  if (mapped.missingCalls.size > 0) await resolveFolderCalls(mapped.process, mapped.missingCalls, problems);
  problems.push(...validateDefinition(mapped.process, mapped.rejected));
  // expressions, scripts and timers compile now, so their syntax errors are load-time problems with element ids
  if (problems.length === 0) problems.push(...compileProblems(mapped.process));
  if (problems.length === 0) {
    const warnings = lintWarnings(mapped.process);
    if (warnings.length > 0) mapped.process.warnings = warnings;
  }
  return { process: mapped.process, problems: restored(problems, escaped.escaped) };
}

function restored(problems: BpmnProblem[], escaped: boolean): BpmnProblem[] {
  return escaped ? restoreTree(problems) : problems;
}

function compileProblems(process: ProcessDefinition): BpmnProblem[] {
  try {
    compiledProcess(process);
    return [];
  } catch (error) {
    if (error instanceof InvalidBpmnError) return error.problems;
    throw error;
  }
}

/** The same fact can be found twice (moddle and the structural checks both see duplicate ids). */
function distinct(problems: BpmnProblem[]): BpmnProblem[] {
  const byKey = new Map<string, BpmnProblem>();
  for (const problem of problems) byKey.set(`${problem.elementId}\u0000${problem.message}`, problem);
  return [...byKey.values()];
}
