import type { Behaviour } from "../behaviour.js";
import { compensateThrow } from "./compensate-throw.js";

/** A compensate end event compensates like a compensate throw event (compensate-throw.ts), and its path ends once that is done. */
export const compensateEnd: Behaviour = compensateThrow;
