import type { Behaviour } from "../behaviour.js";

/**
 * A terminate end event ends its scope instance: every other token in it
 * is cancelled (their tasks too), and the instance ends with the data of
 * the tokens that finished so far and this one's.
 */
export const terminateEnd: Behaviour = {
  execute(core, token) {
    for (let other = token.frame.head; other !== undefined; ) {
      const next = other.next;
      if (other !== token) core.cancelToken(other);
      other = next;
    }
    core.finish(token);
  },
};
