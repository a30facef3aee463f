import type { GraphNode } from "../../../../model/graph.js";
import type { Core } from "../../../core.js";
import { setKey, share, writable } from "../../../data.js";
import { activityData } from "../../../data-mapping.js";
import { setMessage } from "../../../messages.js";
import type { Token } from "../../../token.js";
import type { Arm } from "../../../waits.js";

/**
 * What every boundary event shares. While its activity runs, the timer,
 * message, signal and conditional boundaries are armed on the activity's
 * token; errors, escalations and a transaction's cancellation are thrown to
 * the others. A token leaves by a boundary with the data the activity
 * started with; an interrupting boundary cancels the activity.
 */

/**
 * The token starts its activity: its timer, message, signal and conditional
 * boundary events are armed, once for an activity that completes once
 * however many times it loops (a boundary belongs to the activity as a
 * whole: BPMN 2.0.2 §10.3.8, §13.5.3). False when a timer's value failed:
 * the activity has failed (Triggers).
 */
export function armBoundaries(core: Core, token: Token): boolean {
  const node = token.node;
  if (node.boundaries.length === 0) return true;
  const holder = node.loop === undefined ? token : core.loops.boundaryArms(token);
  if (holder === undefined) return true;
  const waits = core.triggers.waits;
  for (const boundary of node.timerBoundaries) if (!waits.arm(token, boundary, holder)) return false;
  for (const boundary of node.messageBoundaries) waits.arm(token, boundary, holder);
  for (const boundary of node.watchedBoundaries) waits.arm(token, boundary, holder);
  return true;
}

/** A token leaves `holder`'s activity by `boundary`, with the data the activity started with (plus `key`: `_error` or `event`). */
export function leaveBy(core: Core, holder: Token, boundary: GraphNode, key: string | undefined, value: unknown): void {
  // a looped activity's data before its loop; else its own, without its input mappings (they were its own)
  const start = core.loops.startData(holder);
  let ref = share(start === holder.ref ? activityData(holder) : start);
  if (key !== undefined) {
    ref = writable(ref);
    if (key === "event") setMessage(ref.data, value);
    else setKey(ref.data, key, value);
  }
  const loop = holder.loop?.node === holder.node ? holder.loop.parent : holder.loop;
  core.spawn(boundary, holder.frame, ref, loop, -1);
}

/**
 * A timer, message, signal or condition of a boundary armed on the token's
 * activity happened: an interrupting boundary cancels the activity, another
 * leaves it running and, for a timer, arms its next firing.
 */
export function boundaryFired(core: Core, arm: Arm, key: string | undefined, payload: unknown, message: boolean): void {
  const { token, event } = arm;
  leaveBy(core, token, event, key, payload);
  if (event.interrupting) core.loops.cancelActivity(token);
  else if (!message) core.triggers.waits.rearm(arm);
}
