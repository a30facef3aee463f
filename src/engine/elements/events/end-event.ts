import { ThrownBpmnError } from "../../errors.js";
import { Step, type Behaviour } from "../behaviour.js";

/** A plain end event finishes the token (sending along its message flows); an error end event throws its code to the error boundaries around it. */
export const endEvent: Behaviour = {
  execute(core, token) {
    const node = token.node;
    if (node.errorCode !== undefined) {
      core.fail(token, new ThrownBpmnError(node.errorCode, node.id));
      return;
    }
    if (node.messageTargets !== undefined) core.events.messages.send(token);
    core.finish(token);
  },
  plainStep(node) {
    return node.errorCode === undefined && node.messageTargets === undefined ? Step.Finish : Step.Behaviour;
  },
};
