import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * A message start event of a process starts an instance of it per message
 * (Engine.emit: a message() source, the inbox, or a message flow of another
 * pool), with the message as `data.event`. In an event sub-process it is
 * armed while its scope runs (scope-events.ts) and starts the event
 * sub-process. Its token passes on.
 */
export const messageStart: Behaviour = passThrough;
