/*
 * A receive task with no message flow: it runs as a task when code
 * implements it, and waits for its message when a message() source feeds it
 * (by the element's name or its message's name); the message becomes
 * data.event, as at a message catch event.
 */
import { describe, expect, it } from "vitest";
import { UnmappedTaskError } from "adhesive-bpmn";
import { noop, scenario } from "./scenario.js";

describe("receive tasks", () => {
  it("waits for the message a source brings, named by its message; a receive task without one runs as a task", async () => {
    let prepared!: () => void;
    const preparing = new Promise<void>((resolve) => (prepared = resolve));
    const t = scenario("receive.bpmn", (a) => {
      a.task("Prepare Order", () => prepared());
      // a catch-only source's event reaches the tokens waiting when it comes: this one comes once the order is prepared
      a.message("Payment Received", async function* () {
        await preparing;
        yield { amount: 7 };
      });
      a.task("Confirm Payment", (ctx) => void (ctx.data.confirmed = (ctx.data.event as { amount: number }).amount));
    });
    const data = await t.run();
    expect(t.ran).toEqual(["Prepare Order", "Confirm Payment"]);
    expect(data).toMatchObject({ event: { amount: 7 }, confirmed: 7 });
  });

  it("runs as a task when a task() implements it, even with a message", async () => {
    const t = scenario("receive.bpmn", (a) => noop(a, "Prepare Order", "Wait for Payment", "Confirm Payment"));
    await t.run();
    expect(t.ran).toEqual(["Prepare Order", "Wait for Payment", "Confirm Payment"]);
  });

  it("is reported before the run when nothing implements or feeds it", async () => {
    const missing = scenario("receive.bpmn", (a) => noop(a, "Prepare Order", "Confirm Payment"));
    const error = await missing.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnmappedTaskError);
    expect((error as Error).message).toContain('receive task "Wait for Payment" (wait)');
    expect(missing.ran).toEqual([]);
  });

  it("is ambiguous when a task() names it literally and a source feeds it too", async () => {
    const both = scenario("receive.bpmn", (a) => {
      noop(a, "Prepare Order", "Wait for Payment", "Confirm Payment");
      a.message("Payment Received", function* () {});
    });
    expect(String(await both.run().catch((e: unknown) => e))).toMatch(/receive task "Wait for Payment" \(wait\): matched by 2 implementations: task\(.*message\("Payment Received"\)/);
    expect(both.ran).toEqual([]);
  });

  it("hands a source matched by the message's name the groups of its regular expression", async () => {
    let prepared!: () => void;
    const preparing = new Promise<void>((resolve) => (prepared = resolve));
    const t = scenario("receive.bpmn", (a) => {
      a.task("Prepare Order", () => prepared());
      noop(a, "Confirm Payment");
      a.message({ re: /^Payment (\w+)$/ }, async function* (_ctx, word) {
        await preparing;
        yield { word };
      });
    });
    expect((await t.run()).event).toEqual({ word: "Received" });
  });

  it("waits for its source even when a catch-all task() matches it too", async () => {
    let prepared!: () => void;
    const preparing = new Promise<void>((resolve) => (prepared = resolve));
    const t = scenario("receive.bpmn", (a) => {
      a.task({ re: /.*/ }, (ctx) => void (ctx.taskName === "Prepare Order" && prepared()));
      a.message("Payment Received", async function* () {
        await preparing;
        yield { amount: 9 };
      });
    });
    const data = await t.run();
    expect(t.ran).toEqual(["Prepare Order", "Confirm Payment"]);
    expect(data.event).toEqual({ amount: 9 });
  });
});
