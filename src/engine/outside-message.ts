import { AdhesiveError } from "../errors.js";
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

/* a message from outside hears its outcome once the journal holds it (a refusal holds nothing, but waits its turn all the same) */
export function settle(run: { whenDurable(done: (written: boolean) => void): void }, settled: (outcome: MessageOutcome) => void, taken: number | Error): void {
  run.whenDurable((written) => settled(!written ? { refused: notRecorded() } : typeof taken === "number" ? { taken } : { refused: taken }));
}

export function runEnded(): Error {
  return new AdhesiveError("ADHESIVE_RUN_ENDED", "the run ended before it took the message");
}

function notRecorded(): Error {
  return new AdhesiveError("ADHESIVE_NOT_RECORDED", "the run's journal could not record the message: the run is being stopped, and the message was not kept");
}
