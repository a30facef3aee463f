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

/* taken inputs at the head before the arrays are moved down (the move costs what still waits: at most as much as was taken) */
const COMPACT_AFTER = 1024;

/**
 * Inputs that arrived while the engine was busy (a drain in progress or
 * paused for the event loop, or tasks being launched), applied one at a
 * time once it is idle. Applying every input to an idle engine, each
 * followed by a full drain, makes the run a function of its inputs in the
 * order they were applied: the journal records that order, and a replay of
 * it reaches the same state. Parallel arrays rather than a record per input:
 * every synchronous task's completion passes through here.
 */
export class Inbox {
  private readonly kinds: InputKind[] = [];
  private readonly targets: Array<Token | Arm | GraphNode | undefined> = [];
  private readonly generations: number[] = [];
  private readonly payloads: unknown[] = [];
  /* the arrays keep their capacity: most inputs are pushed and taken at once, and shrinking them would reallocate every time */
  private head = 0;
  private tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  push(kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void {
    const i = this.tail++;
    this.kinds[i] = kind;
    this.targets[i] = target;
    this.generations[i] = generation;
    this.payloads[i] = payload;
  }

  /** Hands the oldest input to `apply` and forgets it; false when there is none. */
  shift(apply: (kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown) => void): boolean {
    if (this.head === this.tail) return false;
    const i = this.head++;
    const target = this.targets[i]!;
    const payload = this.payloads[i];
    this.targets[i] = undefined;
    this.payloads[i] = undefined;
    const kind = this.kinds[i];
    const generation = this.generations[i];
    if (this.head === this.tail) this.head = this.tail = 0;
    else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.tail) this.compact();
    apply(kind, target, generation, payload);
    return true;
  }

  /* an inbox that never empties (inputs keep coming while the engine works) is moved down now and then, so its arrays follow what waits */
  private compact(): void {
    const { head, tail } = this;
    for (const array of [this.kinds, this.targets, this.generations, this.payloads] as unknown[][]) {
      array.copyWithin(0, head, tail);
      array.length = tail - head;
    }
    this.head = 0;
    this.tail = tail - head;
  }

  /** Forgets every waiting input (the run has ended), showing each to `dropped` first. */
  drain(dropped: (kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown) => void): void {
    for (let i = this.head; i < this.tail; i++) {
      dropped(this.kinds[i], this.targets[i]!, this.generations[i], this.payloads[i]);
      this.targets[i] = undefined;
      this.payloads[i] = undefined;
    }
    this.head = this.tail = 0;
  }
}
