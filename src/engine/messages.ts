import type { NodeKind } from "../model/definition.js";
import { startsInstance, type GraphNode } from "../model/graph.js";
import type { Core } from "./core.js";
import { isPlainObject, setKey, share, type Data } from "./data.js";
import type { Token } from "./token.js";

/*
 * Messages that message flows carried: the sender's data. Only those are
 * kept here (a message flow sends rarely), so that setMessage can tell them
 * from messages that came from outside the run.
 */
const flowMessages = new WeakSet<object>();

/**
 * A message reaches data: it is `data.event`, and a message from outside
 * the run (a message() source, the inbox) that is a plain object also sets
 * its keys, as Camunda makes a message's variables process variables. A
 * message flow's message is the sender's whole data: only `data.event`.
 */
export function setMessage(data: Data, payload: unknown): void {
  if (isPlainObject(payload) && !flowMessages.has(payload)) {
    for (const key of Object.keys(payload)) setKey(data, key, payload[key]);
  }
  setKey(data, "event", payload);
}

/* where a token stands waiting for its message: one that comes before the token is kept for it */
const KEEPS_EARLY: ReadonlySet<NodeKind> = new Set<NodeKind>(["intermediateCatchEvent", "multipleCatchEvent", "receiveTask"]);

/** What take() returns when no message came before the token. */
export const NO_MESSAGE: unique symbol = Symbol("no message");

/**
 * Message flows between pools: an element that sends (a message throw or
 * end event, a send task, any element a flow leaves) hands its data as the
 * message to the elements the flows lead to, at once, inside the engine (no
 * input: the run stays a function of its inputs). A message start event
 * starts an instance of its process with `data.event`; tokens waiting at a
 * catch event, boundary event or receive task take it, all of them. A
 * message for a catch event or receive task nobody waits at yet is kept
 * until a token arrives (the sender often runs first); one for a boundary
 * event whose activity is not running is dropped.
 */
export class Messages {
  private readonly core: Core;
  private readonly early = new Map<GraphNode, unknown[]>();

  constructor(core: Core) {
    this.core = core;
  }

  /** The token's element sends its message along its message flows. */
  send(token: Token): void {
    const targets = token.node.messageTargets;
    if (targets === undefined) return;
    // the message is the sender's data; the extra reference is never released, so nothing changes it in place again
    const payload = share(token.ref).data;
    flowMessages.add(payload);
    for (const target of targets) this.deliver(target, payload);
  }

  /** A message that reached `node` before the token that now waits there; NO_MESSAGE when none did. */
  take(node: GraphNode): unknown {
    const queue = this.early.get(node);
    if (queue === undefined || queue.length === 0) return NO_MESSAGE;
    const payload = queue.shift();
    if (queue.length === 0) this.early.delete(node);
    return payload;
  }

  private deliver(target: GraphNode, payload: unknown): void {
    const core = this.core;
    if (startsInstance(target)) {
      core.startInstance(target, payload);
      return;
    }
    const arms = core.triggers.waits.armsOn(target);
    for (const arm of arms) core.triggers.triggered(arm, payload);
    if (arms.length > 0 || !KEEPS_EARLY.has(target.kind)) return;
    const queue = this.early.get(target);
    if (queue === undefined) this.early.set(target, [payload]);
    else queue.push(payload);
  }
}
