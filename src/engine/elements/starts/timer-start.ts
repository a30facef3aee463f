import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * A timer start event of a process that runs is armed once when the run
 * starts and starts an instance per firing, keeping the run open while it
 * may fire again; in an event sub-process it is armed while its scope runs
 * and starts the event sub-process (scope-events.ts). Its token passes on.
 */
export const timerStart: Behaviour = passThrough;
