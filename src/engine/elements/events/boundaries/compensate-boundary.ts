import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";

/**
 * A compensate boundary event names its activity's compensation handler: no
 * token leaves by it. When the activity completes it is logged in its scope
 * instance; a compensate throw or end event later runs the handler with the
 * data the activity completed with (compensation.ts).
 */
export const compensateBoundary: Behaviour = passThrough;
