import { UsageError } from "../errors.js";
import type { CalledProcessDefinition, ProcessDefinition, ScopeDefinition } from "../model/definition.js";
import { KINDS } from "../model/kinds.js";
import { BuiltProcess } from "./built-process.js";

/**
 * The processes a call activity brings into the calling one: the called
 * process and, in turn, what it calls. They are written into the caller's
 * file, where XML ids must be unique, so the called process's element ids
 * get its own id as a prefix (`payment_task_1`); what it calls was prefixed
 * when it was built. Adds them to `into`; a different process under an id
 * already there is refused, the same one is kept once.
 */
export function addCalled(call: string, caller: ProcessDefinition, called: unknown, into: CalledProcessDefinition[]): string {
  if (!(called instanceof BuiltProcess)) throw new UsageError(`${call} needs the process it calls, as processStart(...)...processEnd() returns it`);
  const definition = (called as BuiltProcess<unknown>).definition;
  const start = definition.root.nodes.find((node) => KINDS[node.kind].position === "start" && node.kind !== "startEvent");
  if (start !== undefined) {
    throw new UsageError(`${call}: process "${definition.id}" starts by ${start.kind === "messageStartEvent" ? "message" : "timer"}; a called process starts when it is called, so build it without one`);
  }
  const entries: CalledProcessDefinition[] = [
    { id: definition.id, name: definition.name, source: definition.source, root: prefixed(definition.root, `${definition.id}_`) },
    ...(definition.processes ?? []),
  ];
  for (const entry of entries) {
    if (entry.id === caller.id) throw new UsageError(`${call}: the called process has the id "${entry.id}", as the calling one does; give one of them another with processStart({ id })`);
    const known = into.find((existing) => existing.id === entry.id);
    if (known === undefined) into.push(entry);
    else if (JSON.stringify(known.root) !== JSON.stringify(entry.root)) {
      throw new UsageError(`${call}: two different processes have the id "${entry.id}"; give one of them another with processStart({ id })`);
    }
  }
  return definition.id;
}

/** A copy of the scope with every element id, and every reference to one, prefixed. */
function prefixed(scope: ScopeDefinition, prefix: string): ScopeDefinition {
  const at = (id: string): string => `${prefix}${id}`;
  return {
    nodes: scope.nodes.map((node) => {
      const copy = { ...node, id: at(node.id) };
      if (node.attachedTo !== undefined) copy.attachedTo = at(node.attachedTo);
      if (node.defaultFlow !== undefined) copy.defaultFlow = at(node.defaultFlow);
      if (node.children) copy.children = prefixed(node.children, prefix);
      return copy;
    }),
    flows: scope.flows.map((flow) => ({ ...flow, id: at(flow.id), source: at(flow.source), target: at(flow.target) })),
  };
}
