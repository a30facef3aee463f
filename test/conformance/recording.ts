import { randomUUID } from "node:crypto";
import type { Adhesive, Context } from "../../src/index.js";
import type { ProcessDefinition, ScopeDefinition } from "../../src/model/definition.js";
import { barrier } from "../waiting.js";

/** The recording convention of shared/conformance/README.md: executions[taskName] is a Set of unique ids. */
export function record(ctx: Context): void {
  const executions = (ctx.data.executions ??= {}) as Record<string, Set<string>>;
  (executions[ctx.taskName] ??= new Set()).add(randomUUID());
}

export function executionCounts(data: Record<string, unknown>): Record<string, number> {
  const executions = (data.executions ?? {}) as Record<string, Set<string>>;
  return Object.fromEntries(Object.entries(executions).map(([name, ids]) => [name, ids.size]));
}

const RECORDING_NAMES = [
  "Ensure Docker Tooling",
  "Test Chrome",
  "Test Firefox",
  "Build Germanium Image",
  "Build Germanium Image on {loop.value}",
  "Prepare Firefox",
  "Exclusive Task Branch",
  "Populate task data",
  "Exclusive default branch",
  "Cleanup Broken Tasks",
  "Error Was Caught",
  "Error Was Not Caught",
];

/** Registers the scenario task implementations; `loops` maps element ids to their loop expression. */
export function registerConformanceTasks(adhesive: Adhesive, loops: Map<string, string>): void {
  const recordChecked = (ctx: Context) => {
    const expected = loops.get(ctx.task.id);
    if (expected !== undefined && ctx.loop?.expression !== expected) {
      throw new Error(`ctx.loop.expression is ${JSON.stringify(ctx.loop?.expression)}, expected ${JSON.stringify(expected)}`);
    }
    record(ctx);
  };
  adhesive.task(RECORDING_NAMES, recordChecked);
  adhesive.task({ re: [/^Cleanup Platform .*?$/, /^Test Browser .*? on .*?$/] }, recordChecked);
  // the original's Parallel 1..5 each slept a second, so that they overlapped; here they meet at a barrier,
  // which they can only if all five run at once (no time is assumed)
  const allFive = barrier(5, "Parallel tasks");
  adhesive.task({ re: /^Parallel \d+$/ }, async (ctx) => {
    await allFive();
    ((ctx.data.executions ??= new Set()) as Set<string>).add(ctx.taskName);
  });
  adhesive.task(["Throw Some Exception", "Throw Some Error"], (ctx) => {
    record(ctx);
    throw new Error("broken");
  });
  adhesive.task("Increment X by 1", (ctx) => {
    record(ctx);
    ctx.data.x = typeof ctx.data.x === "number" ? ctx.data.x + 1 : 1;
  });
  adhesive.task("Store current execution id", (ctx) => {
    record(ctx);
    ctx.data.execution_id = ctx.executionId;
  });
  adhesive.task({ re: /^sh:(.*)$/ }, async (ctx, command) => {
    record(ctx);
    await ctx.workspace.run(command);
  });
  adhesive.lane({ re: /^docker: (.*)$/ }, async function* (ctx) {
    yield ctx.workspace.clone();
  });
  adhesive.gateway("Complex Gateway", (ctx) => {
    ctx.data.selected_browsers = new Set(["firefox"]);
  });
  adhesive.usertask("Read Data From User", (_ctx, ui) => {
    ui.addInputText("branch", { title: "Branch" });
    ui.addInputPassword("password", { title: "Password" });
    ui.addCombobox("version", { title: "Version", values: ["12.0", "12.1", "12.2", "12.3"] });
    ui.addCheckboxGroup("run_tests", { title: "Run Tests", value: ["integration"], values: ["integration", "unit", "feature"] });
    ui.addRadioGroup("depman", { title: "Dependency Manager", values: ["maven", "gradle"] });
    ui.addDefaultButton("OK");
    ui.addDefaultButton("Cancel");
  });
}

/** Element id -> loop expression text, for the ctx.loop.expression check. */
export function loopExpressions(definition: ProcessDefinition): Map<string, string> {
  const result = new Map<string, string>();
  const visit = (scope: ScopeDefinition) => {
    for (const node of scope.nodes) {
      const text = node.loop?.expression ?? node.loop?.collection ?? node.loop?.cardinality;
      if (text !== undefined) result.set(node.id, text.trim());
      if (node.children) visit(node.children);
    }
  };
  visit(definition.root);
  return result;
}
