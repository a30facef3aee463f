import { fileURLToPath } from "node:url";
import { Adhesive } from "../../src/index.js";

/** The bench's seed process: a message start, five tasks in parallel, a join. */
export const SEED = fileURLToPath(new URL("../../bench/fixtures/seed-message.bpmn", import.meta.url));

/**
 * The seed process's implementation for snapshot scenarios: `events`
 * events (a resumed run goes on after its last one), each event's five
 * tasks add to their instance's data (event 7 a Set, which the journal
 * must encode), and calls are counted by idempotency key.
 */
export function seedRun(events: number, calls: Map<string, number>): Adhesive {
  return new Adhesive()
    .message("Event", async function* (ctx) {
      const from = typeof ctx.lastEvent === "number" ? ctx.lastEvent + 1 : 0;
      for (let i = from; i < events; i++) yield i;
    })
    .task({ re: /^Task (\d)$/ }, (ctx, n) => {
      calls.set(ctx.idempotencyKey, (calls.get(ctx.idempotencyKey) ?? 0) + 1);
      ctx.data[`t${n}`] = ctx.data.event;
      if (ctx.data.event === 7) ctx.data.seven = new Set([n]);
    });
}
