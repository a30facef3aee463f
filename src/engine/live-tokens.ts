import type { Frame } from "./frame.js";
import type { Token } from "./token.js";

/** A live token as status output (SIGUSR1) shows it. */
export interface LiveToken {
  tokenId: number;
  elementId: string;
  name: string;
  state: string;
  loop: string | undefined;
  dataKeys: string[];
}

const STATE_NAMES = ["arrived", "waiting at a join", "waiting for a pool slot", "running", "in its sub-process", "completed", "done", "cancelled", "waiting for an event", "waiting for its deduplication key", "watching"];

/** Every token of the given frames and of the sub-process frames inside them. */
export function liveTokens(roots: Iterable<Frame>): LiveToken[] {
  const result: LiveToken[] = [];
  const frames = [...roots];
  for (let i = 0; i < frames.length; i++) {
    for (let token = frames[i].head; token !== undefined; token = token.next) {
      result.push(describeToken(token));
      if (token.child !== undefined) frames.push(token.child);
    }
  }
  return result;
}

function describeToken(token: Token): LiveToken {
  const loop = token.loop === undefined ? undefined : `${token.loop.index}: ${String(token.loop.value)}`;
  return {
    tokenId: token.id,
    elementId: token.node.id,
    name: token.taskName || token.node.name,
    state: STATE_NAMES[token.state] ?? String(token.state),
    loop,
    dataKeys: Object.keys(token.ref.data),
  };
}
