import { UnmappedTaskError, type MappingProblem } from "../errors.js";
import type { GraphNode, ProcessGraph } from "../model/graph.js";
import { matchName, nameToPattern } from "./matcher.js";
import { CONDITIONAL_KINDS, KINDS } from "../model/kinds.js";
import { foldName } from "../model/name-template.js";
import type { Declaration, DeclarationKind, Registry } from "./registry.js";

/** The implementation chosen for one process element (or why there is none). */
export interface NodeBinding {
  node: GraphNode;
  declaration: Declaration | undefined;
  /** "missing" or "ambiguous" when the element cannot run */
  problem: "missing" | "ambiguous" | undefined;
  candidates: Declaration[];
}

export interface Rule {
  kinds: readonly DeclarationKind[];
  required: boolean;
  label: string;
}

const TASK: Rule = { kinds: ["task"], required: true, label: "task" };
const USER_TASK: Rule = { kinds: ["userTask"], required: true, label: "user task" };
/* a user task with a form drawn in the modeler shows that form when nothing implements it */
const FORM_TASK: Rule = { kinds: ["userTask"], required: false, label: "user task" };
const GATEWAY: Rule = { kinds: ["task"], required: false, label: "gateway" };
const DECISION: Rule = { kinds: ["task"], required: true, label: "decision" };
const MESSAGE: Rule = { kinds: ["message", "messageCallback"], required: true, label: "message event" };
/* a message flow may bring the message: a source is then optional */
const FED_MESSAGE: Rule = { kinds: ["message", "messageCallback"], required: false, label: "message event" };
/* a receive task runs as a task, or waits for the messages of a message() source (fromInbox: adhesive send) */
const RECEIVE: Rule = { kinds: ["task", "message", "messageCallback"], required: true, label: "receive task" };
const SEND: Rule = { kinds: ["task"], required: true, label: "message throw event" };
const SEND_ALONG_FLOW: Rule = { kinds: ["task"], required: false, label: "message throw event" };
const TIMER: Rule = { kinds: ["timer"], required: true, label: "timer" };
const CONDITION: Rule = { kinds: ["condition"], required: true, label: "condition" };
/* a sub-process or call activity whose loop marker has no expression: a task() of its name gives the loop */
const LOOP: Rule = { kinds: ["task"], required: true, label: "loop" };

export function ruleFor(node: GraphNode): Rule | undefined {
  if (node.timer !== undefined && node.schedule === undefined) return TIMER;
  if (CONDITIONAL_KINDS.has(node.kind) && node.condition === undefined) return CONDITION;
  switch (KINDS[node.kind].implementedBy) {
    case "task":
      return TASK;
    case "receive":
      return node.messageFed ? undefined : RECEIVE;
    case "userTask":
      return node.form !== undefined && node.form.length > 0 ? FORM_TASK : USER_TASK;
    case "message":
      // a kind that is a message event only when it names a message (a timer catch event, a multiple event)
      if (KINDS[node.kind].triggers.length > 1 && node.messageName === undefined) return undefined;
      return node.messageFed ? FED_MESSAGE : MESSAGE;
    case "send":
      return node.messageTargets !== undefined ? SEND_ALONG_FLOW : SEND;
    case "gateway":
      if (node.decides) return DECISION;
      return node.name ? GATEWAY : undefined;
    case "loop":
      return needsLoop(node) ? LOOP : undefined;
    default:
      return undefined;
  }
}

/** A loop marker without an expression: the loop comes from the `loop` option of the element's task(). */
export function needsLoop(node: GraphNode): boolean {
  const loop = node.loop;
  return loop !== undefined && loop.expression === undefined && loop.cardinality === undefined && loop.collection === undefined;
}

/** Matches every element that runs user code against the declarations (by its raw, un-interpolated name). */
export function bindNodes(graph: ProcessGraph, registry: Registry): NodeBinding[] {
  const bindings: NodeBinding[] = [];
  for (const node of graph.nodes) {
    const rule = ruleFor(node);
    if (!rule) continue;
    const candidates = receiving(node, candidatesFor(node, registry.ofKind(rule.kinds)));
    // a name with placeholders is matched again once rendered, so several candidates are fine until then
    const deferred = node.template.dynamic && candidates.length > 1;
    const problem = candidates.length > 1 && !deferred ? "ambiguous" : candidates.length === 0 && rule.required ? "missing" : undefined;
    bindings.push({ node, declaration: candidates.length === 1 ? candidates[0] : undefined, problem, candidates });
  }
  return bindings;
}

/**
 * Declarations that can run `node`: their patterns match its name as written,
 * or, for a name with placeholders (`Build {loop.value}`), one of their
 * literal names is a possible rendering of it (`Build linux`).
 */
