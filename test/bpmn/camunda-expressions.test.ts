/*
 * Expressions of Camunda files run as written: Camunda 7's JUEL conditions
 * in the subset the README lists (anything else is a load error naming
 * the element and the expression), Camunda 8's FEEL script tasks and its
 * FEEL function is defined().
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

describe("Camunda 7 script tasks", () => {
  it("camunda:resultVariable gets the value of a JavaScript script", async () => {
    const data = await scenario(camunda("c7-script-result.bpmn"), () => undefined).run({ initialData: { a: 2, b: 3 } });
    expect(data).toEqual({ a: 2, b: 3, sum: 5 });
  });
});

describe("Camunda 8 script tasks and FEEL", () => {
  function total() {
    const archived: unknown[] = [];
    const t = scenario(camunda("c8-script-tasks.bpmn"), (a) => a.task({ type: "archive" }, (ctx) => void archived.push(ctx.data.total)));
    return { t, archived };
  }

  it("zeebe:script puts its FEEL value in its resultVariable; is defined(discount) holds when the data has it", async () => {
    const { t, archived } = total();
    const data = await t.run({ initialData: { items: [{ price: 10 }, { price: 20 }], discount: 5 } });
    expect(t.ran).toEqual(["Sum up", "Apply discount", "Archive order"]);
    expect(archived).toEqual([25]);
    expect(data.total).toBe(25);
  });

  it("is defined(discount) is false for data without it, and the default flow is taken", async () => {
    const { t, archived } = total();
    await t.run({ initialData: { items: [{ price: 10 }, { price: 20 }] } });
    expect(t.ran).toEqual(["Sum up", "Archive order"]);
    expect(archived).toEqual([30]);
  });
});
