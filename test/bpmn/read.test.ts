import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadBpmn, readBpmn } from "../../src/bpmn/read.js";
import { InvalidBpmnError } from "../../src/errors.js";
import { problemsOf } from "./problems.js";
import type { NodeDefinition, ProcessDefinition, ScopeDefinition } from "../../src/model/definition.js";

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));
const conformance = join(fixtures, "conformance");
const broken = join(fixtures, "bpmn", "broken");
const modelers = join(fixtures, "bpmn", "modelers");

const conformanceFiles = (await readdir(conformance)).filter((file) => file.endsWith(".bpmn")).sort();
const runnableFiles = conformanceFiles;

function allScopes(scope: ScopeDefinition): ScopeDefinition[] {
  return [scope, ...scope.nodes.flatMap((node) => (node.children ? allScopes(node.children) : []))];
}

function node(process: ProcessDefinition, id: string): NodeDefinition {
  const found = allScopes(process.root)
    .flatMap((scope) => scope.nodes)
    .find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no node ${id} in ${process.source}`);
  return found;
}

function flow(process: ProcessDefinition, id: string) {
  const found = allScopes(process.root)
    .flatMap((scope) => scope.flows)
    .find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no flow ${id} in ${process.source}`);
  return found;
}

const conformanceFile = (name: string): Promise<ProcessDefinition> => loadBpmn(join(conformance, name));

describe("the conformance fixtures from the Python adhesive", () => {
  it("are all present", () => {
    expect(conformanceFiles).toHaveLength(54);
  });

  it.each(runnableFiles)("%s loads into a process model", async (file) => {
    const process = await conformanceFile(file);
    expect(process.source).toBe(join(conformance, file));
    expect(process.root.nodes.length).toBeGreaterThan(0);
  });

  it("reads a call activity of a global task as that task, named by the call activity", async () => {
    const process = await conformanceFile("unsupported-call-activity.bpmn");
    expect(process.root.nodes.find((node) => node.id === "_4")).toEqual({ id: "_4", name: "Call Activity", kind: "task" });
  });

  it("has only JavaScript in its conditions, loop expressions and scripts", async () => {
    for (const file of runnableFiles) {
      const process = await conformanceFile(file);
      for (const scope of allScopes(process.root)) {
        for (const { condition } of scope.flows) if (condition) expect(() => new Function(`return (${condition});`)).not.toThrow();
        for (const { loop, script } of scope.nodes) {
          if (loop?.expression) expect(() => new Function(`return (${loop.expression});`)).not.toThrow();
          if (script) {
            expect(script.format).toBe("javascript");
            expect(() => new Function(script.body)).not.toThrow();
          }
        }
      }
    }
  });
});

