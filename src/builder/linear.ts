import { UsageError } from "../errors.js";
import type { LoopDefinition, NodeDefinition, NodeKind, ProcessDefinition } from "../model/definition.js";
import { foldName } from "../model/name-template.js";

/** The loop option of `task()` and the builder: an expression, or an expression with `sequential`. */
export type LoopOption =
  | string
  | {
      /** what to loop over: an expression giving a collection (one instance per item, `ctx.loop.value`) or a number of instances */
      expression: string;
      /** true: one instance after the other; default false (in parallel) */
      sequential?: boolean;
    };

/** Options a builder task or sub-process accepts. */
export interface StepOptions {
  /** runs the step once per item of a collection (a multi-instance marker in the diagram) */
  loop?: LoopOption;
  /** a condition over the data (JavaScript, or FEEL after `=`): the step runs when it holds and is skipped otherwise */
  when?: string;
  /** the lane the step is drawn in and whose lane function gives its workspace */
  lane?: string;
}

export interface LinearTask extends StepOptions {
  name: string;
  kind: Extract<NodeKind, "task" | "userTask">;
}

/**
 * The options arrive from plain JavaScript callers too; a wrong type would
 * otherwise surface much later as a confusing expression or lane error.
 */
export function checkStepOptions(call: string, options: unknown): StepOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new UsageError(`${call}: options must be an object like { loop, when, lane }`);
  }
  const { loop, when, lane, ...unknown } = options as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length > 0) throw new UsageError(`${call}: unknown option${extra.length > 1 ? "s" : ""} ${extra.join(", ")} (known: loop, when, lane)`);
  checkText(call, "when", when);
  checkText(call, "lane", lane);
  if (loop !== undefined) {
    const expression = typeof loop === "object" && loop !== null ? (loop as Record<string, unknown>).expression : loop;
    if (typeof expression !== "string" || expression.trim() === "") {
      throw new UsageError(`${call}: loop must be an expression string or { expression, sequential? }`);
    }
    const sequential = typeof loop === "object" && loop !== null ? (loop as Record<string, unknown>).sequential : undefined;
    if (sequential !== undefined && typeof sequential !== "boolean") throw new UsageError(`${call}: loop.sequential must be true or false`);
  }
  return options as StepOptions;
}

function checkText(call: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`${call}: ${option} must be a non-empty string`);
}

export function loopDefinition(loop: LoopOption | undefined): LoopDefinition | undefined {
  if (loop === undefined) return undefined;
  const { expression, sequential } = typeof loop === "string" ? { expression: loop, sequential: false } : loop;
  return { expression, sequential: sequential ?? false, source: "builder" };
}

/**
 * The node a builder step stands for; undefined options are left out so
 * definitions compare equal to what the BPMN reader produces.
 * `inheritedLane` is the lane of the enclosing sub-process: the reader gives
 * every node without a lane of its own the enclosing one, so the builder
 * does the same and a built process runs alike before and after toBpmnXml().
 */
export function stepNode(id: string, name: string, kind: NodeKind, options: StepOptions, inheritedLane?: string): NodeDefinition {
  const node: NodeDefinition = { id, name: foldName(name), kind };
  const loop = loopDefinition(options.loop);
  if (loop) node.loop = loop;
  if (options.when !== undefined) node.when = options.when;
  const lane = options.lane ?? inheritedLane;
  if (lane !== undefined) node.lane = lane;
  return node;
}

/** `build()`: start -> every declared task in declaration order -> end. */
export function linearDefinition(tasks: readonly LinearTask[]): ProcessDefinition {
  const nodes: NodeDefinition[] = [{ id: "start", name: "", kind: "startEvent" }];
  tasks.forEach((task, i) => nodes.push(stepNode(`task_${i + 1}`, task.name, task.kind, checkStepOptions(`task("${task.name}")`, pick(task)))));
  nodes.push({ id: "end", name: "", kind: "endEvent" });
  const flows = nodes.slice(1).map((node, i) => ({ id: `flow_${i + 1}`, source: nodes[i].id, target: node.id }));
  return { id: "linear", name: "linear build", source: "<build()>", root: { nodes, flows } };
}

/* Only the step options; undefined ones (from destructuring the declaration) are dropped. */
function pick(task: LinearTask): StepOptions {
  const options: StepOptions = {};
  if (task.loop !== undefined) options.loop = task.loop;
  if (task.when !== undefined) options.when = task.when;
  if (task.lane !== undefined) options.lane = task.lane;
  return options;
}
