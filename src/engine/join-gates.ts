import type { GraphNode } from "../model/graph.js";
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
  /** joins no live token can reach any more, released once the token queue is empty: frame, join, frame, join... (no pair per release) from releaseHead to releaseCount; slots are reused once all are taken, without shift() or setting a length */
  private readonly releases: Array<Frame | JoinState | undefined> = [];
  private releaseHead = 0;
  private releaseCount = 0;

  constructor(core: Core) {
    this.core = core;
  }

  /** Whether a token arriving at its node must wait for others. */
  mustWait(token: Token): boolean {
    return joinWaits(token.node, this.core.options.waitTasks);
  }

  park(token: Token): void {
    const frame = token.frame;
    token.state = TokenState.Waiting;
    frame.waiting++;
    let join = joinAt(frame, token);
    if (join) {
      join.waiting[join.parked++] = token;
    } else {
      join = { node: token.node, waiting: parkedAt(token), parked: 1, blockers: countBlockers(frame, token.node) };
      // most frames have one join at a time: an array of one, not the 17 slots a push into an empty array makes (and never a push into the shared empty one a frame starts with)
      if (frame.joins.length === 0) frame.joins = [join];
      else frame.joins.push(join);
    }
    if (join.blockers === 0) this.due(frame, join);
    else this.checkStalled(frame);
  }

  /** A parked token is cancelled. */
  unpark(token: Token): void {
    const frame = token.frame;
    frame.waiting--;
    const join = joinAt(frame, token);
    if (join === undefined) return;
    const waiting = join.waiting;
    const last = --join.parked;
    for (let i = waiting.indexOf(token); i < last; i++) waiting[i] = waiting[i + 1];
    waiting[last] = undefined;
    if (last === 0) frame.joins.splice(frame.joins.indexOf(join), 1);
  }

  /** A token move or removal made a join unreachable: it is released once the queue is empty. */
  unblocked(frame: Frame, join: JoinState | undefined): void {
    if (join !== undefined) this.due(frame, join);
  }

  checkStalled(frame: Frame): void {
    // a cycle of joins waiting on each other: let the oldest one go rather than hang
    if (isStalled(frame) && frame.joins.length > 0 && this.releaseHead === this.releaseCount) this.due(frame, frame.joins[0]);
  }

  private due(frame: Frame, join: JoinState): void {
    this.releases[this.releaseCount++] = frame;
    this.releases[this.releaseCount++] = join;
  }

  /** Releases the next join that is due; false when there is none. */
  releaseNext(): boolean {
    const releases = this.releases;
    const head = this.releaseHead;
    if (head === this.releaseCount) return false;
    const frame = releases[head] as Frame;
    const join = releases[head + 1] as JoinState;
    releases[head] = releases[head + 1] = undefined;
    this.releaseHead = head + 2;
    if (this.releaseHead === this.releaseCount) this.releaseHead = this.releaseCount = 0;
    this.release(frame, join);
    return true;
  }

  /** Every token that could still arrive has arrived: merge the parked ones into one and go on. */
  private release(frame: Frame, join: JoinState): void {
    const index = frame.joins.indexOf(join);
    if (index < 0) return;
    removeAt(frame.joins, index);
    const waiting = join.waiting;
    const count = stillWaiting(waiting, join.parked);
    frame.waiting -= count;
    if (count === 0) return;
    const first = waiting[0]!;
    for (let i = 1; i < count; i++) this.merge(first, waiting[i]!);
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

/** Whether a token arriving at `node` must wait for others (JoinGates.mustWait; express.ts asks it of a node, before any token is there). */
export function joinWaits(node: GraphNode, waitTasks: boolean): boolean {
  return node.ancestors !== undefined && (node.join === "always" || waitTasks);
}

/* room for a token from each incoming flow (a push would make 17 slots whatever the join's size); the count is the join's, so no length is set */
export function parkedAt(first: Token): Array<Token | undefined> {
  const waiting = new Array<Token | undefined>(Math.max(1, first.node.incomingCount));
  waiting[0] = first;
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

/**
 * Moves the tokens of `parked` (its first `count` slots) that still wait to
 * its front, in document order of the flows they came by, and returns how
 * many they are; `parked` is discarded after the release, so it is reused.
 */
export function stillWaiting(parked: Array<Token | undefined>, count: number): number {
  if (count > SMALL_JOIN) {
    const sorted = (parked.slice(0, count) as Token[]).filter((t) => t.state === TokenState.Waiting).sort((a, b) => a.via - b.via);
    for (let i = 0; i < sorted.length; i++) parked[i] = sorted[i];
    return sorted.length;
  }
  let kept = 0;
  for (let j = 0; j < count; j++) {
    const token = parked[j]!;
    if (token.state !== TokenState.Waiting) continue;
    // every slot written is at or before j, whose token was already read
    let i = kept++;
    while (i > 0 && parked[i - 1]!.via > token.via) {
      parked[i] = parked[i - 1];
      i--;
    }
    parked[i] = token;
  }
  return kept;
}
