import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";

/**
 * A conditional boundary event is armed while its activity runs
 * (armBoundaries in boundary.ts); each time an activity in or inside its
 * scope completes, its condition is evaluated on that activity's data
 * (conditions.ts), and the first time it holds the boundary fires
 * (boundaryFired): it interrupts the activity or forks a token here.
 */
export const conditionalBoundary: Behaviour = passThrough;
