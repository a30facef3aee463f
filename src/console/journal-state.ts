import type { ElementCounts, FailureEntry, MonitorSummary, MonitorUpdate } from "../monitor/run-monitor.js";
import type { JournalView } from "./journal-view.js";

/*
 * The counts of a run that left no final counts (a run through the API
 * without a live view, one whose runner died), drawn from its journal:
 * per element, its task executions and its failures (counted as the
 * journal is read: nothing here walks it). Flows are not in the journal,
 * so no path is drawn.
 */
export function journalState(view: JournalView, summary: MonitorSummary): MonitorUpdate {
  const elements: Record<string, ElementCounts> = {};
  for (const [id, counts] of view.counts(summary.state === "running" ? "running" : "done")) {
    elements[id] = { tokens: counts.running, running: counts.running, waiting: 0, completed: counts.completed, failed: counts.failed, caught: counts.caught, cancelled: 0 };
  }
  const failures: FailureEntry[] = [];
  for (const i of view.recentFailures()) {
    const entry = view.entry(i);
    if (entry.elementId === undefined) continue;
    const name = view.elements.get(entry.elementId)?.name ?? entry.elementId;
    failures.push({ elementId: entry.elementId, taskName: name, tokenId: entry.seq ?? 0, message: entry.error ?? "failed", at: entry.at, caught: entry.kind === "caught" });
  }
  return { summary, elements, flows: {}, failures };
}
