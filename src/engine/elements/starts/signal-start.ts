import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * A signal start event of a process that runs starts an instance each time
 * its signal is thrown (signals.ts); in an event sub-process it is armed
 * while its scope runs (scope-events.ts). Its token passes on.
 */
export const signalStart: Behaviour = passThrough;
