/*
 * Files drawn for Camunda run unchanged: implementations match service
 * tasks by job type (zeebe:taskDefinition type, Camunda 7 external task
 * topic), the data mappings drawn (Zeebe ioMapping in FEEL, Camunda 7
 * inputOutput, call activity propagation) are applied, and a user task
 * with a form drawn in the modeler shows that form when nothing implements it.
 */
import { describe, expect, it } from "vitest";
import { scriptedUi, type UserTaskForm } from "adhesive-bpmn";
import { scenario } from "../engine/elements/scenario.js";

describe("Camunda 7 files", () => {
  it("match the external task topic, set the input parameters, take the output one, and show the form fields", async () => {
    const mails: unknown[] = [];
    const forms: UserTaskForm[] = [];
    const t = scenario("camunda7.bpmn", (a) =>
      a.task({ type: "send-email" }, (ctx) => {
        mails.push({ task: ctx.taskName, to: ctx.data.to, subject: ctx.data.subject, tags: ctx.data.tags });
        ctx.data.sent = true;
      }),
    );
    const ui = scriptedUi((form) => {
      forms.push(form);
      return { approved: "true", replicas: "3", region: "us" };
    });
    const data = await t.run({ initialData: { version: "2.1", channel: "stable" }, ui });
    expect(t.ran).toEqual(["Tell the team", "Approve release", "Tell the users"]);
    expect(mails[0]).toEqual({ task: "Tell the team", to: "team@example.com", subject: "Release 2.1", tags: ["release", "stable"] });
    expect(data.mailed).toBe(true);
    expect(forms[0].fields.map((field) => [field.kind, field.name, field.title, field.value])).toEqual([
      ["radioGroup", "approved", "Approve?", "false"],
      ["text", "replicas", "Replicas", "2"],
      ["combobox", "region", "Region", undefined],
      ["button", "OK", "OK", undefined],
    ]);
    expect(forms[0].fields[2].values).toEqual([["eu", "Europe"], ["us", "America"]]);
    // answers come back with the field's type
    expect(data).toMatchObject({ approved: true, replicas: 3, region: "us" });
  });
});

describe("Camunda 8 (Zeebe) files", () => {
  it("match the job type, apply FEEL ioMappings, keep the called process's data to itself but its output, and show the embedded form", async () => {
    const seen: Record<string, unknown> = {};
    const t = scenario("zeebe.bpmn", (a) => {
      a.task({ type: "credit-score" }, (ctx) => {
        seen.score = { name: ctx.data.name, bureau: ctx.data.bureau };
        ctx.data.score = 640;
      });
      a.task({ type: "rate-risk" }, (ctx) => {
        ctx.data.riskLevel = "medium";
        ctx.data.notes = "inside the risk process";
      });
    });
    const forms: UserTaskForm[] = [];
    const ui = scriptedUi((form) => {
      forms.push(form);
      return { decision: "grant" };
    });
    const data = await t.run({ initialData: { applicant: { name: "Ada" } }, ui });
    expect(t.ran).toEqual(["Score applicant", "Rate risk", "Decide"]);
    expect(seen.score).toEqual({ name: "Ada", bureau: "bank" });
    expect(data.creditworthy).toBe(true);
    // propagateAllChildVariables="false": only the output mapping comes back
    expect(data.risk).toBe("medium");
    expect(data.notes).toBeUndefined();
    expect(forms[0].fields.map((field) => [field.kind, field.name, field.value])).toEqual([
      ["combobox", "decision", undefined],
      ["text", "limit", "1000"],
      ["button", "OK", undefined],
    ]);
    expect(data).toMatchObject({ decision: "grant", limit: 1000 });
    // the form's own fields are the answers: the button that submits it is not data
    expect(data).not.toHaveProperty("OK");
  });

  it("a file that also declares the camunda namespace, as Web Modeler writes it, keeps its job types, mappings and forms", async () => {
    const seen: unknown[] = [];
    const t = scenario("../camunda/c8-both-namespaces.bpmn", (a) =>
      a.task({ type: "fetch-order" }, (ctx) => {
        seen.push(ctx.data.orderRef);
        ctx.data.status = "paid";
      }),
    );
    const forms: UserTaskForm[] = [];
    const ui = scriptedUi((form) => {
      forms.push(form);
      return { approved: "true", note: "looks fine" };
    });
    const data = await t.run({ initialData: { order: { id: "A-17" } }, ui });
    expect(seen).toEqual(["A-17"]);
    expect(forms[0].fields.map((field) => [field.kind, field.name])).toEqual([
      ["radioGroup", "approved"],
      ["text", "note"],
      ["button", "OK"],
    ]);
    // the input is the task's own; with an output mapping, only the output leaves a Zeebe task
    expect(data).toEqual({ order: { id: "A-17" }, orderStatus: "paid", approved: true, note: "looks fine" });
  });

  it("a job type decides before the name: a task() of the name is not used for a typed task", async () => {
    const t = scenario("zeebe.bpmn", (a) => {
      a.task("Score applicant", () => void (t.ran.push("by name")));
      a.task({ type: "credit-score" }, (ctx) => void (ctx.data.score = 500));
      a.task({ type: "rate-risk" }, (ctx) => void (ctx.data.riskLevel = "low"));
      a.usertask("Decide", () => undefined);
    });
    const data = await t.run({ initialData: { applicant: { name: "Bo" } }, ui: scriptedUi({}) });
    expect(t.ran).not.toContain("by name");
    expect(data.creditworthy).toBe(false);
  });
});
