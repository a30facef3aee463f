import type { Context, LaneFunction } from "../api/types.js";
import type { TokenTracker } from "../engine/engine.js";
import type { Token } from "../engine/token.js";
import { AdhesiveError, describe } from "../errors.js";
import { matchName } from "../tasks/matcher.js";
import type { Declaration } from "../tasks/registry.js";
import type { Workspace } from "../workspaces/workspace.js";

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

interface LaneState {
  name: string;
  declaration: Declaration;
  /** tokens standing on nodes of this lane */
  refs: number;
  generator: AsyncGenerator<Workspace, void, unknown> | undefined;
  workspace: Promise<Workspace> | undefined;
}

export interface LaneSettings {
  /** what lane functions get as ctx.workspace */
  parent: Workspace;
  /** fires when the run ends, for lane functions that wait on something */
  signal: AbortSignal;
  /** settles once the tasks cancelled so far have stopped: a lane is torn down only after the tasks in it */
  stopping?: { settled(): Promise<void> };
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
      state = { name, declaration, refs: 0, generator: undefined, workspace: undefined };
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
    const lane = laneContext(ctx, state.name, this.settings);
    const groups = matchName(state.declaration.patterns, state.name) ?? [];
    let step: IteratorResult<Workspace, void>;
    try {
      state.generator = (state.declaration.fn as LaneFunction)(lane, ...groups);
      step = await state.generator.next();
    } catch (error) {
      throw new LaneError(state.name, "creating the workspace failed", error);
    }
    if (step.done || !isWorkspace(step.value)) {
      throw new LaneError(state.name, "creating the workspace failed", "the lane function must yield a workspace (yield ctx.workspace, or one it created)");
    }
    return step.value;
  }

  private async tearDown(state: LaneState): Promise<void> {
    try {
      await state.workspace;
    } catch {
      return; // it never opened: nothing to tear down (the tasks already failed with the reason)
    }
    await this.settings.stopping?.settled();
    try {
      const step = await state.generator!.next();
      if (!step.done) {
        await state.generator!.return();
        throw new Error("the lane function yielded a second time; it must yield its workspace once");
      }
    } catch (error) {
      this.failures.push(new LaneError(state.name, "tearing down the workspace failed", error));
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

/* The lane function sees the first task's token (its data changes land there) with the parent workspace. */
function laneContext(ctx: Context, name: string, settings: LaneSettings): Context {
  return {
    task: ctx.task,
    taskName: ctx.taskName,
    data: ctx.data,
    loop: ctx.loop,
    lane: name,
    workspace: settings.parent,
    executionId: ctx.executionId,
    tokenId: ctx.tokenId,
    signal: settings.signal,
    attempt: ctx.attempt,
    resumed: ctx.resumed,
    idempotencyKey: ctx.idempotencyKey,
  };
}

function isWorkspace(value: unknown): value is Workspace {
  return typeof value === "object" && value !== null && typeof (value as Workspace).run === "function" && typeof (value as Workspace).forTask === "function";
}
