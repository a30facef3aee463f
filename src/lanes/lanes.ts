import type { Context, LaneFunction } from "../api/types.js";
import type { TokenTracker } from "../engine/engine.js";
import type { Token } from "../engine/token.js";
import { AdhesiveError, describe } from "../errors.js";
import { matchName } from "../tasks/matcher.js";
import type { Declaration } from "../tasks/registry.js";
import type { Workspace } from "../workspaces/workspace.js";
import { workerLaneFunction } from "./remote.js";

/** Nodes outside any lane are in this one; declaring lane("default") replaces the default workspace. */
export const DEFAULT_LANE = "default";

/** A lane function failed to give a workspace or to tear it down. */
export class LaneError extends AdhesiveError {
  /** always `ADHESIVE_LANE_FAILED` */
  declare readonly code: "ADHESIVE_LANE_FAILED";
  /** the lane's name */
  readonly lane: string;

  constructor(lane: string, what: string, cause: unknown) {
    super("ADHESIVE_LANE_FAILED", `lane "${lane}": ${what}: ${describe(cause)}`, { cause });
    this.lane = lane;
  }
}

/**
 * The worker holding a remote lane instance (its workspace, its tasks) was
 * lost: killed, hung or cut off past its alive time, or stopped. The tasks
 * of the instance fail as a task does whose ssh host went away.
 */
export class LaneLostError extends AdhesiveError {
  /** always `ADHESIVE_LANE_LOST` */
  declare readonly code: "ADHESIVE_LANE_LOST";
  /** the lane's name */
  readonly lane: string;

  constructor(lane: string, instance: string, reason: string) {
    super("ADHESIVE_LANE_LOST", `lane "${lane}": its instance ${instance} is lost: ${reason}; its workspace was on that worker, so its tasks cannot go on (docs/scale-out.md#workspaces-across-hosts)`);
    this.lane = lane;
  }
}

/** A lane instance whose function runs on the worker that took its first task (docs/scale-out.md). */
export interface RemoteLaneInstance {
  readonly lane: string;
  /** `<lane>#<seq of its first task>`: one instance of the lane in the run */
  readonly id: string;
}

/** Tears down remote lane instances: the worker that holds one runs its function on after the yield. */
export interface RemoteLaneCloser {
  closeLane(instance: RemoteLaneInstance): Promise<void>;
}

interface LaneState {
  name: string;
  declaration: Declaration;
  /** tokens standing on nodes of this lane */
  refs: number;
  generator: AsyncGenerator<Workspace, void, unknown> | undefined;
  workspace: Promise<Workspace> | undefined;
  /* its function runs on a worker: made at its first remote task */
  remote: RemoteLaneInstance | undefined;
}

export interface LaneSettings {
  /** what lane functions get as ctx.workspace */
  parent: Workspace;
  /** fires when the run ends, for lane functions that wait on something */
  signal: AbortSignal;
  /** settles once the tasks cancelled so far have stopped: a lane is torn down only after the tasks in it */
  stopping?: { settled(): Promise<void> };
  /** where a lane instance opened on a worker is torn down (a run with a store and pools) */
  remote?: RemoteLaneCloser;
}

/**
 * The lanes of one run. A lane is counted while any token stands on one of
 * its nodes; its function runs (up to its `yield`) when the first task in it
 * needs the workspace, and resumes to tear down when the last token leaves,
 * also when the run fails or is cancelled.
 */
export class Lanes implements TokenTracker {
  private readonly declarations: readonly Declaration[];
  private readonly settings: LaneSettings;
  private readonly byToken = new Map<Token, LaneState>();
  private readonly byName = new Map<string, LaneState>();
  private readonly matches = new Map<string, Declaration | undefined>();
  private readonly teardowns: Array<Promise<void>> = [];
  private readonly failures: LaneError[] = [];

  constructor(declarations: readonly Declaration[], settings: LaneSettings) {
    this.declarations = declarations;
    this.settings = settings;
  }

  entered(token: Token): void {
    const name = token.lane ?? DEFAULT_LANE;
    const declaration = this.match(name);
    if (declaration === undefined) return;
    let state = this.byName.get(name);
    if (state === undefined) {
      state = { name, declaration, refs: 0, generator: undefined, workspace: undefined, remote: undefined };
      this.byName.set(name, state);
    }
    state.refs++;
    this.byToken.set(token, state);
  }

  /* the new lane is counted before the old one is let go, so a lane is not torn down between two of its tasks */
  moved(token: Token): void {
    const previous = this.byToken.get(token);
    this.byToken.delete(token);
    this.entered(token);
    if (previous !== undefined) this.release(previous);
  }

  left(token: Token): void {
    const state = this.byToken.get(token);
    if (state === undefined) return;
    this.byToken.delete(token);
    this.release(state);
  }

