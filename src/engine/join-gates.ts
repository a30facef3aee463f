import type { Core } from "./core.js";
import { countBlockers, isStalled, type Frame, type JoinState } from "./frame.js";
import { mergedWith } from "./merge.js";
import { TokenState, type Token } from "./token.js";

/**
 * Implicit and gateway joins: a token arriving at a join node waits there
 * while another live token of its frame can still reach the node; then the
 * waiting tokens merge into one (in document order of the flows they came
 * by) and it goes on. Frames keep per-node token counts and ancestor bitsets
 * (frame.ts), so no arrival scans tokens or walks the graph.
 */
export class JoinGates {
  private readonly core: Core;
  /** joins no live token can reach any more, released once the token queue is empty: frame, join, frame, join... (no pair per release) */
  private readonly releases: Array<Frame | JoinState> = [];

  constructor(core: Core) {
    this.core = core;
  }

  /** Whether a token arriving at its node must wait for others. */
  mustWait(token: Token): boolean {
    const node = token.node;
    return node.ancestors !== undefined && (node.join === "always" || this.core.options.waitTasks);
  }

  park(token: Token): void {
    const frame = token.frame;
    token.state = TokenState.Waiting;
    frame.waiting++;
    let join = joinAt(frame, token);
    if (join) {
      join.waiting.push(token);
    } else {
      join = { node: token.node, waiting: parkedAt(token), blockers: countBlockers(frame, token.node) };
      // most frames have one join at a time: an array of one, not the 17 slots a push into an empty array makes (and never a push into the shared empty one a frame starts with)
      if (frame.joins.length === 0) frame.joins = [join];
      else frame.joins.push(join);
    }
    if (join.blockers === 0) this.releases.push(frame, join);
    else this.checkStalled(frame);
  }

  /** A parked token is cancelled. */
  unpark(token: Token): void {
    const frame = token.frame;
    frame.waiting--;
    const join = joinAt(frame, token);
    if (join === undefined) return;
    join.waiting.splice(join.waiting.indexOf(token), 1);
    if (join.waiting.length === 0) frame.joins.splice(frame.joins.indexOf(join), 1);
  }

  /** A token move or removal made a join unreachable: it is released once the queue is empty. */
  unblocked(frame: Frame, join: JoinState | undefined): void {
    if (join !== undefined) this.releases.push(frame, join);
  }

  checkStalled(frame: Frame): void {
    // a cycle of joins waiting on each other: let the oldest one go rather than hang
    if (isStalled(frame) && frame.joins.length > 0 && this.releases.length === 0) this.releases.push(frame, frame.joins[0]);
  }

  /** Releases the next join that is due; false when there is none. */
  releaseNext(): boolean {
    const releases = this.releases;
    if (releases.length === 0) return false;
    const frame = releases.shift() as Frame;
    this.release(frame, releases.shift() as JoinState);
    return true;
  }

  /** Every token that could still arrive has arrived: merge the parked ones into one and go on. */
  private release(frame: Frame, join: JoinState): void {
    const index = frame.joins.indexOf(join);
    if (index < 0) return;
    removeAt(frame.joins, index);
    const waiting = stillWaiting(join.waiting);
    frame.waiting -= waiting.length;
    if (waiting.length === 0) return;
    const first = waiting[0];
    for (let i = 1; i < waiting.length; i++) this.merge(first, waiting[i]);
    first.state = TokenState.Arrived;
    this.core.enter(first);
  }

  private merge(target: Token, source: Token): void {
    target.ref = mergedWith(target.ref, source.ref.data);
    source.state = TokenState.Done;
    this.core.remove(source);
  }
}

/* splice() makes an array of what it removed: a join is released once per instance */
function removeAt<T>(array: T[], index: number): void {
  for (let i = index + 1; i < array.length; i++) array[i - 1] = array[i];
  array.pop();
}

/* room for a token from each incoming flow (a push would make 17 slots whatever the join's size) */
function parkedAt(first: Token): Token[] {
  const waiting = new Array<Token>(Math.max(1, first.node.incomingCount));
  waiting[0] = first;
  waiting.length = 1;
  return waiting;
}

/* a loop, not find(): no closure per arrival */
function joinAt(frame: Frame, token: Token): JoinState | undefined {
  const joins = frame.joins;
  for (let i = 0; i < joins.length; i++) if (joins[i].node === token.node) return joins[i];
  return undefined;
}

/* insertion sort up to this many tokens: Array.prototype.sort's setup costs more than sorting a handful, and a join releases once per instance */
const SMALL_JOIN = 16;

/** The tokens still parked, in document order of the flows they came by; `parked` (discarded after the release) is reused. */
function stillWaiting(parked: Token[]): Token[] {
  if (parked.length > SMALL_JOIN) return parked.filter((t) => t.state === TokenState.Waiting).sort((a, b) => a.via - b.via);
  let kept = 0;
  for (let j = 0; j < parked.length; j++) {
    const token = parked[j];
    if (token.state !== TokenState.Waiting) continue;
    // every slot written is at or before j, whose token was already read
    let i = kept++;
    while (i > 0 && parked[i - 1].via > token.via) {
      parked[i] = parked[i - 1];
      i--;
    }
    parked[i] = token;
  }
  if (kept !== parked.length) parked.length = kept;
  return parked;
}
