import type { NodeKind } from "../../model/definition.js";
import type { Behaviour } from "./behaviour.js";
import { catchEvent } from "./catch-event.js";
import { endEvent } from "./end-event.js";
import { eventBasedGateway } from "./event-based-gateway.js";
import { passThrough } from "./pass-through.js";
import { subProcess } from "./sub-process.js";
import { task } from "./task.js";

/** The behaviour of each element kind; a new kind is a new file and a line here. */
const BEHAVIOURS: Partial<Record<NodeKind, Behaviour>> = {
  task,
  userTask: task,
  scriptTask: task,
  subProcess,
  intermediateCatchEvent: catchEvent,
  eventBasedGateway,
  endEvent,
};

/** Per node index, so the engine's hot path is one array read. */
export function behaviours(kinds: readonly NodeKind[]): Behaviour[] {
  return kinds.map((kind) => BEHAVIOURS[kind] ?? passThrough);
}
