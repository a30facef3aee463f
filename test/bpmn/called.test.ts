/*
 * Call activities as Camunda files write them: the called process named
 * by an expression when the activity runs (Camunda 7 calledElement="${...}",
 * Camunda 8 processId="=..."), looked for in the file and in the sibling
 * .bpmn and .bpmn20.xml files; an error inside names the process and the
 * call activity.
 */
import { describe, expect, it } from "vitest";
import { ExpressionError, TaskError } from "adhesive-bpmn";
import { scenario } from "../engine/elements/scenario.js";

function orders(setup: Parameters<typeof scenario>[1] = () => undefined) {
  return scenario("../camunda/calls/orders.bpmn", (a) => {
    setup(a);
    for (const topic of ["invoice", "charge", "pack"]) if (!a.registry.declarations.some((d) => d.options.type === topic)) a.task({ type: topic }, () => undefined);
  });
}

describe("call activities", () => {
  it("calledElement=\"${billingProcess}\" calls the process its value names; \"shipping\" is found in shipping.bpmn20.xml", async () => {
    const t = orders();
    await t.run({ initialData: { billingProcess: "billing-express" } });
    expect(t.ran).toEqual(["Charge card", "Pack"]);
  });

  it("the expression's value may be the process's name, and picks another process for other data", async () => {
    const t = orders();
    await t.run({ initialData: { billingProcess: "Standard billing" } });
    expect(t.ran).toEqual(["Write invoice", "Pack"]);
  });

  it("a value that names no process fails the call activity, naming it, its expression and the processes there are", async () => {
    const error = await orders().run({ initialData: { billingProcess: "billing-overnight" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    const cause = (error as TaskError).cause;
    expect(cause).toBeInstanceOf(ExpressionError);
    expect((cause as ExpressionError).elementId).toBe("Call_Bill");
    expect((cause as Error).message).toContain('its value "billing-overnight" names the process to call');
    expect((cause as Error).message).toContain('"billing-express"');
  });

  it("an error inside a called process names the process and the call activity it was called from", async () => {
    const t = orders((a) =>
      a.task({ type: "invoice" }, () => {
        throw new Error("printer jam");
      }),
    );
    const error = await t.run({ initialData: { billingProcess: "billing-standard" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as Error).message).toBe(
      'task "Write invoice" (billing-standard.bpmn20.xml#Task_Invoice) in process "Standard billing" (billing-standard.bpmn20.xml#billing-standard) called by call activity "Bill" (Call_Bill) failed: printer jam',
    );
  });

  it("Camunda 8: processId=\"=...\" is FEEL over the data", async () => {
    const t = scenario("../camunda/calls-c8/claims.bpmn", (a) => {
      a.task({ type: "inspect-car" }, () => undefined);
      a.task({ type: "visit-home" }, () => undefined);
    });
    await t.run({ initialData: { claimType: "home" } });
    expect(t.ran).toEqual(["Visit the home"]);
  });
});
