import type { Scope, GraphNode } from "../../../model/graph.js";
import type { Core } from "../../core.js";
import { applyInputs } from "../../data-mapping.js";
import { release, share, type DataRef } from "../../data.js";
import type { Frame } from "../../frame.js";
import { TokenState, type Token } from "../../token.js";
import type { Behaviour } from "../behaviour.js";
import { armBoundaries } from "../events/boundaries/boundary.js";

/**
 * An embedded sub-process (or transaction): a new instance (frame) of its
 * scope, started at its start points; the token waits there until the last
 * token inside has finished, then continues with their merged data
 * (Engine.frameDone).
 */
export const subProcess: Behaviour = {
  execute(core, token) {
    if (token.node.when !== undefined && !core.tasks.when(token)) return;
    if (token.node.inputs !== undefined && !applyInputs(core, token)) return;
    if (!armBoundaries(core, token)) return;
    const scope = token.node.children!;
    enterScope(core, token, scope, scope.starts, share(token.ref));
  },
};

/** The token owns a new instance of `scope` starting with `ref` (handed over) at `starts`. */
export function enterScope(core: Core, token: Token, scope: Scope, starts: readonly GraphNode[], ref: DataRef): Frame {
  token.state = TokenState.InSubProcess;
  const child = core.newFrame(scope, token.frame, token, ref);
  // a timer start event of its event sub-processes whose value failed has failed the token (Triggers)
  if (token.state !== TokenState.InSubProcess) {
    core.cancelFrame(child);
    release(ref);
    return child;
  }
  token.child = child;
  for (const start of starts) core.spawn(start, child, share(ref), token.loop, -1);
  release(ref);
  return child;
}
