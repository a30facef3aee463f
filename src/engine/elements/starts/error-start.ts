import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * An error start event (event sub-processes only) catches an error thrown
 * in its scope instance that no boundary nearer the thrower caught: raise.ts
 * starts its event sub-process with `data._error`. Its token passes on.
 */
export const errorStart: Behaviour = passThrough;
