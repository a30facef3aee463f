import { DataError, TaskError } from "../errors.js";
import type { CompiledExpression } from "../model/expression.js";
import type { GraphNode } from "../model/graph.js";
import { dataProblem } from "./data-check.js";
import type { Engine } from "./engine.js";
import { InputKind } from "./inputs.js";
import { startEmitted } from "./instance-start.js";
import { OutsideMessage, runEnded, settle, type MessageOutcome } from "./outside-message.js";

/**
 * The run's side that faces outside its tokens: the event sources that keep
 * it open (message() generators, callbacks, timer start events), the
 * messages they emit and deliver, and the durability a sender waits for.
 * Each message is an input of the run loop, so a journal replays it in the
 * same place.
 */
export class Outside {
  private readonly engine: Engine;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** Whether the run has ended (finished, failed or cancelled); sources stop pulling then. */
  get isFinished(): boolean {
    return this.engine.finished;
  }

  /** Keeps the run open while an event source may still emit. */
  openSource(): void {
    this.engine.instances.openSources++;
  }

  closeSource(): void {
    this.engine.instances.openSources--;
    this.changed();
  }

  /** A source that only feeds catch events has ended: tokens waiting for its messages may now wait in vain. */
  sourceEnded(): void {
    this.changed();
  }

  /** An event source failed: the run fails and names the message event. */
  failSource(node: GraphNode, error: unknown, heldRun: boolean): void {
    if (heldRun) this.engine.instances.openSources--;
    this.engine.failRun(new TaskError(node.name, node.id, error));
  }

  /** Message event instances that have started and not ended, or are about to start. */
  get eventsInFlight(): number {
    return this.engine.instances.inFlight;
  }

  /** Resolves once fewer than `limit` event instances are in flight. */
  whenBelow(limit: number): Promise<void> | undefined {
    return this.engine.finished ? undefined : this.engine.instances.whenBelow(limit);
  }

  /**
   * Starts a new instance at a message start event, with `data.event` set.
   * Throws a DataError for an event data cannot hold. `settled` (a message
   * from outside) hears the outcome once it is journaled.
   */
  emit(node: GraphNode, event: unknown, settled?: (outcome: MessageOutcome) => void): void {
    if (this.engine.finished) return settled?.({ refused: runEnded() });
    checkEvent(event, node);
    this.engine.instances.waitingEmits++;
    this.engine.input(InputKind.Emitted, node, 0, settled === undefined ? event : new OutsideMessage(event, undefined, settled));
  }

  /**
   * A message for a catch event or message boundary event: every token
   * waiting for it there takes it (with `data.event` set), or, with a
   * correlation, those whose data the correlation accepts; a message nobody
   * waits for is dropped. `settled` (a message from outside) hears how many
   * took it once that is journaled.
   */
  deliver(node: GraphNode, event: unknown, correlation?: CompiledExpression, settled?: (outcome: MessageOutcome) => void): void {
    if (this.engine.finished) return settled?.({ refused: runEnded() });
    checkEvent(event, node);
    this.engine.input(InputKind.Delivered, node, 0, correlation === undefined && settled === undefined ? event : new OutsideMessage(event, correlation, settled));
  }

  /** Calls `done(true)` once everything the run has recorded so far is on disk (at once without a journal); `done(false)` if it never will be. */
  whenDurable(done: (written: boolean) => void): void {
    const journal = this.engine.journal;
    if (journal === undefined) done(true);
    else journal.whenDurable(done);
  }

  /** An emitted event, taken from the inbox: its instance starts. */
  emitted(node: GraphNode, payload: unknown): void {
    const engine = this.engine;
    engine.instances.waitingEmits--;
    const outside = payload instanceof OutsideMessage ? payload : undefined;
    const event = outside === undefined ? payload : outside.event;
    // numbered in the order they are applied, which a replay repeats
    const instance = ++engine.instances.numbered;
    engine.journal?.emitted(node, event, engine.now(), instance);
    startEmitted(engine, node, event, instance);
    if (outside?.settled !== undefined) settle(this, outside.settled, 1);
  }

  /** A delivered message, taken from the inbox: the tokens waiting for it take it. */
  delivered(node: GraphNode, payload: unknown): void {
    const taken = this.engine.triggers.delivered(node, payload);
    if (payload instanceof OutsideMessage && payload.settled !== undefined) settle(this, payload.settled, taken);
  }

  /* what can still happen changed outside the token machine: an idle engine sees at once whether the run is over or waits in vain (a busy one does when it is idle) */
  private changed(): void {
    const engine = this.engine;
    if (!engine.finished && engine.root !== undefined && engine.loop.idle) engine.idle();
  }
}

/* every event passes here: the message naming the event is made only for a problem */
function checkEvent(event: unknown, node: GraphNode): void {
  const problem = dataProblem(event);
  if (problem !== undefined) throw new DataError(`message event "${node.name}" (${node.id})`, `data.event${problem.path}`, problem.reason);
}
