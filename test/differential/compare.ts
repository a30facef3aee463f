/** Where two outcomes differ, one line per difference ("" when they agree). */
import type { Outcome } from "./outcome.js";

export type Aspect = "state" | "tasks" | "ends" | "flows";

export interface Difference {
  aspect: Aspect;
  /** the element (task, end event or flow id), absent for the state */
  id?: string;
  adhesive: string | number;
  bpmnEngine: string | number;
}

function counts(aspect: Exclude<Aspect, "state">, a: Record<string, number>, b: Record<string, number>): Difference[] {
  const ids = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(byNumber);
  return ids.filter((id) => (a[id] ?? 0) !== (b[id] ?? 0)).map((id) => ({ aspect, id, adhesive: a[id] ?? 0, bpmnEngine: b[id] ?? 0 }));
}

/* Task_2 before Task_10 */
function byNumber(a: string, b: string): number {
  const n = (id: string): number => Number(/_(\d+)$/.exec(id)?.[1] ?? 0);
  return n(a) - n(b) || a.localeCompare(b);
}

export function compare(adhesive: Outcome, bpmnEngine: Outcome, aspects: readonly Aspect[] = ["state", "tasks", "ends", "flows"]): Difference[] {
  const found: Difference[] = [];
  if (aspects.includes("state") && adhesive.state !== bpmnEngine.state) found.push({ aspect: "state", adhesive: adhesive.state, bpmnEngine: bpmnEngine.state });
  if (aspects.includes("tasks")) found.push(...counts("tasks", adhesive.tasks, bpmnEngine.tasks));
  if (aspects.includes("ends")) found.push(...counts("ends", adhesive.ends, bpmnEngine.ends));
  if (aspects.includes("flows")) found.push(...counts("flows", adhesive.flows, bpmnEngine.flows));
  return found;
}

export function describeDifferences(found: readonly Difference[]): string {
  return found
    .map((d) => (d.aspect === "state" ? `state: adhesive ${d.adhesive}, bpmn-engine ${d.bpmnEngine}` : `${d.aspect} ${d.id}: adhesive ${d.adhesive}, bpmn-engine ${d.bpmnEngine}`))
    .join("\n");
}
