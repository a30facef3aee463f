/** The tables `npm run bench` prints once every row has run. */
import { bytes, count, K, median, ms, perSecond, table, times } from "./format.js";
import { heapPerToken, rate, wall, type InflightRow, type Plan, type Row } from "./plan.js";
import type { StartupRow } from "./startup.js";
import { targets } from "./targets.js";
import type { Workload } from "./worker.js";

export function report(plan: Plan, selected: Row[], selectedInflight: InflightRow[], startup: StartupRow[]): string {
  const out: string[] = [];
  const quick = plan.quick;
  const sizeUnit: Record<Workload, string> = { seed: "events", wide: "branches", deep: "tasks", loop: "iterations", "data-loop": "items in data", "inline-loop": "items inline", beside: "numbers beside" };

  // the main table
  const body: string[][] = [];
  let section = "";
  for (const row of selected) {
    if (row.section !== section && body.length > 0) body.push([]);
    section = row.section;
    const engine =
      row.engine === "bpmn-engine"
        ? `bpmn-engine${row.variant ? ` ${row.variant === "sequential" ? "seq" : "conc"}` : ""}`
        : row.engine === "baseline"
          ? "bare Node (5 promises/event)"
          : row.variant === "journal"
            ? "adhesive + journal"
            : "adhesive";
    const size = `${count(row.size)} ${row.engine === "bpmn-engine" && row.workload === "seed" ? "instances" : sizeUnit[row.workload]}`;
    const result = row.result;
    if (!result || !result.ok) {
      body.push([row.workload, size, engine, "", "", "", "", "", "", row.skipped ?? `FAILED: ${result?.error ?? "not run"}`]);
      continue;
    }
    const median = wall(row)!;
    const sorted = [...result.times].sort((a, b) => a - b);
    const spread = result.times.length > 1 ? `${ms(sorted[0])}..${ms(sorted[sorted.length - 1])}` : "";
    const memory = row.workload === "seed" && (row.size === K || (quick && row.size === 100)) ? heapColumn(plan, row) : "";
    const ours = plan.find(row.workload, row.size, "adhesive") ?? (row.engine === "bpmn-engine" && quick ? plan.find(row.workload, K, "adhesive") : undefined);
    const ratio =
      row.variant === "journal"
        ? `${times(wall(row)! / wall(ours)!)} the time`
        : row.engine !== "adhesive" && rate(ours) !== undefined
          ? times(rate(ours)! / rate(row)!)
          : "";
    body.push([row.workload, size, engine, `${result.times.length}`, ms(median), spread, perSecond(rate(row)!), `${result.peakRssMB.toFixed(0)} MB (${result.rssIdleMB.toFixed(0)})`, memory, ratio]);
  }
  out.push(
    "",
    table(
      ["workload", "size", "engine", "reps", "wall (median)", "min..max", "tokens/s", "peak RSS (idle)", "heap/in-flight tok", "tok/s ours/theirs"],
      body,
      [false, true, false, true, true, true, true, true, true, false],
    ),
  );
  out.push(
    "",
    "tokens = task executions; wall = one whole run (all events / instances), BPMN parsed once beforehand and not timed;",
    "peak RSS = the child's high-water mark, (idle) = its RSS after loading and warm-up; tok/s ours/theirs = adhesive's",
    "throughput divided by that row's (for bpmn-engine in --quick mode it runs 100 instances, compared with adhesive at 1k events).",
  );
  const loads: string[] = [];
  for (const engine of ["adhesive", "bpmn-engine"] as const) {
    const row = selected.find((r) => r.workload === "seed" && r.engine === engine && r.result?.ok && r.result.loadMs !== undefined);
    if (row) loads.push(`${engine} ${ms(row.result!.loadMs!)}`);
  }
  if (loads.length > 0) out.push(`BPMN load of the seed graph (once per process, not timed): ${loads.join(", ")}`);

  // in-flight memory
  if (selectedInflight.length > 0) {
    const memBody = selectedInflight.map((row) => {
      const engine = row.engine === "baseline" ? "bare Node (5 promises/event)" : row.engine;
      const heap = row.result?.ok ? row.result.heap : undefined;
      if (!heap) return [row.workload, count(row.size), engine, "", "", "", "", `FAILED: ${row.result?.error ?? "not run"}`];
      const held = heap.held - heap.before;
      return [row.workload, count(row.size), engine, String(heap.tokens), bytes(held), bytes(held / heap.tokens), bytes(held / heap.events), bytes(heap.after - heap.before)];
    });
    out.push(
      "",
      "Retained heap while every token is parked in a task (all tasks await one shared promise; heap after full GC, minus before):",
      table(["workload", "size", "engine", "tokens", "heap held", "per token", "per event/branch", "left after the run"], memBody, [false, true, false, true, true, true, true, true]),
      "heap held counts everything the run allocated for the parked work: tokens, task contexts and workspaces, data copies, the",
      "engine's await on each task's promise, per-event frames and the graph compiled for the run; not the user's data or promise.",
    );
  }

  if (startup.length > 0) {
    const startupBody = startup.map((row) => {
      if (row.error !== undefined) return [row.name, "", "", `FAILED: ${row.error}`];
      const sorted = [...row.times].sort((a, b) => a - b);
      return [row.name, String(row.times.length), ms(median(row.times)), `${ms(sorted[0])}..${ms(sorted[sorted.length - 1])}`];
    });
    out.push("", "Start-up: whole processes, wall time; adhesive as installed (dist/), after one warm-up run:", table(["command", "reps", "wall (median)", "min..max"], startupBody, [false, true, true, false]));
  }

  out.push("", "Targets (SPEC 7 / issue 6, issue 10):", targets(plan, startup));
  return out.join("\n");
}

function heapColumn(plan: Plan, row: Row): string {
  const variant = row.engine === "bpmn-engine" && row.variant === "sequential" ? undefined : row;
  if (variant === undefined) return "";
  const size = row.engine === "bpmn-engine" ? row.size : K;
  const perToken = heapPerToken(plan.inflightFor("seed", row.engine, size));
  return perToken === undefined ? "" : bytes(perToken);
}
