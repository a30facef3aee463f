import { cloneValue } from "../engine/clone.js";
import type { Data } from "../engine/data.js";
import { loopEntries, type LoopContext } from "../engine/loop-context.js";
import { ExpressionError, describe } from "../errors.js";
import type { GraphNode } from "../model/graph.js";

/** The names a templated element renders to, or why they cannot be known before it runs. */
export type Renderings = { names: string[] } | { unknown: string };

/* a loop over a large collection would give as many names; a sample this size finds a clash as well */
const MAX_RENDERINGS = 500;

interface Iteration {
  loop: LoopContext | undefined;
  data: Data;
}

/**
 * Renders `Build {loop.value}`-style names the way the engine will, from the
 * initial data: the loops of the element and of the sub-processes around it
 * are evaluated with that data, outermost first. This is only what the run
 * would render if no task before the element changed the data the names and
 * loops read; a placeholder or loop that needs data set while running
 * (`{event.repo}`, a key a task sets) cannot be known here.
 */
export function renderingsFromData(node: GraphNode, initialData: Data): Renderings {
  let iterations: Iteration[] = [{ loop: undefined, data: initialData }];
  for (const looped of loopedScopes(node)) {
    const next: Iteration[] = [];
    for (const iteration of iterations) {
      const entries = loopValues(looped, iteration);
      if (typeof entries === "string") return { unknown: entries };
      for (const [index, [key, value]] of entries.entries()) {
        const variable = looped.loop!.elementVariable;
        const data = variable === undefined ? iteration.data : { ...iteration.data, [variable]: value };
        const loop: LoopContext = { index, key, value, expression: looped.loop!.text, parent: iteration.loop, node: looped };
        next.push({ loop, data });
      }
      if (next.length > MAX_RENDERINGS) break;
    }
    iterations = next.slice(0, MAX_RENDERINGS);
  }
  const names = new Set<string>();
  for (const { loop, data } of iterations) {
    const name = node.template.render({ data, loop });
    const unresolved = /\{[^{}]+\}/.exec(name);
    if (unresolved) return { unknown: `${unresolved[0]} has no value in the initial data` };
    names.add(name);
  }
  return { names: [...names] };
}

/** The element itself if it loops, and every looped sub-process around it, outermost first. */
function loopedScopes(node: GraphNode): GraphNode[] {
  const chain: GraphNode[] = [];
  for (let current: GraphNode | undefined = node; current !== undefined; current = current.scope.owner) {
    if (current.loop !== undefined) chain.unshift(current);
  }
  return chain;
}

/** The iterations a loop would make, or why they cannot be known. */
function loopValues(node: GraphNode, { loop, data }: Iteration): Array<[unknown, unknown]> | string {
  const compiled = node.loop!;
  const expression = compiled.cardinality ?? compiled.collection ?? compiled.expression;
  if (expression === undefined) return `the loop on ${node.id} has no expression`;
  let value: unknown;
  try {
    // a copy: an expression may change what it reads, and this is not a run
    const own = cloneValue(data);
    const task = { id: node.id, name: node.name, type: node.kind };
    value = expression.evaluate({ data: own, context: { data: own, loop, task }, task, taskName: node.name, loop, lane: node.lane });
  } catch (error) {
    const reason = error instanceof ExpressionError && error.cause !== undefined ? error.cause : error;
    return `the loop \`${expression.text}\` on ${node.id} fails with the initial data: ${describe(reason)}`;
  }
  if (compiled.cardinality !== undefined) {
    const count = Number(value);
    if (!Number.isInteger(count) || count < 0) return `the loop cardinality \`${expression.text}\` on ${node.id} is ${String(value)} with the initial data`;
    return Array.from({ length: count }, (_, i) => [i, i]);
  }
  const entries = loopEntries(value, compiled.testBefore);
  if (entries !== undefined && compiled.maximum !== undefined) return entries.slice(0, compiled.maximum);
  return entries ?? `${node.id} loops while \`${expression.text}\` holds, re-evaluated as it runs`;
}
