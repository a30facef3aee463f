import type { TaskContext } from "../engine/context.js";
import type { NodeRunner } from "../engine/engine.js";
import type { GraphNode } from "../model/graph.js";
import type { NodeBinding } from "../tasks/binding.js";
import { matchName } from "../tasks/matcher.js";
import type { Declaration, Registry } from "../tasks/registry.js";
import { UiBuilder, type UiProvider } from "../ui/form.js";
import type { Context, TaskFunction, UserTaskFunction } from "../api/types.js";
import type { LocalWorkspace } from "../workspaces/local.js";

/** Calls the user's functions for the engine: picks the implementation, its regex groups and the workspace. */
export class TaskRunner implements NodeRunner {
  private readonly bound: Array<Declaration | undefined>;
  private readonly registry: Registry;
  private readonly workspace: LocalWorkspace;
  private readonly ui: UiProvider;

  constructor(nodeCount: number, bindings: readonly NodeBinding[], registry: Registry, workspace: LocalWorkspace, ui: UiProvider) {
    this.bound = new Array<Declaration | undefined>(nodeCount);
    for (const binding of bindings) this.bound[binding.node.index] = binding.declaration;
    this.registry = registry;
    this.workspace = workspace;
    this.ui = ui;
  }

  implements(node: GraphNode): boolean {
    return this.bound[node.index] !== undefined;
  }

  run(task: TaskContext, node: GraphNode): unknown {
    const ctx = task as unknown as Context;
    // a view per task so its commands die with its token (ctx.signal is only created if a command runs)
    ctx.workspace = this.workspace.view(() => task.signal, undefined);
    const declaration = this.resolve(node, task.taskName);
    const groups = matchName(declaration.patterns, task.taskName) ?? matchName(declaration.patterns, node.name) ?? [];
    if (declaration.kind === "userTask") return this.runUserTask(ctx, declaration.fn as UserTaskFunction, groups);
    return (declaration.fn as TaskFunction)(ctx, ...groups);
  }

  /** Names are matched again after interpolation: an exact match on the rendered name wins over the load-time one. */
  private resolve(node: GraphNode, taskName: string): Declaration {
    const bound = this.bound[node.index]!;
    if (!node.template.dynamic) return bound;
    const rendered = this.registry.ofKind([bound.kind]).filter((d) => matchName(d.patterns, taskName) !== undefined);
    return rendered.length === 1 ? rendered[0] : bound;
  }

  private async runUserTask(ctx: Context, fn: UserTaskFunction, groups: string[]): Promise<void> {
    const ui = new UiBuilder(ctx.taskName);
    await fn(ctx, ui, ...groups);
    const answers = await this.ui.ask(ui.finish(), ctx.signal);
    Object.assign(ctx.data, answers);
  }
}
