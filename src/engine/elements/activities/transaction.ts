import type { Behaviour } from "../behaviour.js";
import { subProcess } from "./sub-process.js";

/**
 * A transaction runs like an embedded sub-process (sub-process.ts); a cancel
 * end event inside cancels it, compensates what completed and leaves by its
 * cancel boundary event (events/cancel-end.ts).
 */
export const transaction: Behaviour = subProcess;
