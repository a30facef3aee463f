import type { ExpressionScope } from "../model/expression.js";
import type { TaskContext, TaskNodeInfo } from "./context.js";
import type { Token } from "./token.js";

/** What conditions, scripts and mappings see: a script gets the task's copy-on-write view; conditions read the token's data as it is. */
export function expressionScope(token: Token, task: TaskNodeInfo, executionId: string, context?: TaskContext): ExpressionScope {
  const data = context !== undefined ? context.data : token.ref.data;
  return {
    data,
    context: context ?? { data, loop: token.loop, task, executionId },
    task,
    taskName: token.taskName || token.node.name,
    loop: token.loop,
    lane: token.node.lane,
  };
}
