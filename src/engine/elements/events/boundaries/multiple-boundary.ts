import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";

/**
 * A boundary event with several event definitions is armed on each while
 * its activity runs (armBoundaries in boundary.ts; waits.ts arms its timer
 * and one subscription for its message, signal and condition), and fires on
 * whichever happens (boundaryFired): interrupting, the first cancels the
 * activity and withdraws the rest; non-interrupting, each forks a token.
 */
export const multipleBoundary: Behaviour = passThrough;
