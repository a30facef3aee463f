import type { UiProvider } from "../ui/form.js";
import { FormAnsweredError } from "./inbox-error.js";
import type { PendingForms } from "./forms.js";

/**
 * A front end that shows each form on `local` (the terminal, or the
 * provider given as opts.ui) and at the same time offers it to the web page
 * and `adhesive complete` through `forms`. The first answer wins; the other
 * side withdraws its form: the terminal prompt is aborted with a
 * FormAnsweredError, the web form disappears. Without `local` the form
 * waits for an answer from outside only.
 */
export function racingUi(local: UiProvider | undefined, forms: PendingForms): UiProvider {
  return {
    async ask(form, signal) {
      if (signal.aborted) throw signal.reason;
      const remote = forms.add(form);
      const withdraw = new AbortController();
      let answeredBy: string | undefined;
      let onAbort!: () => void;
      const cancelled = new Promise<never>((_, reject) => signal.addEventListener("abort", (onAbort = () => reject(signal.reason)), { once: true }));
      const racers: Array<Promise<Record<string, unknown>>> = [
        remote.answered.then(({ answers, by }) => {
          answeredBy = by;
          return answers;
        }),
        cancelled,
      ];
      if (local !== undefined) racers.push(local.ask(form, AbortSignal.any([signal, withdraw.signal])));
      // the losers settle later (an aborted prompt rejects): nobody waits for them
      for (const racer of racers) racer.catch(() => undefined);
      try {
        return await Promise.race(racers);
      } finally {
        signal.removeEventListener("abort", onAbort);
        remote.close();
        // only once the race is decided: a provider that rejects as soon as it is aborted would otherwise win it with that rejection, failing the task the answer was for
        if (answeredBy !== undefined) withdraw.abort(new FormAnsweredError(form.taskName, answeredBy));
      }
    },
  };
}
