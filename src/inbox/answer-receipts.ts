import { InboxError } from "./inbox-error.js";

interface Waiting {
  resolve(): void;
  reject(error: Error): void;
  recorded: (() => void) | undefined;
}

/**
 * An answer to a user task is kept by the run only once the task's
 * completion, which carries the answer's data, is in the journal: `adhesive
 * complete` and the web form are answered then, not when the form takes
 * the answer, so a crash right after the reply cannot lose it. The run
 * tells when a user task's token ends (`taskEnded`); `whenDurable` says
 * when the journal holds what was recorded so far.
 */
export class AnswerReceipts {
  private readonly waiting = new Map<number, Waiting>();
  private readonly whenDurable: (done: (written: boolean) => void) => void;

  constructor(whenDurable: (done: (written: boolean) => void) => void) {
    this.whenDurable = whenDurable;
  }

  /**
   * Resolves once the user task of `tokenId` has ended and its completion is
   * on disk. `recorded` is called when its completion is recorded, before it
   * is written: the store's inbox acknowledges the answer with that write.
   */
  expect(tokenId: number, recorded?: () => void): Promise<void> {
    return new Promise((resolve, reject) => this.waiting.set(tokenId, { resolve, reject, recorded }));
  }

  /** The task of a token ended (`cancelled`: it was stopped before it could keep its answer). */
  taskEnded(tokenId: number, cancelled: boolean): void {
    // every task of the run ends here: most runs never wait for an answer
    if (this.waiting.size === 0) return;
    const waiting = this.waiting.get(tokenId);
    if (waiting === undefined) return;
    this.waiting.delete(tokenId);
    if (cancelled) {
      waiting.reject(new InboxError("ADHESIVE_ANSWER_LOST", "the user task was cancelled before it could keep the answer", 409));
      return;
    }
    waiting.recorded?.();
    this.whenDurable((written) => {
      if (written) waiting.resolve();
      else waiting.reject(new InboxError("ADHESIVE_NOT_RECORDED", "the run's journal could not record the answer: the run is being stopped, and the answer was not kept", 503));
    });
  }

  /** The run ended: answers still waiting were not kept. */
  runEnded(): void {
    for (const waiting of this.waiting.values()) waiting.reject(new InboxError("ADHESIVE_RUN_ENDED", "the run ended before the user task kept the answer", 409));
    this.waiting.clear();
  }
}
