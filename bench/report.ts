/** The tables `npm run bench` prints once every row has run. */
import { bytes, count, K, median, ms, perSecond, table, times } from "./format.js";
import { defaultPoolSize } from "../src/runtime/pool-size.js";
import { cpu, heapPerToken, inTurns, journalOff, rate, wall, type InflightRow, type LongRow, type Plan, type Row, type Variant } from "./plan.js";
import type { StartupRow } from "./startup.js";
import { targets } from "./targets.js";
import { cliReport, type CliRow } from "./cli.js";
import type { Workload } from "./job.js";

const ADHESIVE_ENGINE: Record<string, string> = {
  "": "adhesive",
  journal: "adhesive + journal",
  "default pool": "adhesive, default pool",
  "journal, default pool": "adhesive + journal, default pool",
};

export function report(plan: Plan, selected: Row[], selectedInflight: InflightRow[], selectedLong: LongRow[], startup: StartupRow[], cli: CliRow[]): string {
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
          : ADHESIVE_ENGINE[row.variant ?? ""];
    const size = `${count(row.size)} ${row.engine === "bpmn-engine" && row.workload === "seed" ? "instances" : sizeUnit[row.workload]}`;
    const result = row.result;
    if (!result || !result.ok) {
      body.push([row.workload, size, engine, "", "", "", "", "", "", "", "", row.skipped ?? `FAILED: ${result?.error ?? "not run"}`]);
      continue;
    }
    const median = wall(row)!;
    const sorted = [...result.times].sort((a, b) => a - b);
    const spread = result.times.length > 1 ? `${ms(sorted[0])}..${ms(sorted[sorted.length - 1])}` : "";
    const memory = row.workload === "seed" && (row.size === K || (quick && row.size === 100)) ? heapColumn(plan, row) : "";
    const cpuMs = cpu(row);
    const floor = row.workload === "seed" ? plan.find("seed", row.size, "baseline") : undefined;
    const toFloor = row.engine === "baseline" ? "floor" : row.engine === "adhesive" ? ratios(row, floor, row.variant === undefined) : "";
    body.push([row.workload, size, engine, `${result.times.length}`, ms(median), spread, cpuMs === undefined ? "" : ms(cpuMs), perSecond(rate(row)!), `${result.peakRssMB.toFixed(0)} MB (${result.rssIdleMB.toFixed(0)})`, memory, toFloor, compared(plan, row)]);
  }
  out.push(
    "",
    table(
      ["workload", "size", "engine", "reps", "wall (median)", "min..max", "CPU (median)", "tokens/s", "peak RSS (idle)", "heap/in-flight tok", "to floor CPU, wall", "compared"],
      body,
      [false, true, false, true, true, true, true, true, true, true, true, false],
    ),
  );
  out.push(
    "",
    "tokens = task executions; wall = one whole run (all events / instances), BPMN parsed once beforehand and not timed; CPU = user +",
    "system time of the child's threads during that run (all threads), median of the repetitions;",
    "peak RSS = the child's high-water mark, (idle) = its RSS after loading and warm-up; to floor = this row's median CPU and wall",
    "divided by the floor's: the median of the ratios of runs timed in turns with the floor's (the bare-Node row's medians for the 1k",
    "row and the pool and journal variants). adhesive runs with poolSize 1e9 (no limit: the engine's own cost),",
    `"default pool" passes no poolSize (adhesive's default: ${defaultPoolSize("async")} here); "+ journal" keeps each run's journal.`,
    "compared: bpmn-engine rows: adhesive's tokens/s divided by that row's (in --quick mode bpmn-engine runs 100 instances, compared",
    "with adhesive at 1k events); journal rows: journal on / off at the same pool size, the median of the ratios of runs timed in turns;",
    "default-pool rows: default pool / poolSize 1e9.",
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

  for (const row of selectedLong) out.push("", longTable(row));

  if (startup.length > 0) {
    const startupBody = startup.map((row) => {
      if (row.error !== undefined) return [row.name, "", "", `FAILED: ${row.error}`];
      const sorted = [...row.times].sort((a, b) => a - b);
      return [row.name, String(row.times.length), ms(median(row.times)), `${ms(sorted[0])}..${ms(sorted[sorted.length - 1])}`];
    });
    out.push("", "Start-up: whole processes, wall time; adhesive as installed (dist/), after one warm-up run:", table(["command", "reps", "wall (median)", "min..max"], startupBody, [false, true, true, false]));
  }

  if (cli.length > 0) out.push(...cliReport(cli, table));
  out.push("", "Targets (SPEC 7 / issue 6, issue 10, issue 20):", targets(plan, startup, cli));
  return out.join("\n");
}

