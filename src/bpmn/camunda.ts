import type { CallDataDefinition, FormFieldDefinition, MappingDefinition, NodeDefinition } from "../model/definition.js";
import { attrByLocalName, child, children, str, type ModdleElement } from "./moddle.js";
import { fileExpression, problem, withoutUndefined, type ReadContext } from "./context.js";
import { extension, extensions } from "./pools.js";
import { juelBody } from "../model/juel.js";
import { foldName } from "./text.js";

/*
 * What Camunda Modeler writes for its engines, read so such files run
 * unchanged: job types (Zeebe `zeebe:taskDefinition type`, Camunda 7
 * external task `camunda:topic`), data mappings (Zeebe `ioMapping`, Camunda 7
 * `camunda:inputOutput`, call activity `camunda:in`/`camunda:out` and Zeebe
 * variable propagation) and user task forms (Camunda 7 `camunda:formData`,
 * a Zeebe form embedded in the file).
 */

/** The job type implementations match: `task({ type: "send-email" }, fn)`. */
export function taskType(element: ModdleElement): string | undefined {
  const zeebe = str(extension(element, "zeebe:taskdefinition"), "type")?.trim();
  const topic = (str(element, "topic") ?? attrByLocalName(element, "topic"))?.trim();
  return zeebe || topic || undefined;
}

/**
 * Data set before the activity and data taken from its result. Inputs are
 * local variables of the activity, as both Camunda engines scope them: the
 * activity sees them, the process keeps its own values after it. A Zeebe
 * task with outputs keeps what its job wrote to itself (`task`: the
 * element is a task, whose job completion Zeebe scopes so).
 */
export function dataMappings(ctx: ReadContext, element: ModdleElement, elementId: string, task = false): Pick<NodeDefinition, "inputs" | "outputs" | "onlyOutputs"> {
  const zeebe = extension(element, "zeebe:iomapping");
  const camunda = extension(element, "camunda:inputoutput");
  const zeebeOutputs = zeebeMappings(zeebe, "outputParameters");
  const inputs = [...zeebeMappings(zeebe, "inputParameters"), ...camundaMappings(ctx, camunda, "inputParameters", elementId)];
  const outputs = [...zeebeOutputs, ...camundaMappings(ctx, camunda, "outputParameters", elementId)];
  return {
    inputs: inputs.length > 0 ? inputs : undefined,
    outputs: outputs.length > 0 ? outputs : undefined,
    // adhesive:onlyOutputs: what toBpmnXml writes for a Zeebe task's mappings, which it writes as Camunda 7's
    onlyOutputs: task && outputs.length > 0 && (zeebeOutputs.length > 0 || attrByLocalName(element, "onlyOutputs") === "true") ? true : undefined,
  };
}

/** What a call activity passes in and gives back: everything unless the file maps variables. */
export function callData(ctx: ReadContext, element: ModdleElement, elementId: string): Pick<NodeDefinition, "callIn" | "callOut"> {
  const zeebe = extension(element, "zeebe:calledelement");
  const { inputs = [], outputs = [] } = dataMappings(ctx, element, elementId);
  const callIn = binding(ctx, extensions(element, "camunda:in"), zeebe?.propagateAllParentVariables, inputs, elementId);
  const callOut = binding(ctx, extensions(element, "camunda:out"), zeebe?.propagateAllChildVariables, outputs, elementId);
  if (inputs.length > 0) callIn.locals = inputs.map((input) => input.target);
  return { callIn, callOut };
}

function binding(ctx: ReadContext, camunda: ModdleElement[], propagateAll: unknown, mappings: MappingDefinition[], elementId: string): CallDataDefinition {
  const all = camunda.length === 0 ? propagateAll !== false : camunda.some((entry) => str(entry, "variables") === "all");
  const mapped = camunda.flatMap((entry): MappingDefinition[] => {
    const target = str(entry, "target")?.trim();
    const source = str(entry, "source")?.trim();
    const sourceExpression = str(entry, "sourceExpression");
    if (!target) return [];
    if (sourceExpression?.trim()) return [{ target, source: juel(ctx, sourceExpression, elementId) }];
    return source ? [{ target, source: dataKey(source) }] : [];
  });
  return { all, mappings: [...mapped, ...mappings] };
}

function zeebeMappings(ioMapping: ModdleElement | undefined, property: string): MappingDefinition[] {
  if (ioMapping === undefined) return [];
  return children(ioMapping, property).flatMap((parameter): MappingDefinition[] => {
    const target = str(parameter, "target")?.trim();
    const source = str(parameter, "source")?.trim() ?? "";
    if (!target) return [];
    // a source without "=" is a static value
    return [{ target, source: source.startsWith("=") ? source : JSON.stringify(source) }];
  });
}

function camundaMappings(ctx: ReadContext, inputOutput: ModdleElement | undefined, property: string, elementId: string): MappingDefinition[] {
  if (inputOutput === undefined) return [];
  return children(inputOutput, property).flatMap((parameter): MappingDefinition[] => {
    const target = str(parameter, "name")?.trim();
    if (!target) return [];
    const definition = child(parameter, "definition");
    const source = definition !== undefined ? definitionValue(ctx, definition, elementId) : juel(ctx, str(parameter, "value") ?? "", elementId);
    return source === undefined ? [] : [{ target, source }];
  });
}

