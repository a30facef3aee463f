/*
 * A run that can only wait says so (issue 17, item 4). When every token
 * waits for a message and nothing can bring one (no source still sends,
 * and the run has no inbox), the run fails with a StalledError naming
 * where it waits, instead of leaving Node with nothing to do (exit 13, no
 * output). A run with an inbox keeps waiting and says which messages it
 * waits for.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, fromInbox, StalledError, type MessageWait } from "../../src/index.js";

const receive = fileURLToPath(new URL("../fixtures/elements/receive.bpmn", import.meta.url));

/** The order process: "Wait for Payment" waits for "Payment Received"; the rest is implemented. */
function order(prepare: () => unknown = () => new Promise((resolve) => setImmediate(resolve))): Adhesive {
  return new Adhesive().task("Prepare Order", prepare).task("Confirm Payment", () => undefined);
}

async function stalled(run: Promise<unknown>): Promise<StalledError> {
  const error = await run.then(
    () => new Error("the run finished"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StalledError);
  return error as StalledError;
}

describe("a run that can only wait for a message nothing can bring", () => {
  it("fails with a StalledError when only the inbox could send it and the run has none (the API's default)", async () => {
    const error = await stalled(order().message("Payment Received", fromInbox).bpmnBuild(receive));
    expect(error.elementIds).toEqual(["wait"]);
    expect(error.message).toContain('tokens wait at "Wait for Payment" (wait)');
    expect(error.message).toContain("inbox: true in the API");
  });

  it("fails with a StalledError when its message() source ended before the token came", async () => {
    const error = await stalled(
      order()
        .message("Payment Received", async function* () {})
        .bpmnBuild(receive),
    );
    expect(error.elementIds).toEqual(["wait"]);
  });

  it("fails with a StalledError when its message() source ends while the token waits", async () => {
    let waiting!: () => void;
    const tokenWaits = new Promise<void>((resolve) => (waiting = resolve));
    const error = await stalled(
      order(() => void setImmediate(waiting))
        .message("Payment Received", async function* () {
          await tokenWaits;
        })
        .bpmnBuild(receive),
    );
    expect(error.elementIds).toEqual(["wait"]);
  });

  it("keeps waiting with an inbox, and tells the reporter which messages it waits for", async () => {
    const stop = new AbortController();
    const told: MessageWait[][] = [];
    const run = order()
      .message("Payment Received", fromInbox)
      .bpmnBuild(receive, {
        inbox: true,
        signal: stop.signal,
        reporter: {
          waitingForMessages(_run, waits) {
            told.push([...waits]);
            stop.abort();
          },
        },
      });
    await expect(run).rejects.toThrow(/cancelled/);
    expect(told).toEqual([[{ elementId: "wait", name: "Wait for Payment", message: "Payment Received" }]]);
  });
});
