import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * An escalation start event (event sub-processes only) catches an
 * escalation thrown in its scope instance that no boundary nearer the
 * thrower caught (raise.ts). Its token passes on.
 */
export const escalationStart: Behaviour = passThrough;
