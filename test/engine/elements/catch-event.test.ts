/*
 * Conditional events re-evaluate whenever an activity in their scope
 * completes: the catch event lets its token go once the other branch's
 * data meets its condition, the boundary event interrupts its sub-process.
 * One whose condition already holds when it is armed fires at once (BPMN
 * §10.5.4; Camunda: the condition is evaluated when its scope is activated).
 */
import { describe, expect, it } from "vitest";
import { StalledError } from "adhesive-bpmn";
import { noop, scenario } from "./scenario.js";

describe("conditional events", () => {
  it("the catch event waits for the approval on the other branch; the boundary interrupts the review when the risk is high", async () => {
    const t = scenario("conditional.bpmn", (a) => {
      a.task("Assess risk", (ctx) => void (ctx.data.risk = ctx.data.riskOf));
      a.task("Approve", (ctx) => void (ctx.data.approved = true));
      noop(a, "Ship", "Escalate");
    });
    await t.run({ initialData: { riskOf: "low" } });
    expect(t.ran).toEqual(["Assess risk", "Approve", "Ship"]);

    const risky = scenario("conditional.bpmn", (a) => {
      a.task("Assess risk", (ctx) => void (ctx.data.risk = ctx.data.riskOf));
      noop(a, "Approve", "Ship", "Escalate");
    });
    const error = await risky.run({ initialData: { riskOf: "high" } }).catch((e: unknown) => e);
    expect(risky.ran).toEqual(["Assess risk", "Escalate"]);
    // the approval never came: once nothing else could run, the run says where it waits instead of hanging
    expect(error).toBeInstanceOf(StalledError);
    expect((error as StalledError).elementIds).toEqual(["Catch_Approved"]);
    expect((error as StalledError).message).toContain('"Approved" (Catch_Approved)');
  });
});

describe("conditional events whose condition already holds when they are armed", () => {
  const order = () => scenario("conditional-at-start.bpmn", (a) => noop(a, "Prepare invoice", "Skip invoice", "Pack", "Add padding", "Book carrier", "Hold shipment", "Send"));

  it("fire at once: the interrupting boundary before its task runs, the non-interrupting one beside it, the event sub-process as its scope starts, the catch event as its token arrives", async () => {
    const t = order();
    await t.run({ initialData: { paid: true, fragile: true, blocked: true, approved: true } });
    expect([...t.ran].sort()).toEqual(["Add padding", "Hold shipment", "Pack", "Send", "Skip invoice"]);
    expect(t.cancelled).toEqual([]);
  });

  it("wait while it does not hold", async () => {
    const t = order();
    await t.run({ initialData: { paid: false, fragile: false, blocked: false, approved: true } });
    expect([...t.ran].sort()).toEqual(["Book carrier", "Pack", "Prepare invoice", "Send"]);
  });
});

describe("link events", () => {
  it("a link throw continues at the link catch of its name; a none throw event just passes", async () => {
    const t = scenario("link.bpmn", (a) => noop(a, "Page one", "Page two"));
    await t.run();
    expect(t.ran).toEqual(["Page one", "Page two"]);
  });
});
