/*
 * `adhesive runs --store` and `adhesive runs show <id> --store`: the runs of
 * every host, from the store's registry and journal streams (the
 * orchestrator's host keeps the logs). Loaded only with a store.
 */
import { createColors } from "picocolors";
import type { RunState } from "../journal/records.js";
import { summaryFromJournal } from "../runs/summary.js";
import type { Store } from "../store/connection.js";
import { readStreamJournal } from "../store/journal-stream.js";
import { runKeys } from "../store/keys.js";
import { findStoreRun, listStoreRuns, readRegistry, type RegistryEntry } from "../store/registry.js";
import { visibleLine } from "../terminal-text.js";
import type { Output } from "./reporter.js";
import { STATE_COLORS, table, taskTable } from "./runs.js";
import { formatDuration } from "./status-line.js";
import { UsageError } from "../errors.js";

interface StoreRunsIo {
  out: Output;
  color: boolean;
  cwd: string;
}

/** Every run of the store, newest first: state (and open incidents), owner, counts. */
export async function printStoreRuns(store: Store, io: StoreRunsIo): Promise<void> {
  const c = createColors(io.color);
  const runs = (await listStoreRuns(store)).reverse();
  if (runs.length === 0) {
    io.out.write(`no runs in the store ${store.address.shown}\n`);
    return;
  }
  const held = await Promise.all(runs.map(async (run) => (await store.redis.exists(runKeys(run.runId).lease)) === 1));
  const rows = runs.map((run, i) => [
    run.runId,
    stateText(run, held[i], c),
    visibleLine(run.process ?? "?"),
    run.owner === undefined ? "" : `${run.owner.host} pid ${run.owner.pid}`,
    new Date(run.registered).toISOString().replace("T", " ").slice(0, 19),
    `${run.counts.done} done, ${run.counts.failed} failed`,
  ]);
  io.out.write(table(["run", "state", "process", "owner", "started (UTC)", "tasks"], rows));
}

/** One run of the store (its id or a unique prefix of it): its registry entry, incidents, and each task execution from its journal stream. */
export async function printStoreRun(store: Store, idOrPrefix: string, io: StoreRunsIo): Promise<void> {
  const c = createColors(io.color);
  const runId = await findStoreRun(store, idOrPrefix);
  const entry = await readRegistry(store, runId);
  if (entry === undefined) throw new UsageError(`run ${runId}: the store ${store.address.shown} has no such run (adhesive runs --store lists its runs)`);
  const held = (await store.redis.exists(runKeys(runId).lease)) === 1;
  const journal = await readStreamJournal(store, runId);
  const run = summaryFromJournal(journal, io.cwd);
  const state: RunState = entry.state ?? "running";
  io.out.write(`${c.bold(`run ${runId}`)}: ${stateText(entry, held, c)}${run.error ? ` (${visibleLine(run.error)})` : ""}\n`);
  io.out.write(`  process  ${visibleLine(run.processName)} in ${visibleLine(run.source)}${run.processFile ? `, run by ${visibleLine(run.processFile)}` : ""}\n`);
  if (entry.owner !== undefined) io.out.write(`  owner    ${entry.owner.host} pid ${entry.owner.pid} (epoch ${entry.epoch})${held || (entry.state ?? "running") !== "running" ? "" : ", its lease ran out"}\n`);
  io.out.write(`  started  ${new Date(run.startedAt).toISOString()}, ${formatDuration((run.endedAt ?? Date.now()) - run.startedAt)}\n`);
  io.out.write(`  tasks    ${entry.counts.done} done, ${entry.counts.failed} failed\n`);
  for (const incident of entry.incidents) {
    io.out.write(`  ${c.red("incident")} ${visibleLine(incident.task)} (${incident.node}, #${incident.seq}): job ${incident.job} failed: ${visibleLine(incident.reason)}; retry it with adhesive retry ${runId} ${incident.node} --store ...\n`);
  }
  // task logs are files of the orchestrating host (a remote task's capped output included), not in the store: no log column
  io.out.write(taskTable(journal, state, c, false));
}

/* a running run whose lease ran out has lost its orchestrator: a standby takes it over */
function stateText(run: RegistryEntry, held: boolean, c: ReturnType<typeof createColors>): string {
  const state = run.state ?? "running";
  let text = c[STATE_COLORS[state]](state);
  if (state === "running" && !held) text += c.yellow(" (no owner)");
  if (run.incidents.length > 0) text += c.red(` ${run.incidents.length} incident${run.incidents.length === 1 ? "" : "s"}`);
  return text;
}
