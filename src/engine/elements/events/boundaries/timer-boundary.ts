import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";

/**
 * A timer boundary event is armed when its activity starts (armBoundaries
 * in boundary.ts), on the schedule of its file or of its timer()
 * declaration (waits.ts). When it fires (boundaryFired), an interrupting
 * one cancels the activity and its token leaves here; a non-interrupting
 * one leaves the activity running, forks a token here per firing and arms
 * the next firing of a cycle. From here the token passes on.
 */
export const timerBoundary: Behaviour = passThrough;
