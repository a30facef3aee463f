import type { NodeKind } from "../../model/definition.js";
import type { Behaviour } from "./behaviour.js";
import { callActivity } from "./activities/call-activity.js";
import { catchEvent } from "./events/catch-event.js";
import { cancelEnd, compensateThrow } from "./events/compensate-throw.js";
import { endEvent } from "./events/end-event.js";
import { escalationThrow } from "./events/escalation-throw.js";
import { eventBasedGateway } from "./gateways/event-based-gateway.js";
import { eventSubProcess } from "./activities/event-sub-process.js";
import { messageThrow } from "./events/message-throw.js";
import { passThrough } from "./pass-through.js";
import { pool } from "./activities/pool.js";
import { receiveTask } from "./activities/receive-task.js";
import { signalThrow } from "./events/signal-throw.js";
import { subProcess } from "./activities/sub-process.js";
import { task } from "./activities/task.js";
import { terminateEnd } from "./events/terminate-end.js";

/** The behaviour of each element kind; a new kind is a new file and a line here. Anything else passes its token on. */
const BEHAVIOURS: Partial<Record<NodeKind, Behaviour>> = {
  task,
  receiveTask,
  userTask: task,
  scriptTask: task,
  subProcess,
  transaction: subProcess,
  callActivity,
  eventSubProcess,
  pool,
  intermediateCatchEvent: catchEvent,
  signalCatchEvent: catchEvent,
  conditionalCatchEvent: catchEvent,
  eventBasedGateway,
  endEvent,
  messageThrowEvent: messageThrow,
  messageEndEvent: messageThrow,
  signalThrowEvent: signalThrow,
  signalEndEvent: signalThrow,
  escalationThrowEvent: escalationThrow,
  escalationEndEvent: escalationThrow,
  compensateThrowEvent: compensateThrow,
  compensateEndEvent: compensateThrow,
  terminateEndEvent: terminateEnd,
  cancelEndEvent: cancelEnd,
};

/** Per node index, so the engine's hot path is one array read. */
export function behaviours(kinds: readonly NodeKind[]): Behaviour[] {
  return kinds.map((kind) => BEHAVIOURS[kind] ?? passThrough);
}
