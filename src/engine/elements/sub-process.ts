import { share } from "../data.js";
import { TokenState } from "../token.js";
import type { Behaviour } from "./behaviour.js";

/**
 * An embedded sub-process: a new instance (frame) of its scope, started at
 * its start points; the token waits there until the last token inside has
 * finished, then continues with their merged data (Engine.frameDone).
 */
export const subProcess: Behaviour = {
  execute(core, token) {
    if (token.node.when !== undefined && !core.tasks.when(token)) return;
    core.triggers.armBoundaries(token);
    const scope = token.node.children!;
    token.state = TokenState.InSubProcess;
    const child = core.newFrame(scope, token.frame, token);
    token.child = child;
    for (const start of scope.starts) core.spawn(start, child, share(token.ref), token.loop, -1);
  },
};
