/*
 * Expressions of Camunda files run as written: Camunda 7's JUEL conditions
 * in the subset the README lists (anything else is a load error naming
 * the element and the expression).
 */
import { describe, expect, it } from "vitest";
import { InvalidBpmnError, loadBpmn } from "adhesive-bpmn";
import { fixture, scenario } from "../engine/elements/scenario.js";

const camunda = (file: string) => `../camunda/${file}`;

describe("Camunda 7 JUEL conditions", () => {
  function invoice() {
    return scenario(camunda("c7-juel-conditions.bpmn"), (a) => {
      for (const topic of ["reject", "cfo", "vat", "pay"]) a.task({ type: topic }, () => undefined);
      a.task({ type: "review" }, () => undefined);
    });
  }

  it("${not approved} routes a rejected invoice", async () => {
    const t = invoice();
    await t.run({ initialData: { approved: false, amount: 50, region: "eu" } });
    expect(t.ran).toEqual(["Review invoice", "Reject"]);
  });

  it("${approved and amount gt 100} and ${region == 'eu'} route a large European invoice through the CFO and VAT", async () => {
    const t = invoice();
    await t.run({ initialData: { approved: true, amount: 500, region: "eu" } });
    expect(t.ran).toEqual(["Review invoice", "Ask the CFO", "Add VAT", "Pay"]);
  });

  it("${approved && amount <= 100} routes a small invoice straight to its region check, and the default flow pays it", async () => {
    const t = invoice();
    await t.run({ initialData: { approved: true, amount: 80, region: "us" } });
    expect(t.ran).toEqual(["Review invoice", "Pay"]);
  });

  it("JUEL outside the subset is a load error naming the flow and the expression", async () => {
    const error = await loadBpmn(fixture(camunda("c7-juel-unsupported.bpmn"))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidBpmnError);
    const problems = (error as InvalidBpmnError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ elementId: "Flow_None", message: expect.stringContaining("`${empty items}` uses the JUEL operator empty") });
    expect(problems[1]).toMatchObject({ elementId: "Flow_Some", message: expect.stringContaining("uses Camunda 7's execution object") });
  });
});
