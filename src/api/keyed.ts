import { AdhesiveError } from "../errors.js";

/** An event for the tokens whose correlation key is `key` (see `keyed`). */
export class KeyedEvent<T = unknown> {
  /** the correlation key the event is for, compared as text */
  readonly key: string | number;
  /** the event itself: what `data.event` holds where it arrives */
  readonly data: T;

  constructor(key: string | number, data: T) {
    this.key = key;
    this.data = data;
  }
}

/**
 * An event that a `message()` generator yields, or a `messageCallback()`
 * emits, for one waiting instance: it reaches only the tokens whose
 * message's correlation key (`zeebe:subscription correlationKey`, e.g.
 * `=order.id`) has the value `key`, compared as text, as `adhesive send
 * --key` does. `data` is the event as without a key; a message start event
 * bound to the same source starts an instance with it.
 *
 * ```ts
 * message("Payment Confirmed", async function* () {
 *   for await (const payment of payments()) yield keyed(payment.orderId, payment);
 * });
 * ```
 */
export function keyed<T>(key: string | number, data: T): KeyedEvent<T> {
  if (!(typeof key === "string" || (typeof key === "number" && Number.isFinite(key)))) {
    throw new AdhesiveError("ADHESIVE_BAD_CORRELATION", `keyed(key, data): a correlation key is a string or a finite number, not ${key === null ? "null" : typeof key}`);
  }
  return new KeyedEvent(key, data);
}