function candidatesFor(node: GraphNode, all: readonly Declaration[]): Declaration[] {
  const declarations = needsLoop(node) ? all.filter((d) => d.options.loop !== undefined) : all;
  // a job type (zeebe:taskDefinition type, camunda:topic) decides before the name
  const typed = node.taskType === undefined ? [] : declarations.filter((d) => typesOf(d).includes(node.taskType!));
  if (typed.length > 0) return typed;
  const name = bindingName(node);
  // a receive task's source may name its message rather than the element ("Wait for payment" receiving "Payment Received")
  const message = node.kind === "receiveTask" && node.messageName !== undefined && node.messageName !== name ? node.messageName : undefined;
  const matches = (d: Declaration): boolean => matchName(d.patterns, name) !== undefined || (message !== undefined && isSource(d) && matchName(d.patterns, message) !== undefined);
  if (!node.template.dynamic) return declarations.filter(matches);
  const rendering = nameToPattern(name);
  const fitting = declarations.filter((d) => matches(d) || d.names.some((literal) => rendering.test(literal)));
  // whether a regular expression can match some rendering is undecidable here: leave it to the rendered name
  return fitting.length > 0 ? fitting : declarations.filter((d) => d.names.length < d.patterns.length);
}

/**
 * The implementation for a rendered task name among the load-time
 * candidates: the only one matching it, else the one whose literal name is
 * exactly it. Throws UnmappedTaskError otherwise.
 */
export function resolveRendered(binding: NodeBinding, taskName: string, file: string): Declaration {
  const { matching, chosen } = renderedMatch(binding, taskName);
  if (chosen) return chosen;
  const { node } = binding;
  const message =
    matching.length === 0
      ? `rendered as "${taskName}", which no implementation matches; add ${suggest(node, taskName)}`
      : `rendered as "${taskName}", which ${matching.length} implementations match: ${matching.map(describeDeclaration).join("; ")}`;
  throw new UnmappedTaskError(file, [{ elementId: node.id, name: node.name, kind: ruleFor(node)?.label ?? "task", message }]);
}

/** The load-time candidates matching a rendered name, and the one that runs it (undefined: missing or ambiguous). */
export function renderedMatch(binding: NodeBinding, taskName: string): { matching: Declaration[]; chosen: Declaration | undefined } {
  const matching = binding.candidates.filter((d) => matchName(d.patterns, taskName) !== undefined);
  const chosen = matching.length > 1 ? matching.filter((d) => d.names.includes(taskName)) : matching;
  return { matching, chosen: chosen.length === 1 ? chosen[0] : undefined };
}

/** Elements match by their name; an unnamed message event by the name of its message, anything else unnamed by its id. */
export function bindingName(node: GraphNode): string {
  return node.name || node.messageName || node.id;
}

/*
 * A receive task that a message() source names waits for it, even when a
 * task() matches it only by a pattern (a catch-all regex); a task() that
 * names it literally as well is ambiguous.
 */
function receiving(node: GraphNode, candidates: Declaration[]): Declaration[] {
  if (node.kind !== "receiveTask") return candidates;
  const sources = candidates.filter(isSource);
  if (sources.length === 0) return candidates;
  const name = foldName(bindingName(node));
  return candidates.filter((d) => isSource(d) || d.names.includes(name));
}

function isSource(declaration: Declaration): boolean {
  return declaration.kind === "message" || declaration.kind === "messageCallback";
}

function typesOf(declaration: Declaration): readonly string[] {
  const type = declaration.options.type;
  return type === undefined ? [] : Array.isArray(type) ? type : [type];
}

/** Throws one error naming every element without exactly one implementation. */
export function assertBound(bindings: readonly NodeBinding[], file: string): void {
  const problems: MappingProblem[] = [];
  for (const binding of bindings) {
    if (!binding.problem) continue;
    const rule = ruleFor(binding.node)!;
    problems.push({
      elementId: binding.node.id,
      name: bindingName(binding.node),
      kind: rule.label,
      message:
        binding.problem === "missing"
          ? `no implementation matches; add ${suggest(binding.node)}`
          : `matched by ${binding.candidates.length} implementations: ${binding.candidates.map(describeDeclaration).join("; ")}`,
    });
  }
  if (problems.length > 0) throw new UnmappedTaskError(file, problems);
}

export function describeDeclaration(declaration: Declaration): string {
  return `${declaration.kind}(${declaration.label})${declaration.origin ? ` at ${declaration.origin}` : ""}`;
}

export function suggest(node: GraphNode, rendered?: string): string {
  const name = JSON.stringify(rendered ?? bindingName(node));
  const matcher = needsLoop(node) ? `{ name: ${name}, loop: "items" }` : name;
  switch (KINDS[node.kind].implementedBy) {
    case "userTask":
      return `usertask(${matcher}, (ctx, ui) => { ... })`;
    case "message":
      if (node.timer !== undefined && node.messageName === undefined) return `timer(${name}, "PT5M")`;
      return `message(${name}, async function* (ctx) { ... })`;
    case "gateway":
      if (node.decides) return `gateway(${name}, (ctx) => "the name of the flow to take")`;
      return `task(${matcher}, async (ctx) => { ... })`;
    default:
      if (node.timer !== undefined) return `timer(${name}, "PT5M")`;
      if (CONDITIONAL_KINDS.has(node.kind)) return `condition(${name}, "approved === true")`;
      return `task(${matcher}, async (ctx) => { ... })`;
  }
}
