/*
 * Call activities: the called process is found in the same file by id or
 * name, or in another file of the folder; data goes in and out as the
 * Camunda mappings say (whole without them); a looped call activity calls
 * once per item; errors and escalations thrown in the called process reach
 * the call activity's boundary events.
 */
import { describe, expect, it } from "vitest";
import { loadBpmn, TaskError } from "adhesive-bpmn";
import { fixture, noop, scenario } from "./scenario.js";

function orders(declined: boolean) {
  const seen: Record<string, unknown> = {};
  const t = scenario("call-activity.bpmn", (a) => {
    a.task("Count stock", (ctx) => {
      seen.check = { ...ctx.data };
      ctx.data.available = (ctx.data.wanted as string[]).length;
      ctx.data.scratch = "stays inside";
    });
    a.task({ re: /^Charge (.+)$/ }, (ctx, item) => void (ctx.data[`charged_${item}`] = true));
    a.task("Authorize", (ctx) => void (ctx.data.declined = declined));
    noop(a, "Ship", "Notify sales", "Refund");
  });
  return { t, seen, run: () => t.run({ initialData: { items: ["book", "piano"] } }) };
}

describe("call activities", () => {
  it("call the processes of the file by id and by name, and of another file of the folder by id", async () => {
    const process = await loadBpmn(fixture("call-activity.bpmn"));
    const calls = process.root.nodes.filter((node) => node.kind === "callActivity").map((node) => [node.id, node.calls]);
    expect(calls).toEqual([
      ["Call_Check", "Process_Check"],
      ["Call_Charge", "Process_Charge"],
      ["Call_Pay", "payment.bpmn#Payment"],
    ]);
    // the other file's element ids carry its name: modelers number elements alike in every file
    const payment = process.processes!.find((called) => called.id === "payment.bpmn#Payment")!;
    expect(payment.source).toBe(fixture("payment.bpmn"));
    expect(payment.root.nodes.map((node) => node.id)).toContain("payment.bpmn#Task_Authorize");
  });

  it("pass the mapped data in and back, loop over the items and hear the escalation without stopping", async () => {
    const { t, seen, run } = orders(false);
    const data = await run();
    const main = t.ran.filter((name) => name !== "Notify sales");
    expect(main).toEqual(["Count stock", "Charge book", "Charge piano", "Authorize", "Ship"]);
    // the piano's escalation, once; its path joins once no charge can escalate again (the looped call activity is still around)
    expect(t.count("Notify sales")).toBe(1);
    // camunda:in passes only `wanted`; camunda:out brings back only `inStock`
    expect(seen.check).toEqual({ wanted: ["book", "piano"] });
    expect(data.inStock).toBe(2);
    expect(data.scratch).toBeUndefined();
    // without mappings the whole data goes in and comes back
    expect(data).toMatchObject({ items: ["book", "piano"], charged_book: true, charged_piano: true, declined: false });
  });

  it("an error end event of the called process is caught by the call activity's error boundary; data._error names where it came from", async () => {
    const { t, run } = orders(true);
    const data = await run();
    expect(t.ran.filter((name) => name !== "Notify sales")).toEqual(["Count stock", "Charge book", "Charge piano", "Authorize", "Refund"]);
    expect(t.count("Ship")).toBe(0);
    // the file's error code, as a task's `throw new BpmnError("declined")` would give
    expect(data._error).toMatchObject({
      code: "declined",
      elementId: "payment.bpmn#End_Declined",
      calledBy: [{ elementId: "Call_Pay", name: "Pay", process: "payment.bpmn#Payment", processName: "Payment" }],
    });
  });

  it("a task failing in a called process fails the run naming the task, the process and the call activity", async () => {
    const t = scenario("call-activity.bpmn", (a) => {
      a.task("Count stock", () => {
        throw new Error("the warehouse is closed");
      });
      noop(a, "Ship", "Notify sales", "Refund", "Authorize");
      a.task({ re: /^Charge (.+)$/ }, () => undefined);
    });
    const error = await t.run({ initialData: { items: ["book"] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).message).toBe('task "Count stock" (Task_Count) in process "Check" (Process_Check) called by call activity "Check stock" (Call_Check) failed: the warehouse is closed');
  });

  it("a call of a process with nothing drawn in it (a collapsed sub-process exported on its own) runs as a task of its name", async () => {
    const t = scenario("empty-called.bpmn", (a) => a.task("Check the paperwork", (ctx) => void (ctx.data.checked = true)));
    const data = await t.run();
    expect(t.ran).toEqual(["Check the paperwork"]);
    expect(data.checked).toBe(true);
  });
});
