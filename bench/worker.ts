/**
 * One benchmark job in its own process (started by bench/run.ts with
 * --expose-gc), so the memory figures of one engine never include the other's.
 * The job comes as JSON in argv[2]; the result goes back over the IPC channel.
 *
 * "time" jobs: a warm-up run, then `reps` timed runs of the whole workload,
 * each measured in wall time and in CPU time (process.cpuUsage(): user +
 * system of every thread, so the journal's writes on libuv's pool count).
 * "inflight" jobs: start `size` events whose tasks all wait on one shared
 * promise, and measure the heap (after full GCs) while every token is parked,
 * minus the heap before the run, divided by the parked tokens.
 * "long" jobs (adhesive, seed): one run of `size` events, no warm-up,
 * sampled every `sampleEvery` events: elapsed and CPU time, RSS, heap used
 * and the journal file's size, to show what a long run holds and leaves.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Adhesive, loadBpmn } from "../src/index.js";
import { dataLoopXml, deepXml, loopXml, scratchFolder, wideXml } from "./generate.js";

export type EngineName = "baseline" | "adhesive" | "bpmn-engine";
export type Workload = "seed" | "wide" | "deep" | "loop" | "data-loop" | "inline-loop" | "beside";

export interface Job {
  engine: EngineName;
  /** adhesive: keep each run's journal (in a scratch folder); otherwise journal: false, as before journals existed */
  journal?: boolean;
  /** adhesive: tasks running at once; undefined is adhesive's default (the CPU count) */
  poolSize?: number;
  workload: Workload;
  /** events (seed) or instances (bpmn-engine seed), branches (wide), tasks (deep), iterations (loop) */
  size: number;
  mode: "time" | "inflight" | "long";
  /** "long": events between two samples */
  sampleEvery?: number;
  /** bpmn-engine seed: one instance after the other, or all started at once */
  concurrency?: "sequential" | "concurrent";
  reps: number;
  /** size of the untimed warm-up run (0: none) */
  warmup: number;
}

export interface HeapFigures {
  /** heap used after GC before the run, bytes */
  before: number;
  /** heap used after GC with every token parked */
  held: number;
  /** heap used after GC once the run has returned */
  after: number;
  tokens: number;
  events: number;
}

/** one point of a long run */
export interface LongSample {
  events: number;
  elapsedMs: number;
  cpuMs: number;
  rssMB: number;
  heapUsedMB: number;
  /** the journal file's size at that moment (it shrinks when a snapshot replaces it) */
  journalBytes: number;
  /** the largest size the journal file was seen at so far (looked at 50 times between samples) */
  journalPeakBytes: number;
  /** the times the file was seen smaller than before: snapshots that replaced it, at least */
  journalShrinks: number;
}

export interface JobResult {
  ok: boolean;
  error?: string;
  /** wall time of each timed run, ms */
  times: number[];
  /** CPU time (user + system, all threads) of each timed run, ms */
  cpuTimes: number[];
  warmupMs?: number;
  /** task executions per run (counted, or checked once for bpmn-engine) */
  tokens: number;
  /** reading the BPMN once (parse, map, validate / serialize), ms */
  loadMs?: number;
  /** RSS once modules and the definition are loaded, MB */
  rssIdleMB: number;
  /** high-water RSS of the process, MB */
  peakRssMB: number;
  heap?: HeapFigures;
  samples?: LongSample[];
}

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, "fixtures");
const gc = (globalThis as { gc?: () => void }).gc;

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
let sent = false;

function send(result: JobResult): void {
  if (sent) return;
  sent = true;
  if (process.send) process.send(result, () => process.exit(0));
  else {
    console.log(JSON.stringify(result));
    process.exit(0);
  }
}

function mb(bytes: number): number {
  return bytes / 1048576;
}

function fullGc(): void {
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 4; i++) gc();
}

/** The run must finish; if the event loop empties first, an engine has silently stalled. */
let stallReport: () => string = () => "";
process.on("uncaughtException", (error) => {
  send({ ok: false, error: `${error.name}: ${error.message}${stallReport()}`, times: [], cpuTimes: [], tokens: 0, rssIdleMB: 0, peakRssMB: peakRss() });
});
process.on("beforeExit", () => {
  send({ ok: false, error: `did not finish: nothing left to run but the run never completed${stallReport()}`, times: [], cpuTimes: [], tokens: 0, rssIdleMB: 0, peakRssMB: peakRss() });
});

