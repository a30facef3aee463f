import type { Behaviour } from "../behaviour.js";
import { escalationThrow } from "./escalation-throw.js";

/** An escalation end event escalates like an escalation throw event (escalation-throw.ts); its path ends there, having no outgoing flow. */
export const escalationEnd: Behaviour = escalationThrow;
