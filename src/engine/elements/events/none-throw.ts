import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/** An intermediate throw event without a definition marks a milestone: its token passes on, sending along its message flows. */
export const noneThrow: Behaviour = passThrough;
