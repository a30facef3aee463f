import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * A start event with several event definitions starts its process, or its
 * event sub-process, on whichever of them happens: a message starts an
 * instance like a message start event (Engine.emit), a timer, signal or
 * condition like those start events (scope-events.ts, signals.ts). Its token
 * passes on.
 */
export const multipleStart: Behaviour = passThrough;
