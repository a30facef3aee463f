/*
 * Correlation in code (issue 23): a message() or messageCallback() event
 * made with keyed(key, data) reaches only the tokens whose message's
 * correlation key (zeebe:subscription correlationKey="=order.id") has that
 * value, as `adhesive send --key` does. Given two orders waiting for their
 * payment, when the payment of one arrives, then only that one ships; the
 * journal records the delivery with its correlation, so a resume replays
 * the same. A keyed event for a message without a key fails the run,
 * naming the element.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, keyed, NoCorrelationKeyError } from "../../src/index.js";
import { readJournal } from "../../src/journal/reader.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/live/${name}`, import.meta.url));

/* bounded polling on what happened: resolves once `done()` holds, re-trying `attempt` between looks */
async function until(done: () => boolean, attempt: () => Promise<void> | void): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) {
    await attempt();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (!done()) throw new Error("what the test waited for never happened");
}

describe("keyed message events", () => {
  it("reach only the instance whose correlation key matches", async () => {
    const runs = await mkdtemp(join(tmpdir(), "adhesive-keyed-"));
    const shipped: string[] = [];
    const data = await new Adhesive()
      .message("Order", async function* () {
        yield { order: { id: "A" } };
        yield { order: { id: "B" } };
      })
      .task("Book Order", () => undefined)
      .task("Ship", (ctx) => {
        shipped.push(`${(ctx.data.order as { id: string }).id} paid ${String(ctx.data.amount)}`);
      })
      .messageCallback("Paid", async (_ctx, emit) => {
        // a key that no order has reaches nobody
        await emit(keyed("Z", { amount: 0 }));
        // sent until its order took it (the order may still be booking): B's token never takes A's payment
        await until(() => shipped.length > 0, () => emit(keyed("A", { amount: 10 })));
        expect(shipped).toEqual(["A paid 10"]);
        await until(() => shipped.length > 1, () => emit(keyed("B", { amount: 20 })));
      })
      .bpmnBuild(fixture("paid-zeebe.bpmn"), { runsFolder: runs, tempFolder: runs, runId: "keyed" });

    expect(shipped).toEqual(["A paid 10", "B paid 20"]);
    expect(data).toBeDefined();
    const journal = await readJournal(join(runs, "keyed", "journal.ndjson"));
    const delivered = journal.inputs.flatMap((input) => (input.kind === "delivered" ? [input.correlation] : []));
    expect(delivered).toContain('= string(order.id) = "A"');
    expect(delivered).toContain('= string(order.id) = "B"');
  });

  it("fail the run, naming the element, when its message has no correlation key", async () => {
    const runs = await mkdtemp(join(tmpdir(), "adhesive-keyed-"));
    const run = new Adhesive()
      .message("Order", async function* () {
        yield { order: { id: "A" } };
      })
      .task("Book Order", () => undefined)
      .task("Ship", () => undefined)
      .message("Paid", async function* () {
        yield keyed("A", { amount: 10 });
      })
      .bpmnBuild(fixture("paid.bpmn"), { runsFolder: runs, tempFolder: runs, journal: false });
    const error = await run.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    // a failing source fails the run as its element's failure, with the reason as its cause
    expect((error as Error).message).toMatch(/^task "Paid" \(paid\) failed: a keyed event \(key "A"\) for "Paid" \(paid\), whose message has no correlation key/);
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(NoCorrelationKeyError);
    expect((cause as NoCorrelationKeyError).code).toBe("ADHESIVE_BAD_CORRELATION");
  });

  it("take only a string or a finite number as the key", () => {
    expect(() => keyed(Number.NaN, {})).toThrow(/a correlation key is a string or a finite number/);
    expect(() => keyed(undefined as unknown as string, {})).toThrow(/not undefined/);
  });
});
