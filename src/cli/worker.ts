/*
 * `adhesive worker [file] --store <url> --pool <name>... [--concurrency N]`:
 * a worker of one or more pools (docs/scale-out.md). It imports the process
 * file with every run only recorded, as `adhesive verify` does, so the file's
 * task() calls register the same functions as the orchestrator's and no
 * process runs here; then it takes the jobs of each pool's queue for each
 * process the file starts (the queue name carries the process version, so
 * only jobs of this very version come here) and runs their functions with
 * a workspace on this host. A lane instance whose function runs here (the
 * lane's first task came to this worker) keeps its tasks on this worker's
 * own queues (`<pool queue>.w.<worker id>`) until the orchestrator closes
 * it. The first SIGINT or SIGTERM drains the worker: it stops taking jobs
 * from the pools' queues (no new lane instance opens here), lets the
 * running ones finish, and goes on taking the jobs of its own queues until
 * the lane instances it holds are closed, for at most LANE_DRAIN_MS; then
 * it tears down those still open, which fails them. A second signal exits
 * at once, and the jobs run again elsewhere once their lock runs out.
 */
import { parseArgs } from "node:util";
import type { Worker } from "bullmq";
import { RunSession } from "../api/run-session.js";
import { VerifyRecorder, type VerifiedRun } from "../api/verify-mode.js";
import { loadConfig } from "../config/load.js";
import { describe } from "../errors.js";
import { importProcessFile } from "../loader/import-process-file.js";
import { captureConsole, outsideTasks } from "../logs/console-capture.js";
import { definitionHash, implementationHashes } from "../runtime/run-record.js";
import { RedactingSink } from "../secrets/stream-redactor.js";
import { connectStore, type Store } from "../store/connection.js";
import { keepAlive, newWorkerId } from "../store/lane-holders.js";
import { isPoolName, processVersion, queueName, stickyQueueName } from "../store/queue-name.js";
import { runRemoteTask, type RemoteTaskIo, type WorkerProcess } from "../store/remote-task-runner.js";
import { WorkerLanes } from "../store/worker-lanes.js";
import { CancelListener } from "../store/job-cancel.js";
import { CappedOutput } from "../store/output-cap.js";
import { startTaskWorker } from "../store/task-worker.js";
import { shown } from "../terminal-text.js";
import { EXIT_USAGE } from "./exit-codes.js";
import { reportFailure } from "./failure.js";
import type { CliIo } from "./main.js";
import { shortPath } from "./paths.js";
import { findProcessFile } from "./process-file.js";
import { SIGNAL_EXIT_CODES, type StopSignal } from "./signals.js";
import { killAllCommandsNow } from "../processes/groups.js";
import { exitProcess } from "../runtime/process-exit.js";
import { untilQuiet } from "./verify.js";

/*
 * How long a stopping worker keeps serving the lane instances it holds: a
 * lane's remaining tasks (a build, its tests) may take minutes; a process
 * manager that will not wait that long kills the worker anyway, which
 * fails them the same way.
 */
const LANE_DRAIN_MS = 5 * 60_000;

const USAGE = "Usage: adhesive worker [file|folder] --store <redis://host:port/db> --pool <name> [--pool <name>...] [--concurrency N]\n";

