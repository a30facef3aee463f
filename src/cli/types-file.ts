/*
 * `adhesive types <file.bpmn>... [--out file.d.ts]`: the names of the
 * processes' elements as a declaration file that narrows ProcessNames
 * (src/api/process-names.ts), so the type checker rejects a task() whose
 * name no element has. The categories follow what each element binds to
 * (tasks/binding.ts), so a name the checker accepts is one the run can use.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadBpmn } from "../bpmn/read.js";
import { describe } from "../errors.js";
import { compiledProcess } from "../model/compile.js";
import type { GraphNode } from "../model/graph.js";
import { KINDS } from "../model/kinds.js";
import { foldName } from "../model/name-template.js";
import { bindingName, ruleFor } from "../tasks/binding.js";
import { EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { reportFailure } from "./failure.js";
import type { CliIo } from "./main.js";

/** The keys of ProcessNames, in the order the file lists them. */
const CATEGORIES = ["tasks", "userTasks", "messages", "gateways", "jobTypes"] as const;
type Category = (typeof CATEGORIES)[number];

export type ProcessNameSets = Record<Category, Set<string>>;

const DEFAULT_OUT = "adhesive-names.d.ts";

const USAGE = `Usage: adhesive types <file.bpmn>... [--out <file.d.ts>]
  writes the task, user task, message, gateway and job type names of the processes
  as a .d.ts (default ${DEFAULT_OUT}; --out - prints it), so that tsc rejects a
  misspelt name in task(), usertask(), message() and gateway()
`;

/** Runs the command; returns the exit code. */
export async function typesCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { out: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    io.err.write(`adhesive types: ${describe(error)}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    io.out.write(USAGE);
    return EXIT_OK;
  }
  const files = parsed.positionals;
  if (files.length === 0) {
    io.err.write(`adhesive types: give at least one .bpmn file\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const out = parsed.values.out ?? DEFAULT_OUT;
  try {
    const text = namesDeclaration(await processNames(files), files);
    if (out === "-") io.out.write(text);
    else {
      await writeFile(resolve(io.cwd, out), text);
      io.err.write(`adhesive types: wrote ${out}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, io);
  }
}

/** The names of every process in the files (pools and the processes they call included), by category. */
export async function processNames(files: readonly string[]): Promise<ProcessNameSets> {
  const names: ProcessNameSets = { tasks: new Set(), userTasks: new Set(), messages: new Set(), gateways: new Set(), jobTypes: new Set() };
  for (const file of files) {
    // loadBpmn throws InvalidBpmnError naming every problem: no names from a file that cannot run
    const graph = compiledProcess(await loadBpmn(file));
    for (const node of graph.nodes) addNode(names, node);
  }
  return names;
}

function addNode(names: ProcessNameSets, node: GraphNode): void {
  const kinds = ruleFor(node)?.kinds ?? [];
  const name = foldName(bindingName(node));
  if (kinds.includes("task")) {
    names[KINDS[node.kind].implementedBy === "gateway" ? "gateways" : "tasks"].add(name);
    if (node.taskType !== undefined) names.jobTypes.add(node.taskType);
  }
  if (kinds.includes("userTask")) names.userTasks.add(name);
  if (kinds.includes("message")) {
    names.messages.add(name);
    // a receive task's source may name its message rather than the element (tasks/binding.ts)
    if (node.kind === "receiveTask" && node.messageName !== undefined) names.messages.add(foldName(node.messageName));
  }
}

/** The declaration file: a module augmentation of "adhesive-bpmn" with one union of names per category. */
export function namesDeclaration(names: ProcessNameSets, sources: readonly string[]): string {
  const lines = [
    `// Written by \`adhesive types ${sources.join(" ")}\`: run it again when the diagram changes.`,
    "// The names task(), usertask(), message() and gateway() accept; { re } matchers stay free.",
    "export {};",
    "",
    'declare module "adhesive-bpmn" {',
    "  interface ProcessNames {",
    ...CATEGORIES.map((category) => `    ${category}: ${nameUnion(names[category])};`),
    "  }",
    "}",
    "",
  ];
  return lines.join("\n");
}

function nameUnion(names: ReadonlySet<string>): string {
  if (names.size === 0) return "never";
  return [...names]
    .sort()
    .map(nameType)
    .join(" | ");
}

/**
 * A name as a type: a string literal, or for a name with `{...}` placeholders
 * (`Build {loop.value}`) a template literal type that any rendering matches,
 * as the placeholder matches anything at run time (tasks/matcher.ts).
 */
export function nameType(name: string): string {
  if (!/\{[^{}]*\}/.test(name)) return JSON.stringify(name);
  const parts = name.split(/\{[^{}]*\}/).map((part) => part.replace(/[\\`$]/g, "\\$&"));
  return `\`${parts.join("${string}")}\``;
}
