import type { Data } from "../engine/data.js";
import type { GraphNode, ProcessGraph } from "../model/graph.js";
import { foldName } from "../model/name-template.js";
import { bindingName, renderedMatch, ruleFor, type NodeBinding } from "./binding.js";
import { matchName, nameToPattern } from "./matcher.js";
import { closest } from "./near-misses.js";
import type { Declaration, DeclarationKind, Registry } from "./registry.js";
import { renderingsFromData } from "./renderings.js";

/** A process a file started, mapped but not run (what `adhesive verify` collects). */
export interface MappedRun {
  source: string;
  registry: Registry;
  initialData: Data;
  graph: ProcessGraph | undefined;
  bindings: readonly NodeBinding[];
  /** what the process runs but is most likely a drawing mistake (bpmn/warnings.ts) */
  warnings: ReadonlyArray<{ elementId: string; message: string }>;
  error: unknown;
}

export type ElementStatus = "ok" | "missing" | "ambiguous";

/** One concrete name a templated element can render to, and what would run it. */
export interface RenderingCheck {
  name: string;
  /** "data": rendered from the initial data; "name": an implementation's own name that the template can render to */
  from: "data" | "name";
  matching: Declaration[];
  chosen: Declaration | undefined;
}

export interface ElementCheck {
  binding: NodeBinding;
  status: ElementStatus;
  renderings: RenderingCheck[];
  /** what cannot be known before the run, and why */
  unchecked: string | undefined;
  /** for a missing element: implementations of another kind with its name, then names a few edits away */
  suggestions: Declaration[];
}

export interface UnusedDeclaration {
  declaration: Declaration;
  /** elements whose name is a few edits away (missing ones first) */
  nearest: Array<{ node: GraphNode; source: string }>;
}

export interface MappingCheck {
  runs: Array<{ run: MappedRun; elements: ElementCheck[] }>;
  unused: UnusedDeclaration[];
}

const IMPLEMENTATION_KINDS: readonly DeclarationKind[] = ["task", "userTask", "message", "messageCallback", "lane", "timer", "condition"];

/** Checks every element of every mapped run, then finds the implementations that no element uses. */
export function checkMappings(runs: readonly MappedRun[]): MappingCheck {
  const checked = runs.map((run) => ({ run, elements: run.bindings.map((binding) => checkElement(binding, run)) }));
  return { runs: checked, unused: unusedDeclarations(checked) };
}

function checkElement(binding: NodeBinding, run: MappedRun): ElementCheck {
  const check: ElementCheck = { binding, status: binding.problem ?? "ok", renderings: [], unchecked: undefined, suggestions: [] };
  if (binding.problem === "missing") check.suggestions = suggestionsFor(binding, run.registry);
  if (binding.problem !== undefined || !binding.node.template.dynamic || binding.candidates.length === 0) return check;
  const fromData = renderingsFromData(binding.node, run.initialData);
  const names = new Map<string, RenderingCheck["from"]>();
  if ("names" in fromData) for (const name of fromData.names) names.set(name, "data");
  for (const name of literalRenderings(binding)) if (!names.has(name)) names.set(name, "name");
  for (const [name, from] of names) check.renderings.push({ name, from, ...renderedMatch(binding, name) });
  const failing = check.renderings.filter((r) => r.chosen === undefined);
  if (failing.some((r) => r.matching.length > 1)) check.status = "ambiguous";
  else if (failing.length > 0) check.status = "missing";
  if ("unknown" in fromData && !coversEveryRendering(binding)) check.unchecked = fromData.unknown;
  return check;
}

/** Literal implementation names the element's template can render to (`Build linux` for `Build {loop.value}`). */
function literalRenderings(binding: NodeBinding): string[] {
  const template = nameToPattern(bindingName(binding.node));
  return binding.candidates.flatMap((d) => d.names.filter((name) => !name.includes("{") && template.test(name)));
}

/* the one candidate is the element's own template: every rendering matches it and nothing else can */
function coversEveryRendering(binding: NodeBinding): boolean {
  const raw = foldName(bindingName(binding.node));
  return binding.candidates.length === 1 && binding.candidates[0].names.includes(raw);
}

function suggestionsFor(binding: NodeBinding, registry: Registry): Declaration[] {
  const name = bindingName(binding.node);
  const kinds = ruleFor(binding.node)?.kinds ?? [];
  const otherKind = registry.declarations.filter((d) => !kinds.includes(d.kind) && d.kind !== "lane" && matchName(d.patterns, name) !== undefined);
  const sameKind = registry.declarations.filter((d) => kinds.includes(d.kind));
  return [...otherKind, ...closest(name, sameKind, (d) => d.names)];
}

function unusedDeclarations(checked: MappingCheck["runs"]): UnusedDeclaration[] {
  const byRegistry = new Map<Registry, MappingCheck["runs"]>();
  for (const entry of checked) byRegistry.set(entry.run.registry, [...(byRegistry.get(entry.run.registry) ?? []), entry]);
  const unused: UnusedDeclaration[] = [];
  for (const [registry, entries] of byRegistry) {
    // a process that could not be read may be the one that uses them
    if (entries.some(({ run }) => run.graph === undefined)) continue;
    const processes = entries.map(({ run }) => ({ graph: run.graph!, bindings: run.bindings }));
    for (const declaration of unusedImplementations(registry, processes)) unused.push({ declaration, nearest: nearestElements(declaration, entries) });
  }
  return unused;
}

/**
 * The implementations of `registry` that no element of these processes can
 * use: no element's binding has them as a candidate, and, for a lane(), no
 * lane name can render to one of its names. A run warns about them; verify
 * lists them with the elements they may have been meant for.
 */
export function unusedImplementations(registry: Registry, processes: ReadonlyArray<{ graph: ProcessGraph; bindings: readonly NodeBinding[] }>): Declaration[] {
  const used = new Set(processes.flatMap(({ bindings }) => bindings.flatMap((b) => b.candidates)));
  const laneNames = processes.flatMap(({ graph }) => graph.nodes.flatMap((node) => (node.laneTemplate ? [node.laneTemplate.raw] : [])));
  return registry.ofKind(IMPLEMENTATION_KINDS).filter((d) => !used.has(d) && !(d.kind === "lane" && laneUsed(d, laneNames)));
}

/** Lanes bind when a token enters, by the rendered lane name; `lane("default")` replaces the default workspace. */
function laneUsed(declaration: Declaration, laneNames: readonly string[]): boolean {
  if (declaration.names.includes("default")) return true;
  return laneNames.some((raw) => {
    if (matchName(declaration.patterns, raw) !== undefined) return true;
    const rendering = nameToPattern(raw);
    // a regular expression may match some rendering of a templated lane name: that cannot be told apart
    return declaration.names.some((name) => rendering.test(name)) || (raw.includes("{") && declaration.names.length < declaration.patterns.length);
  });
}

function nearestElements(declaration: Declaration, entries: MappingCheck["runs"]): UnusedDeclaration["nearest"] {
  const elements = entries.flatMap(({ run, elements }) => elements.map((element) => ({ element, source: run.source })));
  const missing = elements.filter(({ element }) => element.status === "missing");
  const namesOf = ({ element }: (typeof elements)[number]) => [bindingName(element.binding.node)];
  const near = declaration.names.flatMap((name) => closest(name, missing, namesOf));
  const found = near.length > 0 ? near : declaration.names.flatMap((name) => closest(name, elements, namesOf));
  return [...new Set(found)].map(({ element, source }) => ({ node: element.binding.node, source }));
}