export async function workerCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { store: { type: "string" }, pool: { type: "string", multiple: true }, concurrency: { type: "string" }, "no-color": { type: "boolean" } },
    });
  } catch (error) {
    io.err.write(`adhesive worker: ${describe(error)}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const color = io.color && !parsed.values["no-color"];
  const failed = (error: unknown) => reportFailure(error, { ...io, color });
  const usage = (problem: string) => (io.err.write(`adhesive worker: ${problem}\n${USAGE}`), EXIT_USAGE);
  let config;
  try {
    config = await loadConfig({ cwd: io.cwd });
  } catch (error) {
    return failed(error);
  }
  if (parsed.positionals.length > 1) return usage(`one process file at a time, got ${parsed.positionals.length}`);
  const url = parsed.values.store ?? config.store;
  if (url === undefined) return usage("which store? give --store <url> (or set the store key)");
  const pools = parsed.values.pool ?? [];
  if (pools.length === 0) return usage("which pools? give --pool <name> for each");
  const badPool = pools.find((pool) => !isPoolName(pool));
  if (badPool !== undefined) return usage(`pool "${badPool}": a pool name may only hold letters, digits, - and _`);
  const concurrency = parsed.values.concurrency === undefined ? config.workerConcurrency : Number(parsed.values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) return usage(`--concurrency must be a positive whole number, got "${parsed.values.concurrency}"`);

  let processes: LoadedProcess[];
  try {
    processes = await importProcesses(await findProcessFile(parsed.positionals[0], io.cwd));
  } catch (error) {
    return failed(error);
  }
  let store: Store;
  try {
    store = await connectStore(url, { name: "adhesive-worker" });
  } catch (error) {
    return failed(error);
  }
  const stop = stopSignals(io);
  const workers: Worker[] = [];
  const poolWorkers: Worker[] = [];
  const workerId = newWorkerId();
  const lanes = new WorkerLanes(store, workerId, config.keepResultsS);
  let alive: { stop(): Promise<void> } | undefined;
  let cancels: CancelListener | undefined;
  try {
    captureConsole();
    cancels = await CancelListener.start(store.redis, workers);
    // lane instances are held while this key lives: its time is a job lock's, so a worker is lost for its lanes when its jobs are
    alive = await keepAlive(store, workerId, config.lockDurationMs);
    const settings = { store, concurrency, lockDurationMs: config.lockDurationMs, stalledIntervalMs: config.stalledIntervalMs, name: `adhesive-worker ${workerId}`, closeLane: lanes.close.bind(lanes), cancelled: notedCancel(cancels, io) };
    for (const process of processes) {
      const version = processVersion({ definition: process.hash, implementations: implementationHashes(process.bindings.filter((binding) => binding !== undefined)) });
      for (const pool of pools) {
        const queue = queueName(pool, version);
        const own = stickyQueueName(pool, version, workerId);
        const shared = { tempFolder: config.tempFolder, lanes };
        const pooled = await startTaskWorker({ ...settings, queue, run: (job, signal, report) => runJob(process, job, { ...shared, signal: signal ?? new AbortController().signal, fromPool: true, report }, io) });
        workers.push(pooled);
        poolWorkers.push(pooled);
        workers.push(await startTaskWorker({ ...settings, queue: own, run: (job, signal, report) => runJob(process, job, { ...shared, signal: signal ?? new AbortController().signal, fromPool: false, report }, io) }));
        io.out.write(`worker: pool ${pool}, ${shortPath(process.source, io.cwd)}: queue ${queue} (its lane instances: ${own})\n`);
      }
    }
    io.out.write(`worker: ${workerId} taking jobs, ${concurrency} at a time per queue (Ctrl-C to stop)\n`);
    const signal = await stop.first;
    await Promise.all(poolWorkers.map((worker) => worker.close()));
    if (lanes.held > 0) {
      io.err.write(`worker: serving the ${lanes.held} lane instance${lanes.held === 1 ? "" : "s"} it holds until closed (at most ${LANE_DRAIN_MS / 1000} s)\n`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([lanes.whenEmpty(), new Promise((resolve) => (timer = setTimeout(resolve, LANE_DRAIN_MS)))]);
      clearTimeout(timer);
    }
    await Promise.all(workers.map((worker) => worker.close()));
    return SIGNAL_EXIT_CODES[signal];
  } catch (error) {
    return failed(error);
  } finally {
    await Promise.all(workers.map((worker) => worker.close(true)));
    // their finally blocks run here (a container removed); the orchestrators then see this worker gone and fail those lane instances
    await lanes.closeAll();
    cancels?.stop();
    await alive?.stop();
    await store.close();
    stop.dispose();
  }
}

/*
 * The first SIGINT, SIGTERM or SIGHUP stops taking jobs and lets the running
 * ones finish (a cancelled task would be a failure, which is final); a second
 * one exits at once, killing the tasks' commands: their jobs stall, and run
 * again on another worker.
 */
function stopSignals(io: CliIo): { first: Promise<StopSignal>; dispose(): void } {
  let resolve: (signal: StopSignal) => void = () => undefined;
  const first = new Promise<StopSignal>((done) => (resolve = done));
  let stopping = false;
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]).map((name) => {
    const listener = (): void => {
      if (stopping) {
        killAllCommandsNow();
        exitProcess(SIGNAL_EXIT_CODES[name]);
      }
      stopping = true;
      io.err.write(`\nworker: ${name}: taking no more jobs, letting the running ones finish (${name === "SIGINT" ? "press Ctrl-C" : `send ${name}`} again to exit at once)\n`);
      resolve(name);
    };
    process.on(name, listener);
    return [name, listener] as const;
  });
  return { first, dispose: () => listeners.forEach(([name, listener]) => process.off(name, listener)) };
}

interface LoadedProcess extends WorkerProcess {
  /** the definition's hash, as the orchestrator's journal header has it */
  hash: string;
}

/* the processes the file starts, recorded and never run (the verify recorder) */
async function importProcesses(file: string): Promise<LoadedProcess[]> {
  const recorder = new VerifyRecorder();
  new RunSession({ options: {}, purpose: { kind: "verify", recorder } }).enter();
  let failure: { error: unknown } | undefined;
  const imported = importProcessFile(file).catch((error: unknown) => {
    failure = { error };
  });
  await untilQuiet(imported, recorder);
  if (failure !== undefined) throw failure.error;
  const unreadable = recorder.runs.find((run) => run.error !== undefined);
  if (unreadable !== undefined) throw unreadable.error;
  if (recorder.runs.length === 0) throw new Error(`${file} started no process: it must call bpmnBuild(), build() or processStart()...build()`);
  return recorder.runs.map(loaded);
}

function loaded(run: VerifiedRun): LoadedProcess {
  const graph = run.graph!;
  const bindings = new Array<VerifiedRun["bindings"][number] | undefined>(graph.nodes.length);
  for (const binding of run.bindings) bindings[binding.node.index] = binding;
  return { source: run.source, graph, bindings, lanes: run.registry.ofKind(["lane"]), hash: definitionHash(run.definition!) };
}

/* a job whose cancel request came before it started here: said, and never run */
function notedCancel(cancels: CancelListener, io: CliIo): (id: string | undefined) => string | undefined {
  return (id) => {
    const reason = cancels.cancelled(id);
    if (reason !== undefined) io.out.write(`cancelled job ${id} before it started: ${shown(reason)}\n`);
    return reason;
  };
}

async function runJob(process: WorkerProcess, job: Parameters<typeof runRemoteTask>[1], taskIo: Omit<RemoteTaskIo, "output">, io: CliIo) {
  const label = `run ${job.run} #${job.seq} ${shown(job.name)}${job.attempt > 1 ? ` (attempt ${job.attempt})` : ""}${job.laneInstance === undefined ? "" : ` [${shown(job.laneInstance)}]`}`;
  // task output, secrets masked, each line under the task's label; written outside the task, whose own writes the sink receives
  // and kept, up to a cap, for the job's result: the orchestrator's task log shows it
  const kept = new CappedOutput();
  const output = new RedactingSink((text) => {
    kept.add(text);
    outsideTasks(() => io.out.write(text.replace(/^(?=.)/gm, `  ${label} | `)));
  });
  io.out.write(`run   ${label}\n`);
  try {
    const changes = await runRemoteTask(process, job, { ...taskIo, output });
    output.end();
    io.out.write(`done  ${label}\n`);
    const printed = kept.text();
    return printed === undefined ? changes : { ...changes, o: printed };
  } catch (error) {
    output.end();
    // stopped through its ctx.signal: the orchestrator no longer waits for it (job-cancel.ts)
    const verb = taskIo.signal.aborted ? "cancelled" : "fail ";
    io.out.write(`${verb} ${label}: ${shown(describe(taskIo.signal.aborted ? taskIo.signal.reason : error))}\n`);
    throw error;
  }
}
