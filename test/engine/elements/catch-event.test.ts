/*
 * Conditional events re-evaluate whenever an activity in their scope
 * completes: the catch event lets its token go once the other branch's
 * data meets its condition, the boundary event interrupts its sub-process.
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

describe("link events", () => {
  it("a link throw continues at the link catch of its name; a none throw event just passes", async () => {
    const t = scenario("link.bpmn", (a) => noop(a, "Page one", "Page two"));
    await t.run();
    expect(t.ran).toEqual(["Page one", "Page two"]);
  });
});