/*
 * The long run over time: what the process holds (RSS, heap) must stay flat,
 * and the journal file must stay bounded (snapshots replace it once it has
 * grown by journalSnapshotBytes), so its bytes per event fall as events grow.
 */
function longTable(row: LongRow): string {
  const title = `Long run: ${count(row.size)} seed events in one message run, journal on, default pool (${defaultPoolSize("async")} here), sampled every ${count(row.sampleEvery)} events:`;
  const result = row.result;
  if (!result?.ok || !result.samples) return `${title}\nFAILED: ${result?.error ?? "not run"}`;
  let previous = { events: 0, elapsedMs: 0 };
  const body = result.samples.map((sample) => {
    const interval = (sample.events - previous.events) / ((sample.elapsedMs - previous.elapsedMs) / 1000);
    previous = sample;
    return [
      count(sample.events),
      ms(sample.elapsedMs),
      ms(sample.cpuMs),
      perSecond(interval),
      `${sample.rssMB.toFixed(0)} MB`,
      `${sample.heapUsedMB.toFixed(0)} MB`,
      bytes(sample.journalBytes),
      bytes(sample.journalBytes / sample.events),
      bytes(sample.journalPeakBytes),
      String(sample.journalShrinks),
    ];
  });
  return [
    title,
    table(["events", "elapsed", "CPU", "events/s since last", "RSS", "heap used", "journal file", "file/event", "file peak so far", "snapshots"], body, [true, true, true, true, true, true, true, true, true, true]),
    `${result.tokens} task executions checked; peak RSS ${result.peakRssMB.toFixed(0)} MB. file/event = the journal file's size now over the events so far;`,
    "file peak = the largest size seen (the file is looked at 50 times between samples); snapshots = times it was seen smaller (at least).",
  ].join("\n");
}

/* the row's CPU and wall over its reference's: the median of the ratios of the runs timed in turns (plan.ts inTurns), or over the other row's medians */
function ratios(row: Row, other: Row | undefined, useTurns = true): string {
  const turns = useTurns ? inTurns(row) : undefined;
  if (turns !== undefined) return `${times(turns.cpuRatio)}, ${times(turns.wallRatio)}`;
  if (wall(other) === undefined) return "";
  const c = cpu(row) !== undefined && cpu(other) !== undefined ? times(cpu(row)! / cpu(other)!) : "?";
  return `${c}, ${times(wall(row)! / wall(other)!)}`;
}

function compared(plan: Plan, row: Row): string {
  if (row.engine === "bpmn-engine") {
    const ours = plan.find(row.workload, row.size, "adhesive") ?? (plan.quick ? plan.find(row.workload, K, "adhesive") : undefined);
    return rate(ours) === undefined ? "" : `ours ${times(rate(ours)! / rate(row)!)} its tok/s`;
  }
  if (row.engine !== "adhesive" || row.variant === undefined) return "";
  const other: Variant = row.variant === "journal" || row.variant === "journal, default pool" ? journalOff(row.variant) : undefined;
  const figures = ratios(row, plan.find(row.workload, row.size, "adhesive", other));
  if (figures === "") return "";
  return `${row.variant === "default pool" ? "default pool / pool 1e9" : "journal on / off"}: ${figures.replace(", ", " CPU, ")} wall`;
}

function heapColumn(plan: Plan, row: Row): string {
  const variant = row.engine === "bpmn-engine" && row.variant === "sequential" ? undefined : row;
  if (variant === undefined) return "";
  const size = row.engine === "bpmn-engine" ? row.size : K;
  const perToken = heapPerToken(plan.inflightFor("seed", row.engine, size));
  return perToken === undefined ? "" : bytes(perToken);
}
