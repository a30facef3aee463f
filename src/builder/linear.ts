import type { LoopDefinition, NodeDefinition, NodeKind, ProcessDefinition } from "../model/definition.js";
import { foldName } from "../model/name-template.js";

/** The loop option of `task()` and the builder: an expression, or an expression with `sequential`. */
export type LoopOption = string | { expression: string; sequential?: boolean };

/** Options a builder task or sub-process accepts. */
export interface StepOptions {
  loop?: LoopOption;
  when?: string;
  lane?: string;
}

export interface LinearTask extends StepOptions {
  name: string;
  kind: Extract<NodeKind, "task" | "userTask">;
}

export function loopDefinition(loop: LoopOption | undefined): LoopDefinition | undefined {
  if (loop === undefined) return undefined;
  const { expression, sequential } = typeof loop === "string" ? { expression: loop, sequential: false } : loop;
  return { expression, sequential: sequential ?? false, source: "builder" };
}

/** The node a builder step stands for; undefined options are left out so definitions compare equal. */
export function stepNode(id: string, name: string, kind: NodeKind, options: StepOptions): NodeDefinition {
  const node: NodeDefinition = { id, name: foldName(name), kind };
  const loop = loopDefinition(options.loop);
  if (loop) node.loop = loop;
  if (options.when !== undefined) node.when = options.when;
  if (options.lane !== undefined) node.lane = options.lane;
  return node;
}

/** `build()`: start -> every declared task in declaration order -> end. */
export function linearDefinition(tasks: readonly LinearTask[]): ProcessDefinition {
  const nodes: NodeDefinition[] = [{ id: "start", name: "", kind: "startEvent" }];
  tasks.forEach((task, i) => nodes.push(stepNode(`task_${i + 1}`, task.name, task.kind, task)));
  nodes.push({ id: "end", name: "", kind: "endEvent" });
  const flows = nodes.slice(1).map((node, i) => ({ id: `flow_${i + 1}`, source: nodes[i].id, target: node.id }));
  return { id: "linear", name: "linear build", source: "<build()>", root: { nodes, flows } };
}
