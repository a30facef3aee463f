import type { NodeKind } from "../../model/definition.js";
import type { Behaviour } from "./behaviour.js";
import { callActivity } from "./call-activity.js";
import { catchEvent } from "./catch-event.js";
import { cancelEnd, compensateThrow } from "./compensate-throw.js";
import { endEvent } from "./end-event.js";
import { escalationThrow } from "./escalation-throw.js";
import { eventBasedGateway } from "./event-based-gateway.js";
import { eventSubProcess } from "./event-sub-process.js";
import { messageThrow } from "./message-throw.js";
import { passThrough } from "./pass-through.js";
import { pool } from "./pool.js";
import { receiveTask } from "./receive-task.js";
import { signalThrow } from "./signal-throw.js";
import { subProcess } from "./sub-process.js";
import { task } from "./task.js";
import { terminateEnd } from "./terminate-end.js";

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
