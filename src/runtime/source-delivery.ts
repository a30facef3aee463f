import { AdhesiveError } from "../errors.js";
import { KeyedEvent } from "../api/keyed.js";
import { keyCorrelation } from "../engine/correlation-key.js";
import type { Engine } from "../engine/engine.js";
import { startsInstance, type GraphNode } from "../model/graph.js";

/**
 * Hands one event of a message() or messageCallback() source to the
 * elements bound to it: a start event gets a new instance, a catch or
 * boundary event the tokens waiting there, and a keyed event only those of
 * them whose correlation key has its key. Throws (the run fails) for event
 * data cannot hold, or a key no element can match.
 */
export function handOver(engine: Engine, nodes: readonly GraphNode[], event: unknown): void {
  if (event instanceof KeyedEvent) return handKeyed(engine, nodes, event);
  for (const node of nodes) {
    if (startsInstance(node)) engine.outside.emit(node, event);
    else engine.outside.deliver(node, event);
  }
}

function handKeyed(engine: Engine, nodes: readonly GraphNode[], event: KeyedEvent): void {
  if (!nodes.some((node) => startsInstance(node) || node.correlationKey !== undefined)) throw new NoCorrelationKeyError(nodes, event.key);
  for (const node of nodes) {
    if (startsInstance(node)) {
      engine.outside.emit(node, event.data);
      continue;
    }
    const correlation = keyCorrelation(node, event.key);
    if (correlation !== false) engine.outside.deliver(node, event.data, correlation);
  }
}

/** A keyed event for elements whose message has no correlation key: it could reach no token, ever. */
export class NoCorrelationKeyError extends AdhesiveError {
  /** always `ADHESIVE_BAD_CORRELATION` */
  declare readonly code: "ADHESIVE_BAD_CORRELATION";
  constructor(nodes: readonly GraphNode[], key: string | number) {
    const where = nodes.map((node) => `"${node.name}" (${node.id})`).join(", ");
    super(
      "ADHESIVE_BAD_CORRELATION",
      `a keyed event (key ${JSON.stringify(key)}) for ${where}, whose message has no correlation key: give the message a zeebe:subscription correlationKey (e.g. "=order.id"), or yield the event without keyed()`,
    );
  }
}
