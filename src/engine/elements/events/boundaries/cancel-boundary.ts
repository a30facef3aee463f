import { AdhesiveError } from "../../../../errors.js";
import type { Core } from "../../../core.js";
import type { Token } from "../../../token.js";
import type { Behaviour } from "../../behaviour.js";
import { passThrough } from "../../pass-through.js";
import { leaveBy } from "./boundary.js";

/**
 * A cancel boundary event of a transaction: once a cancel end event inside
 * has cancelled the transaction and what completed there is compensated
 * (compensation.ts), the token leaves here. A cancelled transaction without
 * one fails.
 */
export const cancelBoundary: Behaviour = passThrough;

export function leaveByCancel(core: Core, transaction: Token): void {
  const boundary = transaction.node.cancelBoundaries[0];
  if (boundary === undefined) {
    core.fail(transaction, new AdhesiveError("ADHESIVE_CANCELLED", `transaction "${transaction.node.name}" (${transaction.node.id}) was cancelled and has no cancel boundary event`));
    return;
  }
  leaveBy(core, transaction, boundary, undefined, undefined);
  core.cancelToken(transaction);
}
