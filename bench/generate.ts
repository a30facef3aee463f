/**
 * BPMN XML for the benchmark workloads, generated in code so the big graphs
 * (1000 branches, 10k-task chains) need no checked-in files. Both engines
 * read exactly the same XML; only the start event differs (adhesive starts
 * the seed/scale instances from a message start event, bpmn-engine from a
 * plain one, one engine instance per event).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type StartKind = "plain" | "message";
/** `task`: a no-op bpmn:task; `serviceTask`: calls environment.services.park (bpmn-engine in-flight runs) */
export type TaskKind = "task" | "serviceTask";

export interface Shape {
  start?: StartKind;
  task?: TaskKind;
}

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="bench-definitions" targetNamespace="http://adhesive/bench">`;

function startEvent(kind: StartKind): string {
  if (kind === "plain") return `    <bpmn:startEvent id="start" name="Event" />`;
  return `    <bpmn:startEvent id="start" name="Event"><bpmn:messageEventDefinition messageRef="Message_Event" /></bpmn:startEvent>`;
}

function taskElement(kind: TaskKind, id: string, name: string): string {
  if (kind === "task") return `<bpmn:task id="${id}" name="${name}" />`;
  return `<bpmn:serviceTask id="${id}" name="${name}" implementation="\${environment.services.park}" />`;
}

function flow(id: string, source: string, target: string): string {
  return `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}" />`;
}

function document(body: string[], start: StartKind): string {
  const message = start === "message" ? [`  <bpmn:message id="Message_Event" name="Event" />`] : [];
  return [HEAD, ...message, `  <bpmn:process id="bench" name="bench" isExecutable="true">`, ...body, `  </bpmn:process>`, `</bpmn:definitions>`, ""].join("\n");
}

/** start -> parallel fork -> `branches` no-op tasks -> parallel join -> end (the seed graph is wide(5)). */
export function wideXml(branches: number, shape: Shape = {}): string {
  const start = shape.start ?? "plain";
  const task = shape.task ?? "task";
  const body = [startEvent(start), `    <bpmn:parallelGateway id="fork" />`, `    <bpmn:parallelGateway id="join" />`, `    <bpmn:endEvent id="end" />`];
  body.push(`    ${flow("f0", "start", "fork")}`);
  for (let i = 1; i <= branches; i++) {
    body.push(`    ${taskElement(task, `t${i}`, `Task ${i}`)}`);
    body.push(`    ${flow(`f${i}`, "fork", `t${i}`)}`);
    body.push(`    ${flow(`j${i}`, `t${i}`, "join")}`);
  }
  body.push(`    ${flow("fe", "join", "end")}`);
  return document(body, start);
}

/** start -> t1 -> t2 -> ... -> t`length` -> end */
export function deepXml(length: number, shape: Shape = {}): string {
  const task = shape.task ?? "task";
  const body = [startEvent("plain"), `    <bpmn:endEvent id="end" />`];
  let previous = "start";
  for (let i = 1; i <= length; i++) {
    body.push(`    ${taskElement(task, `t${i}`, `Task ${i}`)}`);
    body.push(`    ${flow(`f${i}`, previous, `t${i}`)}`);
    previous = `t${i}`;
  }
  body.push(`    ${flow("fe", previous, "end")}`);
  return document(body, "plain");
}

/**
 * start -> sub-process looped `iterations` times, one after the other
 * (sequential multi-instance with a cardinality) -> end; the sub-process runs
 * start -> one no-op task -> end per iteration.
 */
export function loopXml(iterations: number): string {
  const body = [
    startEvent("plain"),
    `    <bpmn:subProcess id="loop" name="Loop">`,
    `      <bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>${iterations}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>`,
    `      <bpmn:startEvent id="inner_start" />`,
    `      ${taskElement("task", "inner_task", "Iteration")}`,
    `      <bpmn:endEvent id="inner_end" />`,
    `      ${flow("i1", "inner_start", "inner_task")}`,
    `      ${flow("i2", "inner_task", "inner_end")}`,
    `    </bpmn:subProcess>`,
    `    <bpmn:endEvent id="end" />`,
    `    ${flow("f1", "start", "loop")}`,
    `    ${flow("f2", "loop", "end")}`,
  ];
  return document(body, "plain");
}

/** A scratch folder for generated files, removed at exit. */
/**
 * start -> one task looped in parallel over `expression` (adhesive's loop
 * expression) -> end: the README's `loop: "platforms"` pattern, to show what
 * forking costs when data holds a big value (issue 11, item 5).
 */
export function dataLoopXml(expression: string): string {
  const body = [
    startEvent("plain"),
    `    <bpmn:task id="each" name="Each"><bpmn:multiInstanceLoopCharacteristics><bpmn:completionCondition>${expression}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`,
    `    <bpmn:endEvent id="end" />`,
    `    ${flow("f1", "start", "each")}`,
    `    ${flow("f2", "each", "end")}`,
  ];
  return document(body, "plain");
}

export function scratchFolder(): { dir: string; write(name: string, xml: string): string } {
  const dir = mkdtempSync(join(tmpdir(), "adhesive-bench-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name, xml) {
      const file = join(dir, name);
      writeFileSync(file, xml);
      return file;
    },
  };
}