  private release(state: LaneState): void {
    if (--state.refs > 0) return;
    this.byName.delete(state.name);
    if (state.workspace !== undefined) this.teardowns.push(this.tearDown(state));
    if (state.remote !== undefined) this.teardowns.push(this.closeRemote(state.remote));
  }

  /**
   * The instance of the token's lane when its tasks run on workers and a
   * lane function runs there (remote(pool, fn), or a pools pattern and a
   * lane function): named after the first task that needs it, so a
   * lane's instances one after another in a run are told apart.
   */
  remoteInstance(token: Token, seq: number): RemoteLaneInstance | undefined {
    const state = this.byToken.get(token);
    if (state === undefined || workerLaneFunction(state.declaration.fn) === undefined) return undefined;
    state.remote ??= { lane: state.name, id: `${state.name}#${seq}` };
    return state.remote;
  }

  /** The workspace of the token's lane (opening the lane if needed), or undefined when its lane has no function. */
  workspaceFor(token: Token, ctx: Context): Promise<Workspace> | undefined {
    const state = this.byToken.get(token);
    if (state === undefined) return undefined;
    state.workspace ??= this.open(state, ctx);
    return state.workspace;
  }

  /** Waits for every teardown started so far; returns the lanes that failed. */
  async settle(): Promise<LaneError[]> {
    while (this.teardowns.length > 0) await Promise.all(this.teardowns.splice(0));
    return this.failures;
  }

  private async open(state: LaneState, ctx: Context): Promise<Workspace> {
    const lane = laneContext(ctx, state.name, this.settings.parent, this.settings.signal);
    const groups = matchName(state.declaration.patterns, state.name) ?? [];
    const opened = await openLane(state.name, state.declaration.fn as LaneFunction, lane, groups);
    state.generator = opened.generator;
    return opened.workspace;
  }

  private async tearDown(state: LaneState): Promise<void> {
    try {
      await state.workspace;
    } catch {
      return; // it never opened: nothing to tear down (the tasks already failed with the reason)
    }
    await this.settings.stopping?.settled();
    try {
      await closeLane(state.name, state.generator!);
    } catch (error) {
      this.failures.push(error as LaneError);
    }
  }

  private async closeRemote(instance: RemoteLaneInstance): Promise<void> {
    await this.settings.stopping?.settled();
    try {
      await this.settings.remote?.closeLane(instance);
    } catch (error) {
      this.failures.push(new LaneError(instance.lane, `tearing down the workspace of ${instance.id} on its worker failed`, error));
    }
  }

  private match(name: string): Declaration | undefined {
    if (this.matches.has(name)) return this.matches.get(name);
    const matching = this.declarations.filter((d) => matchName(d.patterns, name) !== undefined);
    // the first declaration wins when several match: lanes may be declared general-to-specific
    const declaration = matching[0];
    this.matches.set(name, declaration);
    return declaration;
  }
}

/** Runs a lane function up to its yield: the workspace its tasks get, and the generator that tears it down. */
export async function openLane(name: string, fn: LaneFunction, ctx: Context, groups: readonly string[]): Promise<{ generator: AsyncGenerator<Workspace, void, unknown>; workspace: Workspace }> {
  let generator: AsyncGenerator<Workspace, void, unknown>;
  let step: IteratorResult<Workspace, void>;
  try {
    generator = fn(ctx, ...groups);
    step = await generator.next();
  } catch (error) {
    throw new LaneError(name, "creating the workspace failed", error);
  }
  if (step.done || !isWorkspace(step.value)) {
    throw new LaneError(name, "creating the workspace failed", "the lane function must yield a workspace (yield ctx.workspace, or one it created)");
  }
  return { generator, workspace: step.value };
}

/** Resumes a lane function after its yield, to tear its workspace down; a LaneError when that fails. */
export async function closeLane(name: string, generator: AsyncGenerator<Workspace, void, unknown>): Promise<void> {
  try {
    const step = await generator.next();
    if (!step.done) {
      await generator.return();
      throw new Error("the lane function yielded a second time; it must yield its workspace once");
    }
  } catch (error) {
    throw new LaneError(name, "tearing down the workspace failed", error);
  }
}

/* The lane function sees the first task's token (its data changes land there) with the parent workspace. */
export function laneContext(ctx: Context, name: string, parent: Workspace, signal: AbortSignal): Context {
  return {
    task: ctx.task,
    taskName: ctx.taskName,
    data: ctx.data,
    loop: ctx.loop,
    lane: name,
    workspace: parent,
    executionId: ctx.executionId,
    tokenId: ctx.tokenId,
    signal,
    attempt: ctx.attempt,
    resumed: ctx.resumed,
    idempotencyKey: ctx.idempotencyKey,
  };
}

function isWorkspace(value: unknown): value is Workspace {
  return typeof value === "object" && value !== null && typeof (value as Workspace).run === "function" && typeof (value as Workspace).forTask === "function";
}
