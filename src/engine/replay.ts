import { AdhesiveError } from "../errors.js";
import { compileExpression } from "../model/expression.js";
import type { Core } from "./core.js";
import { newRef, release, setKey, shallowCopy, type Data } from "./data.js";
import { InputKind } from "./inputs.js";
import type { ReplayInput } from "./journal.js";
import type { Token } from "./token.js";

/** The journal and the process no longer agree: the run cannot be rebuilt from it. */
export class ReplayDivergedError extends AdhesiveError {
  /** always `ADHESIVE_RESUME_DIVERGED` */
  declare readonly code: "ADHESIVE_RESUME_DIVERGED";
  constructor(reason: string) {
    super("ADHESIVE_RESUME_DIVERGED", `the run cannot be rebuilt from its journal: ${reason}; the process (BPMN) changed in a way that affects what already ran`);
  }
}

/** Tasks a replay has seen start, by their number, so journaled outcomes find their token. */
export interface ReplayedTasks {
  started(token: Token): void;
  ended(token: Token): void;
}

/* a long journal is replayed in slices, so signals are still answered */
const INPUTS_PER_TURN = 10_000;

/**
 * Rebuilds a run from its journal without calling a single task function:
 * the engine is started as it was, then every journaled input is applied in
 * the order it was applied then, at the time it was applied (`setTime`
 * moves the replay clock). Because the engine's state is a function of its
 * inputs, it ends where the run stopped: the tasks still running then were
 * in flight, and run again (a retry, attempt n + 1).
 */
export class Replay implements ReplayedTasks {
  private readonly engine: Core;
  private readonly inputs: readonly ReplayInput[];
  private readonly setTime: (at: number) => void;
  private readonly running = new Map<number, Token>();
  /** how often each task was started (calls of its function) */
  private readonly starts = new Map<number, number>();

  constructor(engine: Core, inputs: readonly ReplayInput[], setTime: (at: number) => void) {
    this.engine = engine;
    this.inputs = inputs;
    this.setTime = setTime;
  }

  started(token: Token): void {
    this.running.set(token.seq, token);
  }

  ended(token: Token): void {
    this.running.delete(token.seq);
  }

  /** Applies every input; throws a ReplayDivergedError where the journal and the process disagree. */
  async apply(): Promise<void> {
    for (let i = 0; i < this.inputs.length && !this.engine.finished; i++) {
      if (i > 0 && i % INPUTS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      const input = this.inputs[i];
      this.setTime(input.at);
      this.applyOne(input);
    }
  }

  /** The tasks in flight when the run stopped, and the attempt their next call is. */
  inFlight(): { tokens: Token[]; attempts: Map<number, number> } {
    const attempts = new Map<number, number>();
    for (const seq of this.running.keys()) attempts.set(seq, (this.starts.get(seq) ?? 0) + 1);
    return { tokens: [...this.running.values()], attempts };
  }

  private applyOne(input: ReplayInput): void {
    const engine = this.engine;
    switch (input.kind) {
      case "started":
        this.task(input.seq, input.node);
        this.starts.set(input.seq, (this.starts.get(input.seq) ?? 0) + 1);
        return;
      case "done":
        this.done(this.task(input.seq), input.set, input.deleted, input.decision);
        return;
      case "failed": {
        const token = this.task(input.seq);
        engine.input(InputKind.Failed, token, token.generation, input.error);
        return;
      }
      case "timer": {
        const arm = engine.triggers.waits.timer(input.arm);
        if (arm === undefined) throw new ReplayDivergedError(`the journal has timer #${input.arm} firing, but the rebuilt run has no such timer armed`);
        engine.input(InputKind.Triggered, arm, 0, undefined);
        return;
      }
      case "emitted":
        engine.outside.emit(this.node(input.node), input.event);
        return;
      case "delivered":
        engine.outside.deliver(this.node(input.node), input.event, input.correlation === undefined ? undefined : compileExpression(input.correlation, input.node));
        return;
    }
  }

  /* the task's recorded changes become its data, as they did then (and a gateway's decision its decision) */
  private done(token: Token, set: Data, deleted: readonly string[], decision: unknown): void {
    if (deleted.length > 0 || Object.keys(set).length > 0) {
      const data = shallowCopy(token.ref.data);
      const fresh = new Set<object>();
      for (const key of deleted) delete data[key];
      for (const key of Object.keys(set)) {
        const value = set[key];
        setKey(data, key, value);
        if (typeof value === "object" && value !== null) fresh.add(value);
      }
      release(token.ref);
      token.ref = newRef(data, fresh);
    }
    this.engine.input(InputKind.Done, token, token.generation, decision);
  }

  private task(seq: number, nodeId?: string): Token {
    const token = this.running.get(seq);
    if (token === undefined) throw new ReplayDivergedError(`the journal has task #${seq}${nodeId ? ` (${nodeId})` : ""}, which the rebuilt run never started`);
    if (nodeId !== undefined && token.node.id !== nodeId) {
      throw new ReplayDivergedError(`task #${seq} ran ${nodeId} when the run was recorded, but ${token.node.id} now`);
    }
    return token;
  }

  private node(id: string) {
    const node = this.engine.graph.byId.get(id);
    if (node === undefined) throw new ReplayDivergedError(`the journal has a message for element ${id}, which the process no longer has`);
    return node;
  }
}
