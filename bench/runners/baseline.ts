/** The floor: 5 awaited no-op promises per event, what the seed workload costs with no engine at all. */
import type { Runner } from "../job.js";

export function baselineRunner(): Runner {
  const noop = async (): Promise<void> => {};
  return {
    async run(size) {
      for (let i = 0; i < size; i++) await Promise.all([noop(), noop(), noop(), noop(), noop()]);
      return size * 5;
    },
    async inflight(size, measure) {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const parked = async (): Promise<void> => {
        await gate;
      };
      const events: Array<Promise<unknown>> = [];
      for (let i = 0; i < size; i++) events.push(Promise.all([parked(), parked(), parked(), parked(), parked()]));
      measure(size * 5);
      open();
      await Promise.all(events);
    },
  };
}