describe("mapping BPMN elements", () => {
  it("reads loops on tasks and on a sub-process, with a looped task nested inside", async () => {
    const process = await conformanceFile("loop.bpmn");
    expect(node(process, "_5")).toEqual({
      id: "_5",
      name: "Build Germanium Image on {loop.value}",
      kind: "task",
      loop: { expression: "data.test_platforms", sequential: false, testBefore: false, source: "standardLoop" },
    });
    const sub = node(process, "_10");
    expect(sub.kind).toBe("subProcess");
    expect(sub.loop).toEqual({ expression: "context.data.test_platforms", sequential: false, testBefore: false, source: "standardLoop" });
    expect(sub.children?.nodes.map((child) => child.id)).toEqual(["_9", "_13", "_15"]);
    expect(sub.children?.flows).toEqual([
      { id: "_14", source: "_13", target: "_9" },
      { id: "_16", source: "_9", target: "_15" },
    ]);
    expect(node(process, "_9").loop?.expression).toBe("context.data.test_browsers");
    expect(node(process, "_15").name).toBe("Cleanup Platform {loop.value}");
    expect(node(process, "_13").script?.body).toContain("context.data.platform = loop.value;");
  });

  it("reads a standard loop's testBefore (false unless the file says true, as BPMN has it) and loopMaximum", async () => {
    const doWhile = await loadBpmn(join(fixtures, "engine/loops/do-while.bpmn"));
    expect(node(doWhile, "attempt").loop).toEqual({ expression: "retry", sequential: false, testBefore: false, maximum: 4, source: "standardLoop" });
    const whileDo = await loadBpmn(join(fixtures, "engine/loops/while-do.bpmn"));
    expect(node(whileDo, "attempt").loop).toMatchObject({ testBefore: true, maximum: 4 });
  });

  it("reports a loopMaximum that is not a whole number of iterations", async () => {
    const xml = (await readFile(join(fixtures, "engine/loops/do-while.bpmn"), "utf8")).replace('loopMaximum="4"', 'loopMaximum="many"');
    const problems = await problemsOf(readBpmn(xml, "inline.bpmn"));
    expect(problems.map((p) => [p.elementId, p.message])).toEqual([["attempt", "loopMaximum must be a whole number of iterations (0 or more), got NaN"]]);
  });

  it("dedents an indented loop expression", async () => {
    const process = await conformanceFile("feature--bugs--indented_loop_expression--test.bpmn");
    expect(node(process, "_8").loop?.expression).toBe("servers");
  });

  it("reads the Python adhesive's multi-instance completionCondition as the loop expression", async () => {
    const serial = await conformanceFile("feature--loop--loop-serial--loop-serial.bpmn");
    expect(node(serial, "_3").loop).toEqual({ expression: "items", sequential: true, source: "multiInstance" });
    const parallel = await conformanceFile("feature--loop--loop-parallel-condition--loop-parallel-condition.bpmn");
    expect(node(parallel, "_4").loop).toEqual({ expression: "loop_condition", sequential: false, source: "multiInstance" });
  });

  it("assigns lanes from the lane set and leaves other nodes in the default lane", async () => {
    const process = await conformanceFile("lane.bpmn");
    for (const id of ["_5", "_6", "_14"]) expect(node(process, id).lane).toBe("docker: ubuntu:19.04");
    for (const id of ["_2", "_4", "_7", "_8"]) expect(node(process, id).lane).toBeUndefined();
  });

  it("lets nodes inside a sub-process inherit the sub-process lane", async () => {
    const process = await conformanceFile("feature--lane--docker--lane.bpmn");
    expect(node(process, "_19").lane).toBe("Docker Container");
    expect(node(process, "_6").lane).toBe("Docker Container");
    expect(node(process, "_4").lane).toBe("Docker Container");
    expect(node(process, "_9").lane).toBeUndefined();
  });

  it("keeps exclusive gateway conditions in document order, without inventing a default flow", async () => {
    const process = await conformanceFile("gateway-exclusive-sign.bpmn");
    expect(node(process, "_3")).toEqual({ id: "_3", name: "Exclusive Gateway", kind: "exclusiveGateway" });
    const outgoing = process.root.flows.filter((candidate) => candidate.source === "_3");
    expect(outgoing).toEqual([
      { id: "_14", source: "_3", target: "_5" },
      { id: "_16", source: "_3", target: "_6", condition: "data.not_existing" },
    ]);
  });

  it("reads timer boundary events of every kind", async () => {
    const process = await conformanceFile("event-timeout.bpmn");
    expect(node(process, "_11")).toEqual({
      id: "_11",
      name: "After 40 seconds",
      kind: "timerBoundaryEvent",
      attachedTo: "_3",
      interrupting: false,
      timer: { kind: "duration", value: "PT40S" },
    });
    expect(node(process, "_7").timer).toEqual({ kind: "duration", value: "PT1M" });
    expect(node(process, "_7").interrupting).toBe(true);
    expect(node(process, "_14").timer).toEqual({ kind: "cycle", value: "R/PT10S" });
    expect(node(process, "_18").timer).toEqual({ kind: "cycle", value: "R2/PT1M" });
    expect(node(process, "_20").timer).toEqual({ kind: "date", value: "2019-11-04T04:33:32" });
  });

  it("reads an error boundary event without an error reference as a catch-all", async () => {
    const process = await conformanceFile("error-event-interrupting.bpmn");
    expect(node(process, "_6")).toEqual({
      id: "_6",
      name: "",
      kind: "errorBoundaryEvent",
      attachedTo: "_3",
      interrupting: true,
    });
  });

  it("reads a message start event, named by the event when no message is referenced", async () => {
    const process = await conformanceFile("message-event.bpmn");
    expect(node(process, "_2")).toEqual({
      id: "_2",
      name: "File Change",
      kind: "messageStartEvent",
      messageName: "File Change",
    });
  });

  it("keeps the deliberately failing condition for the run to fail on", async () => {
    const process = await conformanceFile("feature--connection_eval_failure--test.bpmn");
    expect(flow(process, "_5").condition).toBe("not.correct.routing");
  });
});

