import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * A compensate start event makes its event sub-process the one
 * compensation handler of the sub-process it belongs to (compensation.ts):
 * it runs when a compensation reaches that sub-process. Its token passes on.
 */
export const compensateStart: Behaviour = passThrough;
