import { AdhesiveError } from "../errors.js";
import type { Engine } from "../engine/engine.js";
import { startsInstance, type GraphNode } from "../model/graph.js";
import { handOver } from "./source-delivery.js";

/** A messageCallback emitted more events than the run can buffer while its instances are busy. */
export class BackpressureError extends AdhesiveError {
  /** always `ADHESIVE_BACKPRESSURE` */
  declare readonly code: "ADHESIVE_BACKPRESSURE";
  constructor(node: GraphNode, buffered: number) {
    super(
      "ADHESIVE_BACKPRESSURE",
      `message event "${node.name}" (${node.id}): ${buffered} events are waiting for room while the run has its limit of instances in flight; ` +
        "await emit(event) to wait for room (or raise maxEventsInFlight / maxEventsBuffered)",
    );
  }
}

interface Waiting {
  event: unknown;
  resolve: () => void;
}

const DONE: Promise<void> = Promise.resolve();

/**
 * The `emit` of a messageCallback. An event starts its instance at once
 * while fewer than `maxInFlight` instances run; otherwise it waits in a
 * buffer and the promise emit returned resolves when it has started, so a
 * callback that awaits emit() is held back like a generator. A callback
 * that does not await can fill the buffer; at `maxBuffered` events the run
 * fails with a BackpressureError (the documented overflow), instead of
 * growing until the process runs out of memory. Nothing here ever throws
 * into the caller: emit is often an event listener, where a throw would
 * crash the process.
 */
export class Inlet {
  private readonly engine: Engine;
  private readonly nodes: readonly GraphNode[];
  private readonly maxInFlight: number;
  private readonly maxBuffered: number;
  private readonly fail: (error: unknown) => void;
  private readonly onEvent: (() => void) | undefined;
  /** only start events make instances: a source feeding catch events never waits */
  private readonly startsInstances: boolean;
  private readonly waiting: Waiting[] = [];
  private head = 0;
  private pumping = false;
  /** the pump's promise while it runs */
  private pumped: Promise<void> = DONE;

  constructor(
    engine: Engine,
    nodes: readonly GraphNode[],
    limits: { readonly maxInFlight: number; readonly maxBuffered: number; readonly onEvent?: () => void },
    fail: (error: unknown) => void,
  ) {
    this.engine = engine;
    this.nodes = nodes;
    this.maxInFlight = limits.maxInFlight;
    this.maxBuffered = limits.maxBuffered;
    this.fail = fail;
    this.onEvent = limits.onEvent;
    this.startsInstances = nodes.some((node) => startsInstance(node));
  }

  readonly emit = (event: unknown): Promise<void> => {
    if (this.engine.outside.isFinished) return DONE;
    if (!this.startsInstances || (this.head === this.waiting.length && this.engine.outside.eventsInFlight < this.maxInFlight)) {
      return this.deliver(event) ? DONE : this.refused();
    }
    if (this.waiting.length - this.head >= this.maxBuffered) {
      this.fail(new BackpressureError(this.nodes[0], this.maxBuffered));
      return this.refused();
    }
    const promise = new Promise<void>((resolve) => this.waiting.push({ event, resolve }));
    if (!this.pumping) this.pumped = this.pump();
    return promise;
  };

  /**
   * Resolves once every buffered event has started its instance (or the run
   * has ended): a callback that returned without awaiting its emits is not
   * done while they wait, or its end would end the run without them.
   */
  drained(): Promise<void> {
    return this.pumping ? this.pumped : DONE;
  }

  /* one loop hands buffered events over, in order, as instances finish */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.head < this.waiting.length && !this.engine.outside.isFinished) {
        const room = this.engine.outside.whenBelow(this.maxInFlight);
        if (room !== undefined) await room;
        if (this.engine.outside.isFinished) break;
        const next = this.waiting[this.head];
        this.waiting[this.head++] = undefined as unknown as Waiting;
        if (this.deliver(next.event)) next.resolve();
      }
    } finally {
      this.pumping = false;
      // the run ended: whoever still waits is released, like an emit after the end; their events were not taken
      for (let i = this.head; i < this.waiting.length; i++) this.waiting[i].resolve();
      this.waiting.length = this.head = 0;
    }
  }

  private deliver(event: unknown): boolean {
    this.onEvent?.();
    try {
      handOver(this.engine, this.nodes, event);
      return true;
    } catch (error) {
      // an event data cannot hold (DataError), or a key no element has, fails the run, naming the message event
      this.fail(error);
      return false;
    }
  }

  /* a rejection nobody has to catch: the run already fails with the reason */
  private refused(): Promise<void> {
    const promise = Promise.reject(new AdhesiveError("ADHESIVE_EMIT_REFUSED", "the run did not take this event: it has failed"));
    promise.catch(() => undefined);
    return promise;
  }
}
