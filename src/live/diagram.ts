import { access, chmod, copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProcessDefinition } from "../model/definition.js";
import { OWNER_ONLY_FILE } from "../workspaces/temp-folder.js";
import { readJournalHeader } from "../journal/reader.js";
import { DEFINITION_FILE, JOURNAL_FILE, PROCESS_COPY_FILE, writeRunFile } from "../runs/files.js";

/* a drawn file has shapes; one written by hand or by a generator may have none */
const HAS_DI = /<(?:[\w-]+:)?BPMNShape\b/;

/**
 * Keeps what a run's diagram is drawn from in its folder: a copy of its BPMN
 * file (which may change after the run), or the definition of a process
 * built in code.
 */
export async function saveDiagramSource(runFolder: string, definition: ProcessDefinition): Promise<void> {
  if (await isBpmnFile(definition.source)) {
    await copyFile(definition.source, join(runFolder, PROCESS_COPY_FILE));
    await chmod(join(runFolder, PROCESS_COPY_FILE), OWNER_ONLY_FILE);
  } else {
    await writeRunFile(runFolder, DEFINITION_FILE, JSON.stringify(definition));
  }
}

/**
 * The BPMN XML the live view draws: the file's own diagram (its DI) when it
 * has one, else the builder's export layout (toBpmnXml) of the definition,
 * as for processes built in code and linear build() processes (and for a
 * run through the API with neither a live view nor an inbox, which kept no
 * copy: the definition in its journal).
 */
export async function diagramOf(runFolder: string): Promise<string> {
  // the BPMN reader and writer load when a page first asks for a diagram
  const [{ readBpmn }, { toBpmnXml }] = await Promise.all([import("../bpmn/read.js"), import("../bpmn/write.js")]);
  const copy = await readFile(join(runFolder, PROCESS_COPY_FILE), "utf8").catch(() => undefined);
  if (copy !== undefined && HAS_DI.test(copy)) return copy;
  if (copy !== undefined) return toBpmnXml(await readBpmn(copy, join(runFolder, PROCESS_COPY_FILE)));
  const saved = await readFile(join(runFolder, DEFINITION_FILE), "utf8").catch(() => undefined);
  // a run that had neither a live view nor an inbox saved neither: its journal's header holds the definition
  const definition = saved !== undefined ? (JSON.parse(saved) as ProcessDefinition) : (await readJournalHeader(join(runFolder, JOURNAL_FILE))).definition;
  return toBpmnXml(definition);
}

async function isBpmnFile(source: string): Promise<boolean> {
  if (!/\.(bpmn|xml)$/i.test(source)) return false;
  return access(source).then(
    () => true,
    () => false,
  );
}
