import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { BpmnProblem } from "../errors.js";
import type { CalledProcessDefinition, ProcessDefinition, ScopeDefinition } from "../model/definition.js";
import { decodeXml } from "./decode.js";
import { escapeIds, restoreTree } from "./ids.js";
import { ANY_PROCESS, FileReader, renameCalls } from "./map.js";
import { children, parseXml, str, type ModdleElement, type ParsedXml } from "./moddle.js";
import { processName } from "./pools.js";
import { foldName } from "./text.js";

/**
 * Call activities whose process is not in their own file call a process of
 * another `.bpmn` (or `.bpmn20.xml`) file in the same folder, found by id
 * or by name; one whose process an expression names may call any process
 * of every such file, which are all read. Such a
 * process's element ids are prefixed with its file name (`billing.bpmn#Task_1`):
 * modelers number elements the same way in every file. A process in several
 * files is ambiguous and reported, naming them.
 */
export async function resolveFolderCalls(process: ProcessDefinition, missing: Map<string, string[]>, problems: BpmnProblem[]): Promise<void> {
  const folder = dirname(resolve(process.source));
  const self = resolve(process.source);
  const called = process.processes ?? [];
  const pending = [...missing];
  for (let entry = pending.shift(); entry !== undefined; entry = pending.shift()) {
    const [key, callers] = entry;
    const found = await findInFolder(folder, self, key);
    if (key === ANY_PROCESS) {
      for (const each of found) if (!called.some((existing) => existing.id === calledId(each, key))) read(each, called, pending, problems);
      continue;
    }
    if (found.length !== 1) {
      for (const caller of callers) problems.push({ elementId: caller, message: notFound(key, folder, found) });
      continue;
    }
    const id = calledId(found[0], key);
    if (!called.some((existing) => existing.id === id)) read(found[0], called, pending, problems);
    renameCalls(process.root, key, id);
    for (const entry of called) renameCalls(entry.root, key, id);
  }
  if (called.length > 0) process.processes = called;
}

function calledId(found: FolderProcess, key: string): string {
  return `${basename(found.file)}#${str(found.process, "id") ?? key}`;
}

/* the process and what it calls from its own file; what that file lacks is looked for in the folder again */
function read(found: FolderProcess, called: CalledProcessDefinition[], pending: Array<[string, string[]]>, problems: BpmnProblem[]): void {
  const { file, parsed, process: element } = found;
  const prefix = `${basename(file)}#`;
  const own: BpmnProblem[] = [];
  const reader = new FileReader(parsed.definitions!, own, parsed.unresolved);
  const root = prefixIds(reader.process(element), prefix);
  const more = reader.calledProcesses(file);
  const entries: CalledProcessDefinition[] = [
    ...more.called.map((nested) => ({ ...nested, id: prefix + nested.id, root: prefixIds(nested.root, prefix) })),
    { id: prefix + (str(element, "id") ?? ""), name: processName(parsed.definitions!, element), source: file, root },
  ];
  for (const nested of more.called) for (const entry of entries) renameCalls(entry.root, nested.id, prefix + nested.id);
  for (const [key, callers] of more.missing) pending.push([key, callers.map((caller) => prefix + caller)]);
  called.push(...entries);
  if (found.escaped) {
    restoreTree(entries);
    restoreTree(own);
  }
  problems.push(...own.map((p) => ({ elementId: prefix + p.elementId, message: `in ${basename(file)}: ${p.message}` })));
}

function notFound(key: string, folder: string, found: FolderProcess[]): string {
  if (found.length > 1) return `calls process "${key}", which ${found.length} files of ${folder} define: ${found.map((f) => basename(f.file)).join(", ")}`;
  return `calls process "${key}", which is neither in this file nor in another .bpmn or .bpmn20.xml file of ${folder}`;
}

interface FolderProcess {
  file: string;
  parsed: ParsedXml;
  /** the file had ids that needed escaping (restoreIds) */
  escaped: boolean;
  process: ModdleElement;
}

/* process files as modelers save them: Camunda Modeler's .bpmn, Activiti's and Flowable's (and Camunda 7 examples') .bpmn20.xml */
const PROCESS_FILE = /\.bpmn(20\.xml)?$/i;

async function findInFolder(folder: string, self: string, key: string): Promise<FolderProcess[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const found: FolderProcess[] = [];
  for (const name of names.filter((n) => PROCESS_FILE.test(n)).sort()) {
    const file = join(folder, name);
    if (file === self) continue;
    const entry = await parsedFile(file, key);
    const definitions = entry?.parsed.definitions;
    if (entry === undefined || definitions === undefined) continue;
    const processes = children(definitions, "rootElements").filter((element) => element.$type === "bpmn:Process");
    if (key === ANY_PROCESS) {
      const drawn = processes.filter((p) => children(p, "flowElements").length > 0);
      found.push(...drawn.map((process) => ({ file, parsed: entry.parsed, escaped: entry.escaped, process })));
      continue;
    }
    const match = processes.find((p) => str(p, "id") === key) ?? processes.find((p) => processName(definitions, p) === foldName(key));
    if (match !== undefined) found.push({ file, parsed: entry.parsed, escaped: entry.escaped, process: match });
  }
  return found;
}

/* parsed files by path, while their size and modification time stay the same: a folder is searched for every call */
const cache = new Map<string, { stamp: string; text: string; result: Promise<{ parsed: ParsedXml; escaped: boolean }> | undefined }>();

async function parsedFile(file: string, key: string): Promise<{ parsed: ParsedXml; escaped: boolean } | undefined> {
  let stamp: string;
  try {
    const info = await stat(file);
    stamp = `${info.size}:${info.mtimeMs}`;
  } catch {
    return undefined;
  }
  let entry = cache.get(file);
  if (entry === undefined || entry.stamp !== stamp) {
    const decoded = decodeXml(await readFile(file).catch(() => new Uint8Array()));
    entry = { stamp, text: decoded.problem === undefined ? decoded.text : "", result: undefined };
    cache.set(file, entry);
  }
  // most files of a folder are not the one: only those that mention the key are parsed
  if (key !== ANY_PROCESS && !entry.text.includes(key)) return undefined;
  const escaped = escapeIds(entry.text);
  entry.result ??= parseXml(escaped.xml).then((parsed) => ({ parsed, escaped: escaped.escaped }));
  return entry.result;
}

/** Prefixes every element id of a scope (and every reference to one). */
function prefixIds(root: ScopeDefinition, prefix: string): ScopeDefinition {
  const at = (id: string | undefined): string | undefined => (id === undefined ? undefined : `${prefix}${id}`);
  const scopes = [root];
  for (let scope = scopes.pop(); scope !== undefined; scope = scopes.pop()) {
    for (const flow of scope.flows) {
      flow.id = at(flow.id)!;
      flow.source = at(flow.source)!;
      flow.target = at(flow.target)!;
    }
    for (const node of scope.nodes) {
      node.id = at(node.id)!;
      for (const key of ["attachedTo", "defaultFlow", "handler", "compensates"] as const) if (node[key] !== undefined) node[key] = at(node[key]);
      if (node.children) scopes.push(node.children);
    }
  }
  return root;
}
