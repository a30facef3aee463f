/*
 * An exclusive gateway takes the first flow in document order whose
 * condition holds or that has no condition, and its default only when no
 * other flow applies (BPMN §13.4.2; Camunda 7 docs, Exclusive Gateway;
 * bpmn-elements moves the default last and takes the first flow that holds).
 */
import { describe, expect, it } from "vitest";
import { noop, scenario } from "./scenario.js";

function orders() {
  return scenario("exclusive-open-flow.bpmn", (a) => noop(a, "Review", "Approve automatically", "Never reached", "Approve by hand", "Send mail", "Send text"));
}

describe("exclusive gateway", () => {
  it("takes the first flow whose condition holds, even with a flow without a condition and the default before it in the file", async () => {
    const t = orders();
    await t.run({ initialData: { amount: 500 } });
    expect(t.ran).toEqual(["Review", "Send mail"]);
  });

  it("a flow without a condition holds: it is taken before a later flow that holds too, and before the default", async () => {
    const t = orders();
    await t.run({ initialData: { amount: 5, phone: "+33 1 23 45 67 89" } });
    // "Send text" holds as well, but the flow to "Send mail" comes first and has no condition
    expect(t.ran).toEqual(["Approve automatically", "Send mail"]);
  });
});
