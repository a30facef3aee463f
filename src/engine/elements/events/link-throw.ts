import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/** A link throw event leads to the link catch event of its name as if by a sequence flow (model/compile-events.ts linkFlows), so its token passes on to it. */
export const linkThrow: Behaviour = passThrough;
