import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";

/**
 * A message boundary event subscribes, while its activity runs
 * (armBoundaries in boundary.ts), to the messages of its name (from a
 * message() source, the inbox or a message flow; triggers.ts delivers them).
 * A message interrupts the activity or, non-interrupting, forks a token here
 * (boundaryFired), with the message as `data.event`.
 */
export const messageBoundary: Behaviour = passThrough;
