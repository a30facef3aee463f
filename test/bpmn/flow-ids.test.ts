/*
 * Elements without an id: BPMN makes the id optional, and a sequence flow
 * needs none to be followed, so one without gets `Source->Target`; a flow
 * node without one cannot be reached and is refused naming it. Never a
 * bare "duplicate id".
 */
import { describe, expect, it } from "vitest";
import { Adhesive, InvalidBpmnError, loadBpmn } from "adhesive-bpmn";
import { fixture } from "../engine/elements/scenario.js";

const FLOWS = fixture("../camunda/flows-without-ids.bpmn");

describe("elements without an id", () => {
  // bpmn-engine cannot run this file: it names a flow's consumer by the flow's id ("Consumer tag must be unique")
  it("sequence flows without an id run", async () => {
    const adhesive = new Adhesive();
    const ran: string[] = [];
    adhesive.task(["Prepare", "Pack", "Print label", "Ship"], (ctx) => void ran.push(ctx.taskName));
    await adhesive.bpmnBuild(FLOWS);
    expect(ran.sort()).toEqual(["Pack", "Prepare", "Print label", "Ship"]);
  });

  it("a flow without an id is named by its source and target", async () => {
    const definition = await loadBpmn(FLOWS);
    expect(definition.root.flows.map((flow) => flow.id)).toContain("Task_Pack->Join");
  });

  it("two such flows between the same pair get distinct ids; a task without an id is refused, named", async () => {
    const error = await loadBpmn(fixture("../camunda/nodes-without-ids.bpmn")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidBpmnError);
    expect((error as InvalidBpmnError).problems).toEqual([{ elementId: "", message: 'task "Forgotten" has no id; a flow node needs one for sequence flows to refer to it' }]);
    // the two flows Start -> Task_Check got Start->Task_Check and Start->Task_Check#2
    expect((error as Error).message).not.toMatch(/duplicate id/);
  });
});
