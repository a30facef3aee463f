import type { NodeDefinition } from "../model/definition.js";
import { attrByLocalName, str, type ModdleElement } from "./moddle.js";
import { describeElement, problem, withoutUndefined, type ReadContext } from "./context.js";
import type { NodeBase } from "./events.js";
import { extension } from "./pools.js";

/*
 * What a script task runs: JavaScript in the BPMN script (with Camunda 7's
 * camunda:resultVariable, one expression whose value a data key gets), or
 * Camunda 8's zeebe:script, a FEEL expression and its result variable. A
 * Camunda 8 script task with a job type instead is a job (scriptJob).
 */

const JAVASCRIPT_FORMATS = new Set([
  "javascript",
  "js",
  "text/javascript",
  "application/javascript",
  "ecmascript",
  "text/ecmascript",
  "application/ecmascript",
]);

export function script(ctx: ReadContext, element: ModdleElement, base: NodeBase): NodeDefinition["script"] {
  if (element.$type !== "bpmn:ScriptTask" || scriptJob(element)) return undefined;
  const zeebe = extension(element, "zeebe:script");
  if (zeebe !== undefined) return zeebeScript(ctx, element, zeebe, base);
  const format = str(element, "scriptFormat")?.trim() || "javascript";
  if (!JAVASCRIPT_FORMATS.has(format.toLowerCase())) {
    problem(ctx, base.id, `${describeElement(element)} has scriptFormat "${format}"; only JavaScript scripts are supported`);
  }
  // Camunda 7: the script's value goes to this variable
  const resultVariable = (str(element, "resultVariable") ?? attrByLocalName(element, "resultVariable"))?.trim() || undefined;
  return withoutUndefined({ format, body: str(element, "script") ?? "", resultVariable });
}

/* Camunda 8: a script task with a job type and no script is a job a worker does, implemented like a service task */
export function scriptJob(element: ModdleElement): boolean {
  return element.$type === "bpmn:ScriptTask" && extension(element, "zeebe:taskdefinition") !== undefined && extension(element, "zeebe:script") === undefined;
}

/* Camunda 8: a FEEL expression whose value becomes the result variable */
function zeebeScript(ctx: ReadContext, element: ModdleElement, zeebe: ModdleElement, base: NodeBase): NodeDefinition["script"] {
  const expression = str(zeebe, "expression")?.trim() ?? "";
  const resultVariable = str(zeebe, "resultVariable")?.trim() ?? "";
  if (!expression.startsWith("=")) problem(ctx, base.id, `${describeElement(element)}: zeebe:script expression "${expression}" is no FEEL expression; write it with a leading =`);
  if (resultVariable === "") problem(ctx, base.id, `${describeElement(element)}: zeebe:script has no resultVariable to put the expression's value in`);
  return { format: "feel", body: expression, resultVariable };
}
