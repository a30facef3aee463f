import type { GraphNode } from "../model/graph.js";
import type { Clock } from "./clock.js";
import { InputKind, InputQueue } from "./inputs.js";
import type { EngineJournal } from "./journal.js";
import type { Slice } from "./slice.js";
import { TokenState, type Token } from "./token.js";
import type { Arm } from "./waits.js";

/* RunLoop.time between batches of inputs (now() reads the clock), and in a batch whose time nobody asked for yet */
const LIVE = -1;
const UNREAD = -2;

const ignore = (): void => {};

/** What the loop drives: the token machine's steps. */
export interface LoopMachine {
  readonly finished: boolean;
  readonly replaying: boolean;
  /** the run's journal (undefined: none, or replaying) */
  readonly journal: EngineJournal | undefined;
  arrive(token: Token): void;
  complete(token: Token): void;
  apply(kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void;
  /** whether instances of fan-out blocks may end in one go (express.ts) */
  readonly hasBlocks: boolean;
  /** the next outcome to apply (returned, else in the inbox) is a fan-out block's task's that takes its token to the join without the queue: applied (express.ts); false, with nothing done, when it is not */
  applyBlockOutcome(): boolean;
  /** what apply() does with a task's outcome; called directly for the outcomes of synchronous tasks */
  readonly tasks: { ended(token: Token, generation: number, outcome: unknown, failed: boolean): void };
  /** the token queue is empty: frees what waits for that (catches armed in the step whose signal or condition already happened, pool slots cancelled tasks gave up, the next join that is due); false when no token moved */
  releaseWaiting(): boolean;
  /** whether started tasks wait for their functions to be called; launch() calls them */
  readonly hasLaunches: boolean;
  /** whether tasks wait for a slot of the pool: no later turn would start more of them at once */
  readonly poolFull: boolean;
  launch(): void;
  /** nothing left to do for now */
  idle(): void;
  failRun(error: Error): void;
}

/**
 * The loop that runs the token machine: the queue of tokens to move, the
 * inbox of inputs, and the launch of task functions. It drains the queue,
 * then applies the next waiting input (drained in full before the next
 * one), and once nothing is left calls the functions of the tasks that
 * started: with a journal, after it has written their starts (group
 * committed with the turn's other records, or at once when the pool is
 * full and a later turn would not start more tasks together). Task
 * functions never run inside a drain, so the state an input meets depends
 * only on the inputs before it. Every 20 ms of work it gives the event loop
 * a turn (slice.ts).
 */
export class RunLoop {
  private readonly machine: LoopMachine;
  private readonly clock: Clock;
  private readonly slice: Slice;
  private readonly queue: Array<Token | undefined> = [];
  private head = 0;
  private tail = 0;
  /** tokens the queue took in before it last emptied */
  private passed = 0;
  private readonly inputs = new InputQueue();
  /*
   * Outcomes of task functions that returned while their launch was in
   * progress and nothing waited in the inbox: the inputs the inbox would
   * have held first, applied in the same order and each drained in full as
   * the inbox's are, without the trip through it (every synchronous task
   * makes one). Flat: token, generation, outcome, failed, ...
   */
  private readonly returned: unknown[] = [];
  private returnedHead = 0;
  private returnedCount = 0;
  private launching = false;
  private draining = false;
  private resumePending = false;
  private launchRequested = false;
  /** the time of the inputs being applied; LIVE between them, UNREAD until one asks */
  private time = LIVE;

  constructor(machine: LoopMachine, clock: Clock, slice: Slice) {
    this.machine = machine;
    this.clock = clock;
    this.slice = slice;
  }

  /*
   * One time per batch of inputs: everything an input sets off (timers it
   * arms, the journal's records of it) counts from the batch's time, which
   * is also what a replay of the journal uses. It is read when first asked
   * for: a run with no journal and no timers never reads the clock.
   */
  now(): number {
    if (this.time >= 0) return this.time;
    const now = this.clock.now();
    if (this.time === UNREAD) this.time = now;
    return now;
  }