/* camunda:list and camunda:map become JavaScript literals of their (JUEL) values */
function definitionValue(ctx: ReadContext, definition: ModdleElement, elementId: string): string | undefined {
  switch (definition.$type) {
    case "camunda:List":
      return `[${children(definition, "items").map((item) => definitionValue(ctx, item, elementId) ?? "null").join(", ")}]`;
    case "camunda:Map":
      return `({${children(definition, "entries").map((entry) => `${JSON.stringify(str(entry, "key") ?? "")}: ${entryValue(ctx, entry, elementId)}`).join(", ")}})`;
    case "camunda:Value":
      return juel(ctx, str(definition, "value") ?? "", elementId);
    default:
      problem(ctx, elementId, `input/output parameter with ${definition.$type.split(":").pop()} is not supported; use a value or an expression`);
      return undefined;
  }
}

function entryValue(ctx: ReadContext, entry: ModdleElement, elementId: string): string {
  const definition = child(entry, "definition");
  return (definition !== undefined ? definitionValue(ctx, definition, elementId) : juel(ctx, str(entry, "value") ?? "", elementId)) ?? "null";
}

/**
 * A Camunda 7 value as a JavaScript expression: `${x.y}` is the expression
 * (JUEL, see fileExpression), text with `${...}` inside is a template
 * literal (the same syntax), other text is that string.
 */
function juel(ctx: ReadContext, text: string, elementId: string): string {
  if (juelBody(text) !== undefined) return fileExpression(ctx, text, elementId) ?? '""';
  if (text.trim() === "") return '""';
  return text.includes("${") ? `\`${text.replace(/`/g, "\\`")}\`` : JSON.stringify(text);
}

/* a variable name read as a data key: absent is undefined, not a ReferenceError */
function dataKey(name: string): string {
  return `data[${JSON.stringify(name)}]`;
}

const CAMUNDA_TYPES: ReadonlyMap<string, FormFieldDefinition["type"]> = new Map<string, FormFieldDefinition["type"]>([
  ["string", "string"],
  ["long", "long"],
  ["boolean", "boolean"],
  ["date", "date"],
  ["enum", "enum"],
]);

/** The form of a user task drawn in the modeler, if it has one the file itself holds. */
export function formFields(ctx: ReadContext, element: ModdleElement, process: ModdleElement | undefined): FormFieldDefinition[] | undefined {
  const formData = extension(element, "camunda:formdata");
  if (formData !== undefined) return camundaForm(formData);
  const key = str(extension(element, "zeebe:formdefinition"), "formKey") ?? attrByLocalName(element, "formKey");
  const embedded = key?.match(/^camunda-forms:bpmn:(.+)$/)?.[1];
  if (embedded === undefined || process === undefined) return undefined;
  const form = extensions(process, "zeebe:usertaskform").find((candidate) => str(candidate, "id") === embedded);
  const body = str(form, "body");
  if (body === undefined) return undefined;
  try {
    return zeebeForm(JSON.parse(body) as unknown);
  } catch {
    problem(ctx, str(element, "id") ?? "", `the form ${embedded} is not valid JSON`);
    return undefined;
  }
}

function camundaForm(formData: ModdleElement): FormFieldDefinition[] {
  return children(formData, "fields").flatMap((field): FormFieldDefinition[] => {
    const id = str(field, "id")?.trim();
    if (!id) return [];
    const values = children(field, "values").map((value) => ({ id: str(value, "id") ?? "", name: str(value, "name") ?? str(value, "id") ?? "" }));
    return [
      withoutUndefined({
        id,
        label: foldName(str(field, "label")) || id,
        type: CAMUNDA_TYPES.get(str(field, "type") ?? "string") ?? "string",
        values: values.length > 0 ? values : undefined,
        defaultValue: str(field, "defaultValue"),
      }),
    ];
  });
}

interface FormJsComponent {
  key?: unknown;
  label?: unknown;
  type?: unknown;
  values?: unknown;
  defaultValue?: unknown;
  components?: unknown;
}

const FORM_JS_TYPES: ReadonlyMap<string, FormFieldDefinition["type"]> = new Map<string, FormFieldDefinition["type"]>([
  ["textfield", "string"],
  ["textarea", "string"],
  ["number", "long"],
  ["checkbox", "boolean"],
  ["select", "enum"],
  ["radio", "enum"],
  ["datetime", "date"],
]);

/* form-js schema: components (nested in groups) with a key are the fields */
function zeebeForm(schema: unknown): FormFieldDefinition[] {
  const fields: FormFieldDefinition[] = [];
  const pending = [schema as FormJsComponent];
  for (let component = pending.shift(); component !== undefined; component = pending.shift()) {
    if (Array.isArray(component.components)) pending.push(...(component.components as FormJsComponent[]));
    const type = typeof component.type === "string" ? FORM_JS_TYPES.get(component.type) : undefined;
    if (type === undefined || typeof component.key !== "string") continue;
    const values = Array.isArray(component.values)
      ? (component.values as Array<{ value?: unknown; label?: unknown }>).map((v) => ({ id: String(v.value ?? ""), name: String(v.label ?? v.value ?? "") }))
      : undefined;
    fields.push(withoutUndefined({ id: component.key, label: typeof component.label === "string" ? component.label : component.key, type, values, defaultValue: component.defaultValue === undefined ? undefined : String(component.defaultValue) }));
  }
  return fields;
}
