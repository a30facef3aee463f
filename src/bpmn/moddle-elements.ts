import type { BpmnModdleInstance } from "bpmn-moddle";
import type { ProcessDefinition, ScopeDefinition } from "../model/definition.js";

/*
 * moddle elements are plain objects with getters; `$attrs` (attributes of
 * foreign namespaces) is a getter-only object that must be filled, not
 * replaced. `$parent` is set by fromXML, not by create().
 */
export type Element = Record<string, unknown> & { readonly $type: string; readonly $attrs: Record<string, string>; $parent?: Element };

export function create(moddle: BpmnModdleInstance, type: string, attrs: Record<string, unknown>): Element {
  const defined = Object.fromEntries(Object.entries(attrs).filter(([, value]) => value !== undefined));
  return moddle.create(type, defined) as Element;
}

export function list(element: Element | undefined, property: string): Element[] {
  const value = element?.[property];
  return Array.isArray(value) ? (value as Element[]) : [];
}

export function is(element: Element, type: string): boolean {
  return (element as unknown as { $instanceOf(type: string): boolean }).$instanceOf(type);
}

/** Ids the writer invents (messages, lanes, diagrams) must not collide with those of the process and the processes it calls. */
export class Ids {
  private readonly used = new Set<string>();

  constructor(definition: ProcessDefinition) {
    this.used.add(definition.id);
    const visit = (scope: ScopeDefinition): void => {
      for (const node of scope.nodes) {
        this.used.add(node.id);
        if (node.children) visit(node.children);
      }
      for (const flow of scope.flows) this.used.add(flow.id);
    };
    visit(definition.root);
    for (const called of definition.processes ?? []) {
      this.used.add(called.id);
      visit(called.root);
    }
  }

  reserve(id: string): void {
    this.used.add(id);
  }

  next(base: string): string {
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}_${n}`;
    this.used.add(id);
    return id;
  }
}
