import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/** A link catch event: the link throw events of its name lead here as if by a sequence flow (model/compile-events.ts linkFlows). Its token passes on. */
export const linkCatch: Behaviour = passThrough;
