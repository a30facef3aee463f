/**
 * adhesive's public API says which tasks ran (the reporter), but not which
 * end events tokens reached or which flows they took. The engine tells a
 * TokenTracker (the hook its live view uses); the differential test swaps
 * the engine module for a subclass that also tells `hook.tracker` (see
 * `observeEngine`, used by `vi.mock` in bpmn-engine.test.ts). One run at a
 * time: the runner sets the hook before a run and clears it after.
 */
import type { Engine } from "../../src/engine/engine.js";
import type { EngineOptions, TokenTracker } from "../../src/engine/options.js";
import type { ProcessGraph } from "../../src/model/graph.js";

export const hook: { tracker: TokenTracker | undefined } = { tracker: undefined };

function both(first: TokenTracker | undefined, second: TokenTracker | undefined): TokenTracker | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  return {
    entered: (token) => (first.entered(token), second.entered(token)),
    moved: (token, from) => (first.moved(token, from), second.moved(token, from)),
    left: (token) => (first.left(token), second.left(token)),
    took: (flow) => (first.took?.(flow), second.took?.(flow)),
  };
}

/** The engine module with an Engine that also reports to `hook.tracker`. */
export function observeEngine<M extends { Engine: typeof Engine }>(original: M): M {
  class ObservedEngine extends original.Engine {
    constructor(graph: ProcessGraph, options: EngineOptions) {
      super(graph, { ...options, tracker: both(options.tracker, hook.tracker) });
    }
  }
  return { ...original, Engine: ObservedEngine };
}
