import { existsSync } from "node:fs";
import type { ResumeTarget } from "../api/run-session.js";
import { UsageError } from "../errors.js";
import { readHeader } from "./journal-stream.js";
import type { Store } from "./connection.js";
import { findStoreRun } from "./registry.js";

/**
 * Which process file `adhesive resume <id> --store` (and a standby taking a
 * run over) imports to continue a run of the store: the file its journal's
 * header names, unless `file` is given (a host where the project lives in
 * another folder). The id may be a prefix only one run of the store has
 * (registry.ts): one several runs share is refused, naming them.
 */
export async function storeResumeTarget(store: Store, idOrPrefix: string, how: { retry: boolean; force: boolean }, file?: string): Promise<{ file: string; resume: ResumeTarget }> {
  const runId = await findStoreRun(store, idOrPrefix);
  const header = await readHeader(store, runId);
  if (header === undefined) throw new UsageError(`run ${runId}: the store ${store.address.shown} has no journal of that run (adhesive runs --store lists its runs)`);
  const processFile = file ?? header.process.file;
  if (processFile === undefined) throw new UsageError(`run ${runId} was started through the API, not by a process file: continue it in code, with bpmnBuild(file, { runId: "${runId}", store })`);
  if (!existsSync(processFile)) throw new UsageError(`run ${runId} was run by ${processFile}, which is not on this host: give the process file (adhesive resume ${runId} <file> --store ...)`);
  return { file: processFile, resume: { runId, processId: header.process.id, retry: how.retry, force: how.force } };
}
