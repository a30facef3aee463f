import { join } from "node:path";
import type { Context, TaskFunction } from "../api/types.js";
import { TaskData } from "../engine/task-data.js";
import type { Data } from "../engine/data.js";
import { changesText } from "../journal/records.js";
import { decodeValue, encodeValue } from "../journal/values.js";
import { withOutput } from "../logs/console-capture.js";
import type { GraphNode, ProcessGraph } from "../model/graph.js";
import { WORKSPACE_FOLDER } from "../runs/files.js";
import { workspaceParentOf } from "../runs/places.js";
import { resolveRendered, type NodeBinding } from "../tasks/binding.js";
import { groupsFor } from "../tasks/matcher.js";
import { createPrivateFolder } from "../workspaces/temp-folder.js";
import { LocalWorkspace } from "../workspaces/local.js";
import type { OutputSink, Workspace } from "../workspaces/workspace.js";
import type { Declaration } from "../tasks/registry.js";
import { matchName } from "../tasks/matcher.js";
import { laneContext, openLane } from "../lanes/lanes.js";
import { workerLaneFunction } from "../lanes/remote.js";
import type { RemoteChanges, RemoteTaskJob } from "./remote-outcome.js";
import type { WorkerLanes } from "./worker-lanes.js";

/** A process as a worker imported it: its graph and which function each element runs. */
export interface WorkerProcess {
  source: string;
  graph: ProcessGraph;
  /** by node index */
  bindings: ReadonlyArray<NodeBinding | undefined>;
  /** the file's lane() declarations: a lane instance's function runs on the worker that opens it */
  lanes: readonly Declaration[];
}

/** Where a job came from and what of it goes back while it runs. */
export interface RemoteTaskIo {
  tempFolder: string;
  signal: AbortSignal;
  output: OutputSink;
  /** the lane instances this worker holds */
  lanes?: WorkerLanes;
  /** the job came from the pool's queue (it opens its lane instance), not from this worker's own queue */
  fromPool?: boolean;
  /** tells the orchestrator something while the job runs (the job's progress) */
  report?(progress: object): Promise<void>;
}

/**
 * Runs one remote task on this host: the element's function from the
 * imported process file, with a copy-on-write view of the job's data (the
 * same as a task on the orchestrator gets), a local workspace in
 * `<temp_folder>/<run id>/workspace` of this host (or the workspace its lane
 * instance's function yielded on this worker: worker-lanes.ts), and console
 * output going to `output`. Returns what the task changed, encoded as the journal's "d"
 * record encodes it; a throw is the task's failure.
 */
export async function runRemoteTask(process: WorkerProcess, job: RemoteTaskJob, io: RemoteTaskIo): Promise<RemoteChanges> {
  const node = process.graph.byId.get(job.node);
  const binding = node === undefined ? undefined : process.bindings[node.index];
  if (node === undefined || binding === undefined) throw new Error(`${process.source}: element ${job.node} has no task function in this worker's process file (is it the orchestrator's version?)`);
  const declaration = node.template.dynamic || binding.declaration === undefined ? resolveRendered(binding, job.name, process.source) : binding.declaration;
  if (declaration.kind !== "task") throw new Error(`${process.source}: element ${job.node} (${job.name}) is implemented by a ${declaration.kind}, which runs on the orchestrator, not on a worker`);
  const pwd = join(workspaceParentOf(io.tempFolder, job.run), WORKSPACE_FOLDER);
  createPrivateFolder(pwd);
  const view = new TaskData(decodeValue(job.data) as Data, job.name, node.id);
  const local = new LocalWorkspace({ id: job.run, pwd }, { signal: io.signal, output: io.output });
  const ctx = context(job, node, view.proxy, local, io.signal);
  // the lane function sees the first task's data view: what it changes goes back with that task's changes, as on one host
  if (job.laneInstance !== undefined) ctx.workspace = (await laneWorkspace(process, { ...job, laneInstance: job.laneInstance }, ctx, local, io)).forTask({ signal: io.signal, output: io.output });
  const groups = groupsFor(declaration.patterns, job.name, node.name);
  const returned = await withOutput(io.output, declaration.fn as TaskFunction, ctx, ...groups);
  const result = view.finish();
  // the journal's own encoding of the changes (values as {j} or {x}, secrets masked), parsed back into the job's result
  const changes = (result === undefined ? {} : JSON.parse(`{${changesText(result.data, result.changed)}}`)) as RemoteChanges;
  if (node.decides) changes.g = encodeValue(returned);
  return changes;
}

/* the workspace of the job's lane instance, opened here (running its lane function on this host) when the job is its first task */
function laneWorkspace(process: WorkerProcess, job: RemoteTaskJob & { laneInstance: string }, ctx: Context, parent: LocalWorkspace, io: RemoteTaskIo): Promise<Workspace> {
  const lane = job.lane ?? "";
  const declaration = process.lanes.find((candidate) => matchName(candidate.patterns, lane) !== undefined);
  const fn = workerLaneFunction(declaration?.fn);
  if (declaration === undefined || fn === undefined || io.lanes === undefined) throw new Error(`${process.source}: lane "${lane}" has no lane function in this worker's process file, but the orchestrator's runs one for it (is it the orchestrator's version?)`);
  const groups = matchName(declaration.patterns, lane) ?? [];
  return io.lanes.workspaceFor(job, io.fromPool === true, io.report ?? (async () => undefined), (signal) => openLane(lane, fn, laneContext(ctx, lane, parent.forTask({ signal, output: io.output }), signal), groups));
}

function context(job: RemoteTaskJob, node: GraphNode, data: Data, workspace: Workspace, signal: AbortSignal): Context {
  return {
    task: { id: node.id, name: node.name, type: node.kind },
    taskName: job.name,
    data,
    loop: job.loop as Context["loop"],
    lane: job.lane,
    workspace,
    executionId: job.run,
    tokenId: job.tokenId,
    signal,
    attempt: job.attempt,
    resumed: job.attempt > 1,
    idempotencyKey: job.idempotencyKey,
  };
}
