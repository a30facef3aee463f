/** The targets table: each goal of SPEC 7 and the issues, with what this run measured and PASS, MISS or n/a. */
import { defaultPoolSize } from "../src/runtime/pool-size.js";
import { bytes, count, K, M, median, ms, table, times } from "./format.js";
import { cpu, heapPerToken, inTurns, perToken, rate, wall, type Plan, type Row, type Variant } from "./plan.js";
import type { StartupRow } from "./startup.js";
import { cliTargets, type CliRow } from "./cli.js";

/** one line of the table: what it asks, what was measured, whether it held (undefined: not measured in this run) */
export type Target = (name: string, value: string, ok: boolean | undefined, note?: string) => void;

export function targets(plan: Plan, startup: StartupRow[], cli: CliRow[]): string {
  const quick = plan.quick;
  const find = plan.find.bind(plan);
  const lines: string[][] = [];
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? "n/a" : ok ? "PASS" : "MISS");
  const target: Target = (name, value, ok, note = "") => {
    lines.push([name, value, verdict(ok), note]);
  };

  const seed = find("seed", K, "adhesive");
  const seedMs = wall(seed);
  target("seed workload (1k events) engine time < 10 ms", seedMs === undefined ? "not run" : ms(seedMs), seedMs === undefined ? undefined : seedMs < 10, seedMs === undefined ? "" : `${times(seedMs / 10)} of the budget`);

  const theirsSmall = quick ? 100 : K;
  for (const variant of ["sequential", "concurrent"] as const) {
    const theirs = rate(find("seed", theirsSmall, "bpmn-engine", variant));
    const ours = rate(seed);
    const r = ours !== undefined && theirs !== undefined ? ours / theirs : undefined;
    target(`>= 100x bpmn-engine throughput, seed 1k (${variant})`, r === undefined ? "not run" : times(r), r === undefined ? undefined : r >= 100, quick ? "bpmn-engine at 100 instances (--quick)" : "");
  }
  const theirs10k = rate(find("seed", 10 * K, "bpmn-engine", "sequential"));
  for (const size of [10 * K, 100 * K, M]) {
    const ours = rate(find("seed", size, "adhesive"));
    const theirs = size === 10 * K ? theirs10k : theirs10k ?? rate(find("seed", theirsSmall, "bpmn-engine", "sequential"));
    const r = ours !== undefined && theirs !== undefined ? ours / theirs : undefined;
    const note = size === 10 * K ? "" : "vs bpmn-engine's best measured sequential rate (it cannot run this size here)";
    target(`>= 100x bpmn-engine throughput, ${count(size)} events`, r === undefined ? "not run" : times(r), r === undefined ? undefined : r >= 100, r === undefined ? "" : note);
  }

  const base = perToken(find("seed", 10 * K, "adhesive"));
  const scaled = [100 * K, M].map((size) => ({ size, per: perToken(find("seed", size, "adhesive")) })).filter((s) => s.per !== undefined);
  if (base !== undefined && scaled.length > 0) {
    const worst = Math.max(...scaled.map((s) => s.per! / base));
    const detail = [`10k ${(base * 1000).toFixed(2)} us`, ...scaled.map((s) => `${count(s.size)} ${(s.per! * 1000).toFixed(2)} us`)].join(", ");
    target("time per token flat from 10k to 1M events (<= 2x)", `${times(worst)}`, scaled.some((s) => s.size === M) ? worst <= 2 : undefined, `${detail}${scaled.some((s) => s.size === M) ? "" : " (1M not run)"}`);
  } else {
    target("time per token flat from 10k to 1M events (<= 2x)", "not run", undefined);
  }

  // issue 20: the seed workload within 4x the floor measured in the same run, by CPU and by wall
  for (const size of [10 * K, 100 * K, M]) {
    const floor = find("seed", size, "baseline");
    ratioTarget(target, `seed within 4x the bare-Node floor, ${count(size)} events`, find("seed", size, "adhesive"), floor, 4, "bare Node");
  }

  const mem = heapPerToken(plan.inflightFor("seed", "adhesive", 10 * K) ?? plan.inflightFor("seed", "adhesive"));
  target("memory per in-flight token <= 600 B", mem === undefined ? "not run" : bytes(mem), mem === undefined ? undefined : mem <= 600, "seed graph, every task parked (SPEC 7: well under 1 KB)");

  for (const [workload, small, big] of [
    ["wide", K, 10 * K],
    ["deep", 10 * K, 100 * K],
    ["loop", 10 * K, 100 * K],
  ] as const) {
    const a = perToken(find(workload, small, "adhesive"));
    const b = perToken(find(workload, big, "adhesive"));
    const name = `${workload} linear: time per token ${count(big)} / ${count(small)} <= 2x${workload === "loop" ? " (extra)" : ""}`;
    if (a === undefined || b === undefined) target(name, "not run", undefined, quick ? "--quick" : "");
    else target(name, times(b / a), b / a <= 2, `${(a * 1000).toFixed(2)} us -> ${(b * 1000).toFixed(2)} us per token`);
  }
  for (const [on, off, pool] of [
    ["journal", undefined, "poolSize 1e9"],
    ["journal, default pool", "default pool", `default pool (${defaultPoolSize("async")})`],
  ] as Array<[Variant, Variant, string]>) {
    ratioTarget(target, `journal on <= 1.3x off, seed 100k, ${pool}`, find("seed", 100 * K, "adhesive", on), find("seed", 100 * K, "adhesive", off), 1.3, "journal off");
  }

  const dataLoop = find("data-loop", 20 * K, "adhesive");
  const dataMs = wall(dataLoop);
  target(
    "20k iterations over a 20k-item list in data < 1 s and 300 MB",
    dataMs === undefined ? "not run" : `${ms(dataMs)}, ${dataLoop!.result!.peakRssMB.toFixed(0)} MB`,
    dataMs === undefined ? undefined : dataMs < 1000 && dataLoop!.result!.peakRssMB < 300,
    dataMs === undefined ? "" : `inline expression: ${ms(wall(find("inline-loop", 20 * K, "adhesive")) ?? NaN)}`,
  );
  // issue 20: start-up as a ratio to the floor of any Node program, measured in the same run (absolute times vary with the machine's load)
  for (const [name, command, most] of [
    ["adhesive --version <= 2x node -e 0", "adhesive --version", 2],
    ["hello example end to end <= 4x node -e 0", "adhesive examples/hello/_adhesive.ts", 4],
  ] as const) {
    const row = startup.find((r) => r.name === command && r.times.length > 0);
    const floor = startup.find((r) => r.name === "node -e 0" && r.times.length > 0);
    const value = row && floor ? median(row.times) / median(floor.times) : undefined;
    target(name, value === undefined ? "not run" : times(value), value === undefined ? undefined : value <= most, value === undefined ? "" : `${ms(median(row!.times))} vs node -e 0 ${ms(median(floor!.times))}`);
  }

  for (const line of cliTargets(cli)) target(...line);

  return table(["target", "measured", "", "note"], lines, [false, true, false, false]);
}

/**
 * Two lines: `row`'s CPU and its wall, each at most `most` times its
 * reference's: the median of the ratios of the runs timed in turns with it
 * (plan.ts inTurns), or, for a row that ran without one, its median over
 * `base`'s row's.
 */
function ratioTarget(target: Target, name: string, row: Row | undefined, base: Row | undefined, most: number, baseName: string): void {
  const turns = inTurns(row);
  for (const [what, measure] of [
    ["CPU", cpu],
    ["wall", wall],
  ] as const) {
    const a = measure(row);
    const b = turns === undefined ? measure(base) : what === "CPU" ? turns.cpu : turns.wall;
    const r = turns === undefined ? (a !== undefined && b !== undefined ? a / b : undefined) : what === "CPU" ? turns.cpuRatio : turns.wallRatio;
    const how = turns === undefined ? "" : ` (medians); the ratio: ${turns.pairs === 1 ? "one pair" : `the median of ${turns.pairs} pairs`} of runs timed in turns`;
    target(`${name} (${what})`, r === undefined ? "not run" : times(r), r === undefined ? undefined : r <= most, r === undefined ? "" : `${ms(a!)} vs ${baseName} ${ms(b!)}${how}`);
  }
}
