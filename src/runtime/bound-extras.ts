import type { Context } from "../api/types.js";
import type { CompiledExpression } from "../model/expression.js";
import { compileExpression } from "../model/expression.js";
import type { GraphNode } from "../model/graph.js";
import type { TimerSchedule } from "../model/timer.js";
import type { NodeBinding } from "../tasks/binding.js";
import type { Declaration } from "../tasks/registry.js";
import { outsideTasks } from "../logs/console-capture.js";
import { UiBuilder, type UiProvider } from "../ui/form.js";
import { addModelerForm, typedAnswers } from "../ui/modeler-form.js";

export interface BoundLoop {
  expression: CompiledExpression;
  sequential: boolean;
}

/**
 * What the code supplies for a process drawn as a description: the loop of
 * a loop marker without an expression (the `loop` option of the element's
 * task()), the value of a timer without one (timer()), the condition of a
 * conditional event without one (condition()), and, for a user task
 * nothing implements, the form the modeler drew.
 */
export class BoundExtras {
  private readonly timers = new Map<GraphNode, TimerSchedule>();
  private readonly conditions = new Map<GraphNode, CompiledExpression>();
  private readonly sourced = new Set<GraphNode>();
  private readonly loops = new Map<Declaration, BoundLoop>();
  private readonly ui: UiProvider;

  constructor(bindings: readonly NodeBinding[], ui: UiProvider) {
    this.ui = ui;
    for (const { node, declaration } of bindings) {
      if (declaration?.kind === "timer") this.timers.set(node, (declaration.fn as () => TimerSchedule)());
      if (declaration?.kind === "condition") this.conditions.set(node, (declaration.fn as () => CompiledExpression)());
      if (declaration?.kind === "message" || declaration?.kind === "messageCallback") this.sourced.add(node);
    }
  }

  condition(node: GraphNode): CompiledExpression | undefined {
    return this.conditions.get(node);
  }

  /** Whether an event source sends to the node. */
  sends(node: GraphNode): boolean {
    return this.sourced.has(node);
  }

  schedule(node: GraphNode): TimerSchedule | undefined {
    return this.timers.get(node);
  }

  loop(node: GraphNode, binding: NodeBinding | undefined): BoundLoop | undefined {
    const declaration = binding?.declaration;
    const option = declaration?.options.loop;
    if (declaration === undefined || option === undefined) return undefined;
    let loop = this.loops.get(declaration);
    if (loop === undefined) {
      const text = typeof option === "string" ? option : option.expression;
      loop = { expression: compileExpression(text, node.id), sequential: typeof option !== "string" && option.sequential === true };
      this.loops.set(declaration, loop);
    }
    return loop;
  }

  /** A user task with a form drawn in the modeler runs that form when nothing implements it. */
  static showsForm(node: GraphNode): boolean {
    return node.kind === "userTask" && node.form !== undefined && node.form.length > 0;
  }

  async askForm(ctx: Context, node: GraphNode): Promise<void> {
    const fields = node.form!;
    // its token, so an answer from outside is acknowledged once the task's completion keeps it
    const ui = new UiBuilder(ctx.taskName, { elementId: ctx.task.id, tokenId: ctx.tokenId });
    addModelerForm(ui, fields);
    // the prompts draw on the terminal, not into the task's log
    const answers = await outsideTasks(() => this.ui.ask(ui.finish(), ctx.signal));
    Object.assign(ctx.data, typedAnswers(fields, answers));
  }
}
