import type { GraphNode } from "../../../../model/graph.js";
import type { Core } from "../../../core.js";
import type { Token } from "../../../token.js";
import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";
import { leaveBy } from "./boundary.js";

/**
 * An escalation boundary event catches the escalations thrown inside its
 * activity that nothing nearer caught (raise.ts walks up; the code rule is
 * pickEscalationCatcher in errors.ts). A token leaves here; an interrupting
 * one cancels the activity, the thrower included.
 */
export const escalationBoundary: Behaviour = passThrough;

export function leaveByEscalation(core: Core, holder: Token, boundary: GraphNode): void {
  leaveBy(core, holder, boundary, undefined, undefined);
  if (boundary.interrupting) core.loops.cancelActivity(holder);
}
