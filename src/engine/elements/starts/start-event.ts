import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/** A plain start event: a token starts here when an instance of its scope starts (model/compile-events.ts collectStarts), and passes on. */
export const startEvent: Behaviour = passThrough;