function peakRss(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

interface Runner {
  loadMs?: number;
  /** runs the workload at `size` once; returns the task executions it counted (or expects) */
  run(size: number, warmup?: boolean): Promise<number>;
  /** parks `size` events in their tasks, calls `measure`, releases them, waits for the end */
  inflight?(size: number, measure: (tokens: number) => void): Promise<void>;
  /** one run of `size` events, calling `probe` every `every` events and at the end with the journal file's size; returns the task executions */
  long?(size: number, every: number, probe: (events: number, journalBytes: number) => void): Promise<number>;
}

// ---- bare Node: the floor ------------------------------------------------

function baselineRunner(): Runner {
  const noop = async (): Promise<void> => {};
  return {
    async run(size) {
      for (let i = 0; i < size; i++) await Promise.all([noop(), noop(), noop(), noop(), noop()]);
      return size * 5;
    },
    async inflight(size, measure) {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const parked = async (): Promise<void> => {
        await gate;
      };
      const events: Array<Promise<unknown>> = [];
      for (let i = 0; i < size; i++) events.push(Promise.all([parked(), parked(), parked(), parked(), parked()]));
      measure(size * 5);
      open();
      await Promise.all(events);
    },
  };
}

// ---- adhesive ------------------------------------------------------------

async function adhesiveRunner(workload: Workload, size: number, journal: boolean, poolSize: number | undefined): Promise<Runner> {
  const adhesive = new Adhesive();
  let events = 0;
  let executed = 0;
  let gate: Promise<void> | undefined;
  let parked = 0;
  /** set by a long run only: one check of a variable per event costs the timed runs nothing measurable */
  let probe: ((events: number) => void) | undefined;
  let probeEvery = 0;
  adhesive.message("Event", async function* () {
    for (let i = 0; i < events; i++) {
      if (probe !== undefined && i > 0 && i % probeEvery === 0) probe(i);
      yield i;
    }
  });
  adhesive.task({ re: /.*/ }, () => {
    executed++;
    if (gate !== undefined) {
      parked++;
      return gate;
    }
    return undefined;
  });
  const scratch = workload === "seed" ? undefined : scratchFolder();
  const xmlFor = (n: number): string => {
    if (workload === "wide") return wideXml(n);
    if (workload === "deep") return deepXml(n);
    if (workload === "data-loop") return dataLoopXml("platforms");
    if (workload === "inline-loop") return dataLoopXml(`Array.from({ length: ${n} }, (_, i) => "p" + i)`);
    if (workload === "beside") return dataLoopXml(`Array.from({ length: 1000 }, (_, i) => "p" + i)`);
    return loopXml(n);
  };
  /* data-loop keeps the n items in data; beside holds an unrelated 100k-number array next to 1000 iterations */
  const initialData = (n: number): Record<string, unknown> | undefined => {
    if (workload === "data-loop") return { platforms: Array.from({ length: n }, (_, i) => `p${i}`) };
    if (workload === "beside") return { big: Array.from({ length: 100_000 }, (_, i) => i) };
    return undefined;
  };
  // every run's folders (its logs, and its journal when kept) go to a scratch folder removed at exit, not the project's .adhesive/runs
  const runs = scratchFolder().dir;
  const pool = poolSize === undefined ? {} : { poolSize };
  const optionsFor = (n: number) => ({ ...pool, maxEventsInFlight: 1000, initialData: initialData(n), journal, runsFolder: runs, tempFolder: runs });
  const fileFor = (n: number): string => (workload === "seed" ? join(FIXTURES, "seed-message.bpmn") : scratch!.write(`${workload}-${n}.bpmn`, xmlFor(n)));

  const file = fileFor(size);
  const started = performance.now();
  const definition = await loadBpmn(file);
  const loadMs = performance.now() - started;
  return {
    loadMs,
    async run(n, warmup) {
      executed = 0;
      events = n;
      // the warm-up goes through bpmnBuild, the public one-call path (parse included);
      // timed runs reuse the definition loaded once, as bpmn-engine reuses its parsed context
      if (warmup) await adhesive.bpmnBuild(fileFor(n), optionsFor(n));
      else await adhesive.run(definition, optionsFor(n));
      return executed;
    },
    async inflight(n, measure) {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      parked = 0;
      events = n;
      const expected = workload === "seed" ? n * 5 : n;
      stallReport = () => `; ${parked}/${expected} tasks parked`;
      const done = adhesive.run(definition, { poolSize: 1e9, maxEventsInFlight: n + 1, journal, runsFolder: runs, tempFolder: runs });
      while (parked < expected) await new Promise((resolve) => setImmediate(resolve));
      measure(expected);
      gate = undefined;
      open();
      await done;
    },
    async long(n, every, onProbe) {
      executed = 0;
      events = n;
      const runId = randomUUID();
      const journalFile = join(runs, runId, "journal.ndjson");
      const journalBytes = (): number => (journal ? statSync(journalFile).size : 0);
      probeEvery = every;
      probe = (at) => onProbe(at, journalBytes());
      try {
        await adhesive.run(definition, { ...optionsFor(n), runId });
      } finally {
        probe = undefined;
      }
      onProbe(n, journalBytes());
      return executed;
    },
  };
}

// ---- bpmn-engine ---------------------------------------------------------

interface EngineInstance {
  state: string;
  execute(options: Record<string, unknown>, callback: (error: Error | null) => void): unknown;
  execution?: { definitions?: Array<{ getProcesses(): Array<{ getActivities(): Array<{ type: string; counters: { taken: number } }> }> }> };
}

interface BpmnEngineModule {
  Engine: new (options: Record<string, unknown>) => EngineInstance;
}

async function bpmnEngineRunner(workload: Workload, size: number, concurrency: "sequential" | "concurrent"): Promise<Runner> {
  const { Engine } = (await import("bpmn-engine")) as unknown as BpmnEngineModule;
  const Elements = await import("bpmn-elements");
  const { default: serializer, TypeResolver } = await import("moddle-context-serializer");
  const { EventEmitter } = await import("node:events");
  // bpmn-engine's own bpmn-moddle (the project's is a different major version)
  const engineRequire = createRequire(fileURLToPath(import.meta.resolve("bpmn-engine")));
  const BpmnModdle = engineRequire("bpmn-moddle") as new () => { fromXML(xml: string): Promise<unknown> };
  const typeResolver = TypeResolver(Elements as never);

  // the definition is parsed and serialized once; every instance is built from the serialized context
  const parse = async (xml: string): Promise<unknown> => serializer((await new BpmnModdle().fromXML(xml)) as never, typeResolver);
  const xmlFor = (n: number, task: "task" | "serviceTask" = "task"): string =>
    workload === "seed" ? (task === "task" ? readFileSync(join(FIXTURES, "seed.bpmn"), "utf8") : wideXml(5, { task })) : workload === "wide" ? wideXml(n) : workload === "deep" ? deepXml(n) : loopXml(n);
  const tasksPerInstance = (n: number): number => (workload === "seed" ? 5 : n);

  const started = performance.now();
  const sourceContext = await parse(xmlFor(size));
  const loadMs = performance.now() - started;

  let current: EngineInstance | undefined;
  const instance = (context: unknown, options: Record<string, unknown> = {}, executeOptions: Record<string, unknown> = {}): Promise<EngineInstance> =>
    new Promise((resolve, reject) => {
      const engine = new Engine({ sourceContext: context, ...options });
      current = engine;
      engine.execute(executeOptions, (error) => (error ? reject(error) : resolve(engine)));
    });

  /*
   * Task executions are counted with a listener on one untimed instance (at
   * most 50 tasks deep: listener frames on bpmn-engine's synchronous broker
   * stack make deep graphs overflow sooner), so tokens/s is not taken on
   * trust; wide and deep runs are also checked through the activity counters.
   */
  let checked = false;
  const check = async (n: number): Promise<void> => {
    if (checked) return;
    checked = true;
    const small = workload === "seed" ? n : Math.min(n, 50);
    const context = small === size ? sourceContext : await parse(xmlFor(small));
    const expected = tasksPerInstance(small);
    let ended = 0;
    const listener = new EventEmitter();
    listener.on("activity.end", (api: { type?: string }) => {
      if (api.type === "bpmn:Task") ended++;
    });
    stallReport = () => `; ${ended}/${expected} tasks ended, engine still running`;
    await instance(context, {}, { listener });
    if (ended !== expected) throw new Error(`bpmn-engine ran ${ended} tasks, expected ${expected}`);
    stallReport = () => "";
  };

  const countTasks = (engine: EngineInstance): number | undefined => {
    const definition = engine.execution?.definitions?.[0];
    const activities = definition?.getProcesses()[0]?.getActivities() ?? [];
    let taken = 0;
    for (const activity of activities) if (activity.type === "bpmn:Task") taken += activity.counters.taken;
    return definition ? taken : undefined;
  };

  return {
    loadMs,
    async run(n) {
      const context = n === size ? sourceContext : await parse(xmlFor(n));
      await check(n);
      if (workload !== "seed") {
        stallReport = () => (current ? `; ${countTasks(current) ?? "?"}/${n} tasks taken (activity counters), engine state "${current.state}"` : "");
        const engine = await instance(context);
        const taken = workload === "loop" ? n : countTasks(engine);
        if (taken !== n) throw new Error(`bpmn-engine ran ${taken} tasks, expected ${n}`);
        return n;
      }
      if (concurrency === "sequential") {
        for (let i = 0; i < n; i++) await instance(context);
      } else {
        await Promise.all(Array.from({ length: n }, () => instance(context)));
      }
      return n * 5;
    },
    async inflight(n, measure) {
      const context = await parse(xmlFor(n, "serviceTask"));
      const waiting: Array<() => void> = [];
      const services = {
        park(_scope: unknown, next: (error: Error | null) => void): void {
          waiting.push(() => next(null));
        },
      };
      const expected = n * 5;
      stallReport = () => `; ${waiting.length}/${expected} tasks parked`;
      const done = Promise.all(Array.from({ length: n }, () => instance(context, { services })));
      while (waiting.length < expected) await new Promise((resolve) => setImmediate(resolve));
      measure(expected);
      for (const next of waiting.splice(0)) next();
      await done;
    },
  };
}

// ---- main ----------------------------------------------------------------

/** The task executions one run of the workload at `size` must make: a run that skipped work fails the job instead of looking fast. */
function expectedTasks(workload: Workload, size: number): number {
  if (workload === "seed") return size * 5;
  if (workload === "beside") return 1000;
  return size;
}

function assertCount(ran: number, size: number, what: string): void {
  const expected = expectedTasks(job.workload, size);
  if (ran !== expected) throw new Error(`${what} ran ${ran} tasks, expected ${expected} (${job.workload} at ${size}): work was skipped`);
}

async function main(): Promise<void> {
  const runner =
    job.engine === "baseline"
      ? baselineRunner()
      : job.engine === "adhesive"
        ? await adhesiveRunner(job.workload, job.size, job.journal === true, job.poolSize)
        : await bpmnEngineRunner(job.workload, job.size, job.concurrency ?? "sequential");

  let warmupMs: number | undefined;
  if (job.warmup > 0) {
    const started = performance.now();
    assertCount(await runner.run(job.warmup, true), job.warmup, "the warm-up");
    warmupMs = performance.now() - started;
  }
  fullGc();
  const rssIdleMB = mb(process.memoryUsage().rss);

  if (job.mode === "inflight") {
    const before = process.memoryUsage().heapUsed;
    let held = 0;
    let tokens = 0;
    await runner.inflight!(job.size, (parkedTokens) => {
      fullGc();
      held = process.memoryUsage().heapUsed;
      tokens = parkedTokens;
    });
    fullGc();
    const after = process.memoryUsage().heapUsed;
    send({ ok: true, times: [], cpuTimes: [], tokens, rssIdleMB, peakRssMB: peakRss(), loadMs: runner.loadMs, warmupMs, heap: { before, held, after, tokens, events: job.size } });
    return;
  }

  if (job.mode === "long") {
    if (!runner.long) throw new Error(`no long run for ${job.engine}`);
    const samples: LongSample[] = [];
    const every = job.sampleEvery ?? job.size;
    // the journal's size is looked at 50 times between samples (a stat each), to see its peaks and its snapshots
    const probeEvery = Math.max(1, Math.floor(every / 50));
    let journalPeakBytes = 0;
    let journalShrinks = 0;
    let lastBytes = 0;
    const started = performance.now();
    const cpuStarted = cpuNow();
    const tokens = await runner.long(job.size, probeEvery, (events, journalBytes) => {
      if (journalBytes < lastBytes) journalShrinks++;
      lastBytes = journalBytes;
      journalPeakBytes = Math.max(journalPeakBytes, journalBytes);
      if (events % every !== 0 && events !== job.size) return;
      const { rss, heapUsed } = process.memoryUsage();
      samples.push({ events, elapsedMs: performance.now() - started, cpuMs: cpuNow() - cpuStarted, rssMB: mb(rss), heapUsedMB: mb(heapUsed), journalBytes, journalPeakBytes, journalShrinks });
    });
    const wall = performance.now() - started;
    const cpu = cpuNow() - cpuStarted;
    assertCount(tokens, job.size, "the long run");
    send({ ok: true, times: [wall], cpuTimes: [cpu], tokens, rssIdleMB, peakRssMB: peakRss(), loadMs: runner.loadMs, warmupMs, samples });
    return;
  }

  const times: number[] = [];
  const cpuTimes: number[] = [];
  let tokens = 0;
  for (let rep = 0; rep < job.reps; rep++) {
    const started = performance.now();
    const cpuStarted = cpuNow();
    tokens = await runner.run(job.size);
    cpuTimes.push(cpuNow() - cpuStarted);
    times.push(performance.now() - started);
    assertCount(tokens, job.size, `timed run ${rep + 1}`);
  }
  send({ ok: true, times, cpuTimes, tokens, rssIdleMB, peakRssMB: peakRss(), loadMs: runner.loadMs, warmupMs });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  send({ ok: false, error: message, times: [], cpuTimes: [], tokens: 0, rssIdleMB: 0, peakRssMB: peakRss() });
});
