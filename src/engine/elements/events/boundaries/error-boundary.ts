import type { GraphNode } from "../../../../model/graph.js";
import type { Core } from "../../../core.js";
import type { ErrorRecord } from "../../../errors.js";
import type { Token } from "../../../token.js";
import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";
import { leaveBy } from "./boundary.js";

/**
 * An error boundary event catches the errors of its activity and of
 * everything inside it that nothing nearer caught (raise.ts walks up; the
 * code rule is pickErrorCatcher in errors.ts). It always interrupts: the
 * activity is cancelled and the token leaves here with `data._error`.
 */
export const errorBoundary: Behaviour = passThrough;

export function leaveByError(core: Core, holder: Token, boundary: GraphNode, record: ErrorRecord): void {
  leaveBy(core, holder, boundary, "_error", record);
  core.loops.cancelActivity(holder);
}
