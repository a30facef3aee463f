import { hasBit, type GraphNode, type Scope } from "../model/graph.js";
import type { DataRef } from "./data.js";
import type { Token } from "./token.js";

/**
 * A frame is one instance of a scope: the root process run, one message
 * event's run, or one sub-process instance (one per loop iteration). Joins
 * only ever merge tokens of the same frame.
 */
export interface Frame {
  id: number;
  /**
   * the message instance it belongs to: the number of the message event
   * that started it (1 for the run's first), inherited by its sub-process
   * instances; 0 outside one. The journal and ctx.instance name it.
   */
  instance: number;
  scope: Scope;
  parent: Frame | undefined;
  /** the sub-process token waiting for this frame, if any */
  owner: Token | undefined;
  /** live tokens in the frame */
  live: number;
  /** live tokens parked at joins */
  waiting: number;
  /** live tokens per scope-local node index; only for scopes with joins */
  counts: number[] | undefined;
  /** joins of this frame that currently have parked tokens */
  joins: JoinState[];
  /** data of the tokens that finished in this frame, merged */
  result: DataRef | undefined;
  cancelled: boolean;
  /** its owner went on: a compensation handler that runs in it later hands nothing back (compensation.ts) */
  ended: boolean;
  head: Token | undefined;
  /** holds the arms of the scope's event sub-processes while the instance runs (scope-events.ts) */
  watcher: Token | undefined;
  /** completed activities that compensation may undo, in order of completion (compensation.ts) */
  compensable: CompensableEntry[] | undefined;
  /** an instance a start event started: its neighbours in the run's list of them (instances.ts) */
  prevInstance: Frame | undefined;
  nextInstance: Frame | undefined;
}

/** A completed activity with a compensation handler, and the data it completed with. */
export interface CompensableEntry {
  activity: GraphNode;
  /**
   * the handler activity, or the compensation event sub-process of a
   * completed sub-process; undefined for a completed sub-process without
   * one, whose compensation is that of `inner`
   */
  handler: GraphNode | undefined;
  /** the instance of the handler's scope: where the activity ran, or the instance of the completed sub-process */
  frame: Frame;
  ref: DataRef;
  loop: Token["loop"];
  /** a completed sub-process: what completed inside it */
  inner: CompensableEntry[] | undefined;
}

export interface JoinState {
  node: GraphNode;
  /** the parked tokens in slots 0 to parked - 1 (room for one per incoming flow, made once) */
  waiting: Array<Token | undefined>;
  parked: number;
  /** live tokens of the frame that can still reach `node` */
  blockers: number;
}

/** `counted`: keep per-node counts (only a scope with joins needs them; a fan-out block's instance makes them only if it goes back to the queue, express.ts backToQueue) */
export function createFrame(id: number, scope: Scope, parent: Frame | undefined, owner: Token | undefined, counted = scope.hasJoins): Frame {
  return {
    id,
    instance: parent?.instance ?? 0,
    scope,
    parent,
    owner,
    live: 0,
    waiting: 0,
    counts: counted ? zeros(scope.nodes.length) : undefined,
    joins: NO_JOINS,
    result: undefined,
    cancelled: false,
    ended: false,
    head: undefined,
    watcher: undefined,
    compensable: undefined,
    prevInstance: undefined,
    nextInstance: undefined,
  };
}

/* what a frame's joins are until its first token parks: JoinGates.park replaces it rather than push, so it stays empty (no array per message event) */
const NO_JOINS: JoinState[] = [];

/*
 * A plain array of small integers, not an Int32Array: a typed array is three
 * objects and an off-heap buffer, made and freed per message event. Sized
 * once: pushing grows the store to 17 slots whatever the length.
 */
function zeros(length: number): number[] {
  const counts = new Array<number>(length);
  for (let i = 0; i < length; i++) counts[i] = 0;
  return counts;
}

/** The per-node counts of a frame made without them, from where its live tokens stand. */
export function countTokens(frame: Frame): void {
  const counts = zeros(frame.scope.nodes.length);
  for (let token = frame.head; token !== undefined; token = token.next) counts[token.node.local]++;
  frame.counts = counts;
}

/** Records that `token` now stands at its node. Call before removing the token it came from. */
export function place(frame: Frame, token: Token): void {
  frame.live++;
  token.prev = undefined;
  token.next = frame.head;
  if (frame.head) frame.head.prev = token;
  frame.head = token;
  const counts = frame.counts;
  if (!counts) return;
  const local = token.node.local;
  counts[local]++;
  const joins = frame.joins;
  for (let i = 0; i < joins.length; i++) {
    const join = joins[i];
    if (join.node.local !== local && hasBit(join.node.ancestors!, local)) join.blockers++;
  }
}

/**
 * Records that `token` left its node. Returns a join that no live token can
 * reach any more (it must be released), if there is one.
 */
export function unplace(frame: Frame, token: Token): JoinState | undefined {
  frame.live--;
  if (token.prev) token.prev.next = token.next;
  else frame.head = token.next;
  if (token.next) token.next.prev = token.prev;
  token.prev = token.next = undefined;
  const counts = frame.counts;
  if (!counts) return undefined;
  const local = token.node.local;
  counts[local]--;
  let released: JoinState | undefined;
  const joins = frame.joins;
  for (let i = 0; i < joins.length; i++) {
    const join = joins[i];
    if (join.node.local !== local && hasBit(join.node.ancestors!, local) && --join.blockers === 0) released ??= join;
  }
  return released;
}

/** Counts, once, the live tokens that can still reach a join that just got its first parked token. */
export function countBlockers(frame: Frame, node: GraphNode): number {
  const counts = frame.counts!;
  const bits = node.ancestors!;
  let blockers = 0;
  for (let word = 0; word < bits.length; word++) {
    let w = bits[word];
    while (w !== 0) {
      const bit = 31 - Math.clz32(w & -w);
      w &= w - 1;
      blockers += counts[(word << 5) + bit];
    }
  }
  return blockers;
}

/** A frame in which every live token is parked can only progress by releasing a join. */
export function isStalled(frame: Frame): boolean {
  return frame.live > 0 && frame.live === frame.waiting;
}

/** Moves a token to another node of the same frame (counts only; the token stays in the frame's list). */
export function moveToken(frame: Frame, token: Token, target: GraphNode): JoinState | undefined {
  const counts = frame.counts;
  if (!counts) return undefined;
  const from = token.node.local;
  const to = target.local;
  counts[to]++;
  counts[from]--;
  let released: JoinState | undefined;
  const joins = frame.joins;
  for (let i = 0; i < joins.length; i++) {
    const join = joins[i];
    const bits = join.node.ancestors!;
    const local = join.node.local;
    if (local !== to && hasBit(bits, to)) join.blockers++;
    if (local !== from && hasBit(bits, from) && --join.blockers === 0) released ??= join;
  }
  return released;
}
