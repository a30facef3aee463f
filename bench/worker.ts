/**
 * One benchmark job in its own process (started by bench/run.ts with
 * --expose-gc), so the memory figures of one engine never include the other's.
 * The job comes as JSON in argv[2]; the result goes back over the IPC channel.
 *
 * "time" jobs: a warm-up run, then `reps` timed runs of the whole workload,
 * each measured in wall time and in CPU time (process.cpuUsage(): user +
 * system of every thread). A paced job times one run per "rep" the parent
 * sends instead (run.ts runInTurns).
 * "inflight" jobs: start `size` events whose tasks all wait on one shared
 * promise, and measure the heap (after full GCs) while every token is parked,
 * minus the heap before the run, divided by the parked tokens.
 * "long" jobs (adhesive, seed): one run of `size` events, no warm-up,
 * sampled every `sampleEvery` events: elapsed and CPU time, RSS, heap used
 * and the journal file's size, to show what a long run holds and leaves.
 */
import { stall, type Job, type JobResult, type LongSample, type PacedMessage, type Workload } from "./job.js";
import { adhesiveRunner } from "./runners/adhesive.js";
import { baselineRunner } from "./runners/baseline.js";
import { bpmnEngineRunner } from "./runners/bpmn-engine.js";

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
process.on("uncaughtException", (error) => fail(`${error.name}: ${error.message}${stall.report()}`));
process.on("beforeExit", () => fail(`did not finish: nothing left to run but the run never completed${stall.report()}`));

/* the job failed: the parent hears why, and no figures */
function fail(error: string): void {
  send({ ok: false, error, times: [], cpuTimes: [], tokens: 0, rssIdleMB: 0, peakRssMB: peakRss() });
}

function described(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function peakRss(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
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
  /*
   * The full GC drops the hidden classes nothing alive uses any more, and
   * with them the optimised code that checked them (V8's "weak objects"):
   * the first timed runs after it spent most of their extra time
   * recompiling (86 functions optimised again in the first timed 100k run,
   * 17 with this run; a process that runs one run after another pays it
   * only once). One more untimed run on the timed path, after the GC.
   */
  if (job.warmup > 0 && job.mode === "time") assertCount(await runner.run(job.warmup), job.warmup, "the second warm-up");

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
  const rep = async (): Promise<void> => {
    const started = performance.now();
    const cpuStarted = cpuNow();
    tokens = await runner.run(job.size);
    cpuTimes.push(cpuNow() - cpuStarted);
    times.push(performance.now() - started);
    assertCount(tokens, job.size, `timed run ${times.length}`);
  };
  const result = (): JobResult => ({ ok: true, times, cpuTimes, tokens, rssIdleMB, peakRssMB: peakRss(), loadMs: runner.loadMs, warmupMs });
  if (job.paced) {
    paced(rep, result);
    return;
  }
  for (let i = 0; i < job.reps; i++) await rep();
  send(result());
}

/* one timed run per "rep" from the parent (run.ts runInTurns), the result at "done"; a failed run fails the job as an unpaced one would */
function paced(rep: () => Promise<void>, result: () => JobResult): void {
  const tell = (message: PacedMessage): void => void process.send!(message);
  process.on("message", (message) => {
    if (message === "done") send(result());
    else if (message === "rep")
      rep().then(
        () => tell({ paced: "rep" }),
        (error: unknown) => fail(described(error)),
      );
  });
  tell({ paced: "ready" });
}

main().catch((error: unknown) => fail(described(error)));
