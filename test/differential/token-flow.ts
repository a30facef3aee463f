/**
 * How many tokens of one scope instance can pass where in a generated
 * process, read off its blocks (no run needed). Two questions depend on it:
 * whether adhesive's implicit joins can change the outcome (the default
 * mode is only compared where they cannot), and whether a parallel or
 * inclusive gateway can get tokens one after another down one path (the
 * serialGateway feature: a split passes each on; a join that gets two down
 * one of its flows is bpmn-engine's "join edge case", bpmn-engine-quirks.ts).
 *
 * "Many" means two or more, one after the other or at once: a split whose
 * branches flow straight on, or a non-interrupting boundary whose path
 * rejoins the flow, sends them down the path that follows. Loops do not
 * count: BPMN has one token leave a looped activity.
 */
import type { Block, Process } from "./model.js";

type Tokens = 0 | 1 | 2;

const add = (a: Tokens, b: Tokens): Tokens => Math.min(2, a + b) as Tokens;

export interface TokenFlow {
  /** some task or sub-process can get two tokens: adhesive's implicit joins (its default mode) would merge them */
  implicitJoin: boolean;
  /** some parallel or inclusive gateway (split or join) can get two tokens down one incoming flow */
  serialIntoGateway: boolean;
}

export function tokenFlow(process: Process): TokenFlow {
  const found: TokenFlow = { implicitJoin: false, serialIntoGateway: false };

  /* how many tokens leave the block when `tokens` enter it */
  const walk = (block: Block, tokens: Tokens): Tokens => {
    if (tokens === 0) return 0;
    switch (block.t) {
      case "seq":
        return block.items.reduce<Tokens>((entering, item) => walk(item, entering), tokens);
      case "task":
      case "sub": {
        if (tokens === 2) found.implicitJoin = true;
        if (block.t === "sub") walk(block.body, 1);
        let out: Tokens = tokens;
        for (const boundary of block.boundaries) {
          const interrupting = boundary.kind === "error" || boundary.cancel;
          // an interrupting boundary takes the activity's token: its path runs instead of the activity's exit
          const path = walk(boundary.path, interrupting || boundary.repeat === 1 ? tokens : 2);
          if (boundary.rejoin) out = interrupting ? (Math.max(out, path) as Tokens) : add(out, path);
        }
        return out;
      }
      case "xor": {
        const bodies = [...block.branches.map((b) => b.body), ...(block.defaultBranch === null ? [] : [block.defaultBranch])];
        return bodies.reduce<Tokens>((most, body) => Math.max(most, walk(body, tokens)) as Tokens, 0);
      }
      case "par":
      case "or": {
        if (tokens === 2) found.serialIntoGateway = true;
        const bodies = block.t === "par" ? block.branches : [...block.branches.map((b) => b.body), ...(block.defaultBranch === null ? [] : [block.defaultBranch])];
        const outs = bodies.map((body) => walk(body, tokens));
        if (!block.merge) return outs.reduce(add, 0);
        if (outs.includes(2)) found.serialIntoGateway = true;
        return outs.some((out) => out > 0) ? tokens : 0;
      }
      case "end":
        return 0;
      case "throw":
      case "catch":
      case "wait":
        return tokens;
    }
  };

  walk(process.body, 1);
  return found;
}
