import type { NodeKind } from "../../model/definition.js";
import { callActivity } from "./activities/call-activity.js";
import { eventSubProcess } from "./activities/event-sub-process.js";
import { pool } from "./activities/pool.js";
import { receiveTask } from "./activities/receive-task.js";
import { scriptTask } from "./activities/script-task.js";
import { subProcess } from "./activities/sub-process.js";
import { task } from "./activities/task.js";
import { transaction } from "./activities/transaction.js";
import { userTask } from "./activities/user-task.js";
import type { Behaviour } from "./behaviour.js";
import { cancelBoundary } from "./events/boundaries/cancel-boundary.js";
import { compensateBoundary } from "./events/boundaries/compensate-boundary.js";
import { conditionalBoundary } from "./events/boundaries/conditional-boundary.js";
import { errorBoundary } from "./events/boundaries/error-boundary.js";
import { escalationBoundary } from "./events/boundaries/escalation-boundary.js";
import { messageBoundary } from "./events/boundaries/message-boundary.js";
import { noneBoundary } from "./events/boundaries/none-boundary.js";
import { multipleBoundary } from "./events/boundaries/multiple-boundary.js";
import { signalBoundary } from "./events/boundaries/signal-boundary.js";
import { timerBoundary } from "./events/boundaries/timer-boundary.js";
import { cancelEnd } from "./events/cancel-end.js";
import { catchEvent } from "./events/catch-event.js";
import { compensateEnd } from "./events/compensate-end.js";
import { compensateThrow } from "./events/compensate-throw.js";
import { conditionalCatch } from "./events/conditional-catch.js";
import { endEvent } from "./events/end-event.js";
import { escalationEnd } from "./events/escalation-end.js";
import { escalationThrow } from "./events/escalation-throw.js";
import { linkCatch } from "./events/link-catch.js";
import { linkThrow } from "./events/link-throw.js";
import { messageEnd } from "./events/message-end.js";
import { messageThrow } from "./events/message-throw.js";
import { multipleCatch } from "./events/multiple-catch.js";
import { noneThrow } from "./events/none-throw.js";
import { signalCatch } from "./events/signal-catch.js";
import { signalEnd } from "./events/signal-end.js";
import { signalThrow } from "./events/signal-throw.js";
import { terminateEnd } from "./events/terminate-end.js";
import { complexGateway } from "./gateways/complex-gateway.js";
import { eventBasedGateway } from "./gateways/event-based-gateway.js";
import { exclusiveGateway } from "./gateways/exclusive-gateway.js";
import { inclusiveGateway } from "./gateways/inclusive-gateway.js";
import { parallelGateway } from "./gateways/parallel-gateway.js";
import { compensateStart } from "./starts/compensate-start.js";
import { conditionalStart } from "./starts/conditional-start.js";
import { errorStart } from "./starts/error-start.js";
import { escalationStart } from "./starts/escalation-start.js";
import { messageStart } from "./starts/message-start.js";
import { multipleStart } from "./starts/multiple-start.js";
import { signalStart } from "./starts/signal-start.js";
import { startEvent } from "./starts/start-event.js";
import { timerStart } from "./starts/timer-start.js";

/** What each element kind does, one file each; the compiler names a kind without a line here. */
const BEHAVIOURS: Record<NodeKind, Behaviour> = {
  task,
  receiveTask,
  userTask,
  scriptTask,
  subProcess,
  transaction,
  callActivity,
  eventSubProcess,
  pool,

  exclusiveGateway,
  parallelGateway,
  inclusiveGateway,
  complexGateway,
  eventBasedGateway,

  startEvent,
  messageStartEvent: messageStart,
  timerStartEvent: timerStart,
  signalStartEvent: signalStart,
  conditionalStartEvent: conditionalStart,
  errorStartEvent: errorStart,
  escalationStartEvent: escalationStart,
  compensateStartEvent: compensateStart,

  errorBoundaryEvent: errorBoundary,
  timerBoundaryEvent: timerBoundary,
  messageBoundaryEvent: messageBoundary,
  signalBoundaryEvent: signalBoundary,
  escalationBoundaryEvent: escalationBoundary,
  conditionalBoundaryEvent: conditionalBoundary,
  compensateBoundaryEvent: compensateBoundary,
  cancelBoundaryEvent: cancelBoundary,
  boundaryEvent: noneBoundary,

  intermediateCatchEvent: catchEvent,
  signalCatchEvent: signalCatch,
  conditionalCatchEvent: conditionalCatch,
  linkCatchEvent: linkCatch,
  intermediateThrowEvent: noneThrow,
  messageThrowEvent: messageThrow,
  signalThrowEvent: signalThrow,
  escalationThrowEvent: escalationThrow,
  compensateThrowEvent: compensateThrow,
  linkThrowEvent: linkThrow,

  endEvent,
  messageEndEvent: messageEnd,
  signalEndEvent: signalEnd,
  escalationEndEvent: escalationEnd,
  compensateEndEvent: compensateEnd,
  terminateEndEvent: terminateEnd,
  cancelEndEvent: cancelEnd,

  multipleStartEvent: multipleStart,
  multipleBoundaryEvent: multipleBoundary,
  multipleCatchEvent: multipleCatch,
};

/** Per node index, so the engine's hot path is one array read. */
export function behaviours(kinds: readonly NodeKind[]): Behaviour[] {
  return kinds.map((kind) => BEHAVIOURS[kind]);
}
