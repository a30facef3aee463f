import type { CompiledExpression } from "../model/expression.js";

/**
 * What a message from outside the process (adhesive send, the live view)
 * came to, once it was applied and everything it changed is on disk: how
 * many tokens took it (1 for an instance it started), or why none did.
 */
export type MessageOutcome = { taken: number } | { refused: Error };

/**
 * A message someone outside the process sent: its correlation picks the
 * tokens that take it (all or none when it throws: the sender hears why,
 * the run goes on), and `settled` hears the outcome only once the journal
 * holds it, so an acknowledged message survives a crash. Chosen when the
 * input is applied, so a replay of the journal chooses the same. Messages
 * of sources are plain events: this record is only made for these.
 */
export class OutsideMessage {
  readonly event: unknown;
  readonly correlation: CompiledExpression | undefined;
  readonly settled: ((outcome: MessageOutcome) => void) | undefined;

  constructor(event: unknown, correlation: CompiledExpression | undefined, settled: ((outcome: MessageOutcome) => void) | undefined) {
    this.event = event;
    this.correlation = correlation;
    this.settled = settled;
  }
}
