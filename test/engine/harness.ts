import { Engine, type NodeRunner } from "../../src/engine/engine.js";
import type { TaskContext } from "../../src/engine/context.js";
import type { Data } from "../../src/engine/data.js";
import { compileProcess } from "../../src/model/compile.js";
import type { FlowDefinition, NodeDefinition, NodeKind, ProcessDefinition } from "../../src/model/definition.js";
import type { GraphNode } from "../../src/model/graph.js";

/** Terse process definitions for engine scenarios: nodes by id, flows as "a->b" or ["a", "b", condition]. */
export function definition(nodes: Array<Partial<NodeDefinition> & { id: string; kind: NodeKind }>, flows: Array<string | [string, string, string?]>): ProcessDefinition {
  return {
    id: "test",
    name: "test",
    source: "<test>",
    root: {
      nodes: nodes.map((n) => ({ name: n.id, ...n })),
      flows: flows.map(toFlow),
    },
  };
}

let flowCount = 0;
function toFlow(flow: string | [string, string, string?]): FlowDefinition {
  const [source, target, condition] = typeof flow === "string" ? (flow.split("->") as [string, string]) : flow;
  return { id: `f${++flowCount}_${source}_${target}`, source, target, condition };
}

export type TaskImpl = (ctx: TaskContext) => unknown;

/** Runs a definition with plain functions keyed by task name; returns the final data and the execution log. */
export async function run(def: ProcessDefinition, tasks: Record<string, TaskImpl>, options: { waitTasks?: boolean; poolSize?: number; initialData?: Data; signal?: AbortSignal } = {}) {
  const log: string[] = [];
  const runner: NodeRunner = {
    implements: (node: GraphNode) => node.kind === "task" || node.name in tasks,
    run(ctx, node) {
      log.push(ctx.taskName);
      const fn = tasks[node.name] ?? tasks["*"];
      return fn?.(ctx);
    },
  };
  const engine = new Engine(compileProcess(def), {
    executionId: "exec",
    waitTasks: options.waitTasks ?? true,
    poolSize: options.poolSize ?? 8,
    runner,
    signal: options.signal,
  });
  const data = await engine.start(options.initialData ?? {});
  return { data, log, engine };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
