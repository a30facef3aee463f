import { TaskContext } from "../engine/context.js";
import type { Engine } from "../engine/engine.js";
import type { Data } from "../engine/data.js";
import type { GraphNode } from "../model/graph.js";
import type { NodeBinding } from "../tasks/binding.js";
import { matchName } from "../tasks/matcher.js";
import type { Context, MessageCallbackFunction, MessageFunction } from "../api/types.js";
import type { Workspace } from "../workspaces/workspace.js";

export interface SourceSettings {
  engine: Engine;
  executionId: string;
  initialData: Data;
  workspace: Workspace;
  maxInFlight: number;
  signal: AbortSignal;
}

/**
 * Starts one driver per message start event. A generator is pulled only while
 * fewer than `maxInFlight` events are running (backpressure), so an endless
 * source cannot fill memory; a failing source fails the run.
 */
export function startSources(bindings: readonly NodeBinding[], settings: SourceSettings): void {
  for (const binding of bindings) {
    const declaration = binding.declaration;
    if (binding.node.kind !== "messageStartEvent" || declaration === undefined) continue;
    const ctx = sourceContext(binding.node, settings);
    const groups = matchName(declaration.patterns, binding.node.name) ?? [];
    settings.engine.openSource();
    const driver =
      declaration.kind === "message"
        ? pull(declaration.fn as MessageFunction, ctx, groups, binding.node, settings)
        : listen(declaration.fn as MessageCallbackFunction, ctx, groups, binding.node, settings);
    driver.then(
      () => settings.engine.closeSource(),
      (error: unknown) => settings.engine.failSource(binding.node, error),
    );
  }
}

function sourceContext(node: GraphNode, settings: SourceSettings): Context {
  const info = { id: node.id, name: node.name, type: node.kind };
  const signals = { signalFor: () => settings.signal };
  const ctx = new TaskContext<Workspace>(signals, {}, info, node.name, { ...settings.initialData }, undefined, node.lane, settings.executionId, 0);
  ctx.workspace = settings.workspace;
  return ctx as unknown as Context;
}

async function pull(fn: MessageFunction, ctx: Context, groups: string[], node: GraphNode, settings: SourceSettings): Promise<void> {
  const engine = settings.engine;
  for await (const event of fn(ctx, ...groups)) {
    if (settings.signal.aborted) return;
    engine.emit(node, event);
    const pause = engine.whenBelow(settings.maxInFlight);
    if (pause) await pause;
  }
}

async function listen(fn: MessageCallbackFunction, ctx: Context, groups: string[], node: GraphNode, settings: SourceSettings): Promise<void> {
  const emit = (event: unknown): void => settings.engine.emit(node, event);
  await fn(ctx, emit, ...groups);
}
