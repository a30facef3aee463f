import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";

/**
 * A signal boundary event is armed while its activity runs (armBoundaries
 * in boundary.ts); a signal of its name thrown anywhere in the run
 * (signals.ts) interrupts the activity or, non-interrupting, forks a token
 * here (boundaryFired).
 */
export const signalBoundary: Behaviour = passThrough;
