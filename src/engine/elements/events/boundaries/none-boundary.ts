import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";

/**
 * A boundary event drawn without an event definition: nothing triggers it,
 * so its activity never leaves by it and the path after it never runs, as
 * in bpmn-engine (lint warns: bpmn/warnings.ts). It is never armed
 * (compile-events.ts leaves it off its activity's boundaries).
 */
export const noneBoundary: Behaviour = passThrough;
