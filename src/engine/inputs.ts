import type { GraphNode } from "../model/graph.js";
import type { Token } from "./token.js";
import type { Arm } from "./waits.js";

/** The inputs that change a run, besides its start and its cancellation. */
export const enum InputKind {
  /** a task's function returned or its promise resolved */
  Done = 0,
  /** a task's function threw or its promise rejected */
  Failed = 1,
  /** a timer or a message for one of a token's arms */
  Triggered = 2,
  /** a message event for a message start event: a new instance */
  Emitted = 3,
  /** a message for the catch and boundary events waiting on a node */
  Delivered = 4,
}

/* the ring's first capacity; it doubles when full (a power of two, so an index wraps with a mask) */
const FIRST_CAPACITY = 1024;
/* an empty ring of at least 8 times the first capacity (mask + 1) is replaced by one of the first capacity */
const SHRINK_ABOVE = 8 * FIRST_CAPACITY - 1;

/**
 * Inputs that arrived while the engine was busy (a drain in progress or
 * paused for the event loop, or tasks being launched), applied one at a
 * time once it is idle. Applying every input to an idle engine, each
 * followed by a full drain, makes the run a function of its inputs in the
 * order they were applied: the journal records that order, and a replay of
 * it reaches the same state. Parallel arrays rather than a record per input:
 * every synchronous task's completion passes through here.
 */
export class InputQueue {
  /*
   * A ring over parallel arrays: taking from the head never moves what
   * waits, and an inbox that never empties (inputs keep coming while the
   * engine works) stays as large as what waits, not as all that ever came.
   * (Moving the arrays down now and then cost 4% of the seed workload.)
   */
  private kinds: InputKind[] = new Array<InputKind>(FIRST_CAPACITY).fill(0);
  private targets: Array<Token | Arm | GraphNode | undefined> = new Array<Token | Arm | GraphNode | undefined>(FIRST_CAPACITY).fill(undefined);
  private generations: number[] = new Array<number>(FIRST_CAPACITY).fill(0);
  private payloads: unknown[] = new Array<unknown>(FIRST_CAPACITY).fill(undefined);
  private mask = FIRST_CAPACITY - 1;
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void {
    if (this.count > this.mask) this.grow();
    const i = (this.head + this.count++) & this.mask;
    this.kinds[i] = kind;
    this.targets[i] = target;
    this.generations[i] = generation;
    this.payloads[i] = payload;
  }

  /** Hands the oldest input to `apply` and forgets it; false when there is none. */
  shift(apply: (kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown) => void): boolean {
    if (this.count === 0) return false;
    const i = this.head;
    const target = this.targets[i]!;
    const payload = this.payloads[i];
    this.targets[i] = undefined;
    this.payloads[i] = undefined;
    this.head = (i + 1) & this.mask;
    const kind = this.kinds[i];
    const generation = this.generations[i];
    if (--this.count === 0 && this.mask >= SHRINK_ABOVE) this.shrink();
    apply(kind, target, generation, payload);
    return true;
  }

  /** The token of the oldest waiting input, if it is a task's success for the token as it stands (RunLoop.nextOutcome). */
  nextDone(): Token | undefined {
    if (this.count === 0) return undefined;
    const i = this.head;
    if (this.kinds[i] !== InputKind.Done) return undefined;
    const token = this.targets[i] as Token;
    return this.generations[i] === token.generation ? token : undefined;
  }

  /* a burst of inputs (every event a fast source yielded during a pause) is over: its room goes back, not kept for the rest of the run */
  private shrink(): void {
    this.kinds = new Array<InputKind>(FIRST_CAPACITY).fill(0);
    this.targets = new Array<Token | Arm | GraphNode | undefined>(FIRST_CAPACITY).fill(undefined);
    this.generations = new Array<number>(FIRST_CAPACITY).fill(0);
    this.payloads = new Array<unknown>(FIRST_CAPACITY).fill(undefined);
    this.mask = FIRST_CAPACITY - 1;
    this.head = 0;
  }

  /* twice the room, what waits copied in order to its start */
  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const order = (array: unknown[], fill: unknown): unknown[] => {
      const next = new Array<unknown>(capacity).fill(fill);
      for (let k = 0; k < this.count; k++) next[k] = array[(this.head + k) & this.mask];
      return next;
    };
    this.kinds = order(this.kinds, 0) as InputKind[];
    this.targets = order(this.targets, undefined) as Array<Token | Arm | GraphNode | undefined>;
    this.generations = order(this.generations, 0) as number[];
    this.payloads = order(this.payloads, undefined);
    this.mask = capacity - 1;
    this.head = 0;
  }

  /** Forgets every waiting input (the run has ended), showing each to `dropped` first. */
  drain(dropped: (kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown) => void): void {
    while (this.count > 0) {
      const i = this.head;
      dropped(this.kinds[i], this.targets[i]!, this.generations[i], this.payloads[i]);
      this.targets[i] = undefined;
      this.payloads[i] = undefined;
      this.head = (i + 1) & this.mask;
      this.count--;
    }
    this.head = 0;
  }
}
