import type { NodeDefinition, NodeKind, ProcessDefinition } from "../model/definition.js";

/** An element of the process a journal's header holds, as the console names it. */
export interface ElementInfo {
  name: string;
  kind: NodeKind;
}

/** Element names and kinds by id, sub-processes and pools included. */
export function elementsOf(definition: ProcessDefinition | undefined): Map<string, ElementInfo> {
  const elements = new Map<string, ElementInfo>();
  const visit = (nodes: readonly NodeDefinition[]): void => {
    for (const node of nodes) {
      elements.set(node.id, { name: node.name || node.id, kind: node.kind });
      if (node.children) visit(node.children.nodes);
    }
  };
  if (definition?.root) visit(definition.root.nodes);
  return elements;
}