describe("files from Camunda Modeler", () => {
  it("reads a Camunda 7 file: camunda:collection, JUEL conditions, cardinality, nested scope", async () => {
    const process = await loadBpmn(join(modelers, "camunda7-deploy.bpmn"));
    expect(process.id).toBe("Process_Deploy");
    expect(process.name).toBe("Deploy release");
    expect(node(process, "Activity_Build").kind).toBe("task");
    expect(node(process, "Activity_Approve").kind).toBe("userTask");
    expect(node(process, "Gateway_Env").defaultFlow).toBe("Flow_Staging");
    expect(flow(process, "Flow_Prod").condition).toBe('env == "prod"');
    expect(node(process, "Activity_Deploy").loop).toEqual({
      collection: "servers",
      elementVariable: "server",
      sequential: false,
      source: "multiInstance",
    });
    expect(node(process, "Activity_Verify").loop).toEqual({
      collection: "servers",
      elementVariable: "host",
      completionCondition: "nrOfCompletedInstances >= 2",
      sequential: true,
      source: "multiInstance",
    });
    expect(node(process, "Activity_Ping").loop).toEqual({ cardinality: "3", sequential: false, source: "multiInstance" });
    expect(node(process, "Activity_Record").script).toEqual({
      format: "javascript",
      body: "data.verified = (data.verified || 0) + 1;",
    });
    expect(node(process, "Event_DeployTimeout").timer).toEqual({ kind: "duration", value: "PT15M" });
  });

  it("reads a Camunda 8 file: zeebe:loopCharacteristics, FEEL conditions, messages", async () => {
    const process = await loadBpmn(join(modelers, "camunda8-orders.bpmn"));
    expect(node(process, "StartEvent_Order")).toMatchObject({ kind: "messageStartEvent", messageName: "New orders" });
    expect(node(process, "Gateway_Route").defaultFlow).toBe("Flow_Slow");
    expect(flow(process, "Flow_Fast").condition).toBe('=route = "fast"');
    expect(node(process, "Activity_Ship").loop).toEqual({
      collection: "=orders",
      elementVariable: "order",
      completionCondition: "=count(shipped) >= 10",
      outputCollection: "shipped",
      outputElement: "=trackingId",
      sequential: true,
      source: "multiInstance",
    });
    expect(node(process, "Event_Cancel")).toMatchObject({
      kind: "messageBoundaryEvent",
      name: "Order cancelled",
      attachedTo: "Activity_Ship",
      interrupting: false,
      messageName: "Cancel order",
    });
    expect(node(process, "Event_Wait")).toMatchObject({
      kind: "intermediateCatchEvent",
      timer: { kind: "duration", value: "PT5M" },
    });
  });
});

describe("files that cannot run", () => {
  const cases: Array<[string, string[]]> = [
    ["not-xml.bpmn", [""]],
    ["empty.bpmn", [""]],
    ["not-bpmn.bpmn", [""]],
    ["truncated.bpmn", [""]],
    ["no-process.bpmn", ["Defs_no_process"]],
    ["duplicate-ids.bpmn", ["Task_Same"]],
    [
      "dangling-flow.bpmn",
      ["Lane_1", "Catch_unknown_message", "Flow_to_nowhere", "Flow_from_nowhere", "Boundary_lost"],
    ],
    ["no-start.bpmn", ["Process_NoStart", "Sub_Loop"]],
    ["python-script.bpmn", ["Script_Python", "Script_Groovy", "Flow_2"]],
    [
      "unsupported-elements.bpmn",
      ["Call_Billing", "AdHoc_Checks", "Throw_Link", "Task_Complex"],
    ],
    [
      "bad-structure.bpmn",
      [
        "Sub_Message_Start",
        "Flow_into_sub",
        "Flow_into_start",
        "Flow_out_of_end",
        "Boundary_On_Gateway",
        "Task_A",
      ],
    ],
  ];

  it.each(cases)("%s is rejected with every problem listed", async (file, elementIds) => {
    const problems = await problemsOf(loadBpmn(join(broken, file)));
    expect(problems.map((problem) => problem.elementId).sort()).toEqual([...elementIds].sort());
    for (const problem of problems) expect(problem.message).not.toBe("");
  });

  it("names the file and every element in the error message", async () => {
    const file = join(broken, "python-script.bpmn");
    const error = await loadBpmn(file).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(InvalidBpmnError);
    expect((error as InvalidBpmnError).file).toBe(file);
    expect((error as InvalidBpmnError).message).toContain(file);
    expect((error as InvalidBpmnError).message).toContain('Script_Python: scriptTask "Prepare data" has scriptFormat "python"');
  });

  it("reports a file that does not exist as an InvalidBpmnError", async () => {
    const problems = await problemsOf(loadBpmn(join(broken, "does-not-exist.bpmn")));
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/cannot read the file: ENOENT/);
  });

  it("reports a directory as an InvalidBpmnError", async () => {
    await problemsOf(loadBpmn(broken));
  });

  it.each([
    ["a JSON document", '{"process": []}'],
    ["an HTML page", "<!doctype html><html><body>hi</body></html>"],
    ["BPMN in the wrong namespace", '<definitions xmlns="http://example.com"><process id="p"/></definitions>'],
    ["binary garbage", "\u0000\u0001\u0002PK\u0003\u0004"],
    ["a process with no elements", '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p"/></definitions>'],
  ])("answers %s with an InvalidBpmnError", async (_what, xml) => {
    const problems = await problemsOf(readBpmn(xml, "inline.bpmn"));
    expect(problems.length).toBeGreaterThan(0);
  });

  it("never crashes on any truncation of a real file", async () => {
    const xml = await readFile(join(conformance, "loop.bpmn"), "utf8");
    for (let length = 0; length < xml.length; length += 37) {
      const outcome = await readBpmn(xml.slice(0, length), "cut.bpmn").then(
        () => "ok",
        (error: unknown) => error,
      );
      if (outcome !== "ok") expect(outcome).toBeInstanceOf(InvalidBpmnError);
    }
  });
});
