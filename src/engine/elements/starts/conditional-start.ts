import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * A conditional start event of a process starts an instance when its
 * condition holds on the data the run starts with (scope-events.ts
 * processStarted); in an event sub-process it is armed while its scope runs
 * and re-evaluated whenever an activity inside completes (conditions.ts).
 * Its token passes on.
 */
export const conditionalStart: Behaviour = passThrough;
