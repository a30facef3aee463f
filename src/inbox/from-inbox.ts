import type { MessageFunction } from "../api/types.js";

/**
 * The source of a message event that only the inbox feeds (`adhesive
 * send`, `POST /api/runs/<id>/messages`): `message("Payment Received",
 * fromInbox)`. It emits nothing and ends at once, so it never holds a run
 * open; the catch, boundary and event-based gateway events bound to it
 * wait for deliveries.
 */
export const fromInbox: MessageFunction = function* () {
  // nothing: the messages come from outside the process
};