  /** The run starts: its first drain counts from now. */
  startClock(): void {
    this.time = this.clock.now();
  }

  enqueue(token: Token): void {
    this.queue[this.tail++] = token;
  }

  /** How many tokens the queue has handed out since the run began. */
  get taken(): number {
    return this.passed + this.head;
  }

  /** How many tokens the queue has taken in since the run began: those between `taken` and this move in the same step. */
  get queued(): number {
    return this.passed + this.tail;
  }

  /** An input: applied now if the loop is idle, else once it is. */
  input(kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void {
    if (this.machine.finished) return;
    if (this.launching && kind <= InputKind.Failed && this.inputs.size === 0) {
      const returned = this.returned;
      returned[this.returnedCount++] = target;
      returned[this.returnedCount++] = generation;
      returned[this.returnedCount++] = payload;
      returned[this.returnedCount++] = kind === InputKind.Failed;
      return;
    }
    this.inputs.push(kind, target, generation, payload);
    this.drain();
  }

  /** Nothing in progress or waiting: no drain, no pause for the event loop, no launch waiting for the journal, no input, no queued token. */
  get idle(): boolean {
    return !this.draining && !this.resumePending && !this.launchRequested && this.pendingInputs === 0 && this.head === this.tail;
  }

  /**
   * The token of the task outcome to be applied next (the oldest of those
   * returned during the last launch, else the inbox's oldest input), if it
   * is a task's success for the token as it stands; else undefined
   * (express.ts).
   */
  nextOutcome(): Token | undefined {
    const i = this.returnedHead;
    if (i === this.returnedCount) return this.inputs.nextDone();
    const token = this.returned[i] as Token;
    return this.returned[i + 3] === false && this.returned[i + 1] === token.generation ? token : undefined;
  }

  /** Steps of work taken without the queue (express.ts), counted toward the next pause for the event loop. */
  countSteps(steps: number): void {
    this.slice.count(steps);
  }

  /** The next outcome was applied by the caller (express.ts): it is forgotten, its slots let go of what they held. */
  dropOutcome(): void {
    const i = this.returnedHead;
    if (i === this.returnedCount) {
      this.inputs.shift(ignore);
      return;
    }
    this.forgetReturned(i);
  }

  /** Inputs waiting to be applied: the run cannot end while one is, since it may start or move tokens. */
  get pendingInputs(): number {
    return this.inputs.size + (this.returnedCount - this.returnedHead) / 4;
  }

  /** The run ended: every waiting input is shown to `dropped` and forgotten. */
  dropInputs(dropped: (kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown) => void): void {
    while (this.returnedHead < this.returnedCount) this.applyReturned(dropped);
    this.inputs.drain(dropped);
  }

  drain(): void {
    if (this.draining || this.resumePending) return;
    if (this.slice.step()) {
      this.resumeLater();
      return;
    }
    this.work(false);
  }

  /* no closure per call: this runs once per input that finds the loop idle */
  private work(launchFirst: boolean): void {
    this.draining = true;
    try {
      if (launchFirst) this.launch();
      this.workUntilIdle();
    } catch (error) {
      this.machine.failRun(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.draining = false;
      this.time = LIVE;
    }
  }

  private workUntilIdle(): void {
    const machine = this.machine;
    for (;;) {
      if (!this.drainQueue() || machine.finished) return;
      // the outcomes returned during the last launch go before the inbox
      const returned = this.returnedHead < this.returnedCount;
      if (returned || this.inputs.size > 0) {
        if (this.time === LIVE) this.time = UNREAD;
        if (machine.hasBlocks && machine.applyBlockOutcome()) {
          if (this.blockOutcomesPaused()) return;
        } else if (returned) this.applyReturned(this.ended);
        else this.inputs.shift(this.apply);
        continue;
      }
      if (machine.replaying) return;
      if (!machine.hasLaunches) {
        machine.idle();
        return;
      }
      const journal = machine.journal;
      // a full pool starts its next tasks one completion at a time: waiting a turn to write their starts together gains nothing
      if (journal === undefined || (machine.poolFull && journal.writeNow())) {
        this.launch();
        continue;
      }
      if (!this.launchRequested) {
        this.launchRequested = true;
        journal.whenWritten(this.launchWritten);
      }
      return;
    }
  }

  /*
   * An outcome of a fan-out block's task was applied without the queue
   * (express.ts): so are the ones right after it that can be, with no
   * drain in between, since such an outcome queues no token and makes no
   * join due. Each counts as a step, as the queue's would: true when the
   * loop must pause for the event loop (a burst of thousands still gives
   * signals and timers their turn).
   */
  private blockOutcomesPaused(): boolean {
    const machine = this.machine;
    do {
      if (this.slice.step()) {
        this.resumeLater();
        return true;
      }
      if (machine.finished) return false;
    } while (machine.applyBlockOutcome());
    return false;
  }

  private launch(): void {
    this.launching = true;
    try {
      this.machine.launch();
    } finally {
      this.launching = false;
    }
  }

  /* the oldest returned outcome to `to` */
  private applyReturned(to: (kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown) => void): void {
    const returned = this.returned;
    const i = this.returnedHead;
    const token = returned[i] as Token;
    const generation = returned[i + 1] as number;
    const payload = returned[i + 2];
    const kind = returned[i + 3] === true ? InputKind.Failed : InputKind.Done;
    this.forgetReturned(i);
    to(kind, token, generation, payload);
  }

  /* the returned outcome at `i`, the oldest, is taken: its slots let go of what they held, and are reused from the start once all are taken */
  private forgetReturned(i: number): void {
    this.returned[i] = this.returned[i + 2] = undefined;
    this.returnedHead = i + 4;
    if (this.returnedHead === this.returnedCount) this.returnedHead = this.returnedCount = 0;
  }

  private readonly apply = (kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void => {
    // inputs applied in one go share a time: a slice lasts 20 ms at most, and reading the clock per input would cost more than applying many
    if (this.time === LIVE) this.time = UNREAD;
    this.machine.apply(kind, target, generation, payload);
  };

  /* a returned outcome is a task's, Done or Failed: no switch over the kinds of input */
  private readonly ended = (kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void => {
    this.machine.tasks.ended(target as Token, generation, payload, kind === InputKind.Failed);
  };

  private readonly launchWritten = (): void => {
    this.launchRequested = false;
    if (!this.machine.finished) this.work(true);
  };

  /*
   * Joins are released only once the token queue is empty: a token that has
   * already moved onto the join node but is still queued must be parked (and
   * merged) before the join lets the others go. False when it paused for the
   * event loop.
   */
  private drainQueue(): boolean {
    const queue = this.queue;
    const machine = this.machine;
    for (;;) {
      if (this.head < this.tail) {
        if (this.slice.step()) {
          this.resumeLater();
          return false;
        }
        const token = queue[this.head]!;
        queue[this.head++] = undefined;
        if (token.state === TokenState.Arrived) machine.arrive(token);
        else if (token.state === TokenState.Completed) machine.complete(token);
        continue;
      }
      // the array keeps its capacity: it empties after every input, and shrinking it would reallocate each time
      this.passed += this.tail;
      this.head = this.tail = 0;
      if (!machine.releaseWaiting()) return true;
    }
  }

  /* the rest of the queue waits for the next turn of the event loop (signals, timers and I/O go first) */
  private resumeLater(): void {
    if (this.resumePending || this.machine.finished) return;
    this.resumePending = true;
    this.slice.later(this.resume);
  }

  private readonly resume = (): void => {
    this.resumePending = false;
    if (!this.machine.finished) this.drain();
  };
}
