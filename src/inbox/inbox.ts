import { keyCorrelation } from "../engine/correlation-key.js";
import { AdhesiveError, describe } from "../errors.js";
import { compileExpression, type CompiledExpression } from "../model/expression.js";
import type { GraphNode, ProcessGraph } from "../model/graph.js";
import { isMessageStart, MULTIPLE_KINDS } from "../model/kinds.js";
import type { MessageOutcome } from "../engine/outside-message.js";
import type { AnswerReceipts } from "./answer-receipts.js";
import type { FormView, PendingForms } from "./forms.js";
import { InboxError } from "./inbox-error.js";

/** A message for a running run: `adhesive send`, `POST /api/runs/<id>/messages`. */
export interface MessageDelivery {
  /** the message's name, or the catching element's name or id */
  message: string;
  /** becomes `data.event` of the token that takes it */
  data: unknown;
  /**
   * Only tokens whose data this expression holds for take the message
   * (`orderId === "42"`, or FEEL `= orderId = "42"`), like a condition.
   */
  correlation?: string;
  /**
   * A correlation key, as Zeebe publishes messages: only tokens whose
   * message subscription (`zeebe:subscription correlationKey`, evaluated
   * over their data) has this value take it.
   */
  key?: string | number;
}

/** An answer to a waiting user task: `adhesive complete`, the web form. */
export interface AnswerDelivery {
  /** the form's id, the user task's element id or its name */
  task: string;
  data: unknown;
  /** where it came from, as the terminal says it ("in the browser") */
  by: string;
  /** called when the user task's completion, which holds the answer, is recorded (AnswerReceipts.expect) */
  recorded?: () => void;
}

export type Delivery = ({ kind: "message" } & MessageDelivery) | ({ kind: "answer" } & AnswerDelivery);

/** The engine calls the inbox needs: each tells its outcome only once the run's journal holds it. */
export interface MessageTarget {
  readonly isFinished: boolean;
  deliver(node: GraphNode, event: unknown, correlation: CompiledExpression | undefined, settled: (outcome: MessageOutcome) => void): void;
  emit(node: GraphNode, event: unknown, settled: (outcome: MessageOutcome) => void): void;
  /** `done(true)` once everything the run has recorded so far is on disk */
  whenDurable(done: (written: boolean) => void): void;
}

export interface SendResult {
  /** tokens that took the message (or 1 for a new instance at a message start event) */
  delivered: number;
  elements: string[];
}


/**
 * What other processes and the web page can put into a running run:
 * messages for its message catch events, receive tasks, message boundary
 * events and event-based gateways (or a new instance at a message start event when
 * nobody waits), and answers for its open user-task forms.
 */
export class Inbox {
  private readonly graph: ProcessGraph;
  private readonly target: MessageTarget;
  readonly forms: PendingForms;

  private readonly receipts: AnswerReceipts;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(graph: ProcessGraph, target: MessageTarget, forms: PendingForms, receipts: AnswerReceipts) {
    this.graph = graph;
    this.target = target;
    this.forms = forms;
    this.receipts = receipts;
  }

  /**
   * Resolves once the message is in the run's journal (on disk), so an
   * acknowledged message survives a crash; rejects, and the run goes on,
   * when nobody takes it or its correlation fails. `javascript: false` (the
   * web API) takes FEEL correlations only: a browser-reachable endpoint must
   * not run code.
   */
  send(delivery: MessageDelivery, options: { javascript?: boolean } = {}): Promise<SendResult> {
    return this.track(this.sendNow(delivery, options));
  }

  /** Resolves once the answer is in the run's journal: it reaches it with the user task's completion. */
  complete(delivery: AnswerDelivery): Promise<FormView> {
    return this.track(this.completeNow(delivery));
  }

  /**
   * Resolves once every message and answer taken so far has its outcome:
   * a run that ends waits for them before it closes the ways in, or their
   * senders would never hear that what ended it was kept.
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  private track<T>(operation: Promise<T>): Promise<T> {
    this.inflight.add(operation);
    const done = (): void => void this.inflight.delete(operation);
    operation.then(done, done);
    return operation;
  }

  private async sendNow(delivery: MessageDelivery, { javascript = true }: { javascript?: boolean }): Promise<SendResult> {
    if (this.target.isFinished) throw new InboxError("ADHESIVE_RUN_ENDED", "the run has ended: it takes no more messages", 409);
    const nodes = this.graph.nodes.filter(takesMessages);
    const named = nodes.filter((node) => node.messageName === delivery.message || node.name === delivery.message || node.id === delivery.message);
    if (named.length === 0) {
      const names = [...new Set(nodes.map((node) => node.messageName ?? node.name))].filter(Boolean);
      throw new InboxError("ADHESIVE_NO_SUCH_MESSAGE", `the process has no message event "${delivery.message}"${names.length > 0 ? `; its messages: ${names.join(", ")}` : " (it has no message events)"}`, 404);
    }
    if (delivery.key !== undefined && delivery.correlation !== undefined) throw new InboxError("ADHESIVE_BAD_CORRELATION", "a message takes a correlation key or a correlation expression, not both");
    if (delivery.key !== undefined && !named.some((node) => node.correlationKey !== undefined)) {
      throw new InboxError("ADHESIVE_BAD_CORRELATION", `message "${delivery.message}" has no correlation key (zeebe:subscription correlationKey) at ${named.map((n) => n.id).join(", ")} to match ${JSON.stringify(String(delivery.key))}: send a correlation expression instead`);
    }
    const correlation = delivery.correlation === undefined ? undefined : compileCorrelation(delivery.correlation, javascript);
    const event = delivery.data ?? {};
    const elements: string[] = [];
    let delivered = 0;
    for (const node of named) {
      if (isMessageStart(node)) continue;
      const correlated = delivery.key === undefined ? correlation : keyed(node, delivery.key);
      if (correlated === false) continue;
      // what the message reached first may have ended the run: it was delivered
      if (delivered > 0 && this.target.isFinished) break;
      const taken = await outcome((settled) => this.target.deliver(node, event, correlated, settled));
      if (taken > 0) elements.push(node.id);
      delivered += taken;
    }
    const start = named.find(isMessageStart);
    if (delivered === 0 && start !== undefined && correlation === undefined && delivery.key === undefined) {
      await outcome((settled) => this.target.emit(start, event, settled));
      return { delivered: 1, elements: [start.id] };
    }
    if (delivered === 0) {
      const which = delivery.key !== undefined ? ` with correlation key ${JSON.stringify(String(delivery.key))}` : correlation === undefined ? "" : ` whose data matches ${delivery.correlation}`;
      throw new InboxError("ADHESIVE_NOT_DELIVERED", `no token waits for message "${delivery.message}"${which} now (at ${named.map((n) => n.id).join(", ")}); it was not delivered`, 409);
    }
    return { delivered, elements };
  }

  private async completeNow(delivery: AnswerDelivery): Promise<FormView> {
    if (this.target.isFinished) throw new InboxError("ADHESIVE_RUN_ENDED", "the run has ended: no user task waits", 409);
    let kept: Promise<void> | undefined;
    const view = this.forms.answer(delivery.task, delivery.data, delivery.by, (tokenId) => (kept = this.receipts.expect(tokenId, delivery.recorded)));
    await kept;
    return view;
  }
}

/** Whether an inbox message can reach the node: message catch, boundary and start events, and receive tasks. */
export function takesMessages(node: GraphNode): boolean {
  return node.kind === "messageBoundaryEvent" || node.kind === "receiveTask" || isMessageStart(node) || ((node.kind === "intermediateCatchEvent" || MULTIPLE_KINDS.has(node.kind)) && node.messageName !== undefined);
}

function compileCorrelation(text: string, javascript: boolean): CompiledExpression {
  if (!javascript && !text.trimStart().startsWith("=")) {
    throw new InboxError("ADHESIVE_BAD_CORRELATION", `correlation ${JSON.stringify(text)}: the web API takes FEEL expressions only (starting with "="); JavaScript ones only from adhesive send`);
  }
  try {
    return compileExpression(text, "correlation");
  } catch (error) {
    throw new InboxError("ADHESIVE_BAD_CORRELATION", `correlation expression ${JSON.stringify(text)}: ${describe(error)}`);
  }
}

/* the key's correlation; a subscription that does not compile goes back to the sender like a correlation that does not */
function keyed(node: GraphNode, key: string | number): CompiledExpression | undefined | false {
  try {
    return keyCorrelation(node, key);
  } catch (error) {
    throw new InboxError("ADHESIVE_BAD_CORRELATION", `the correlation key of ${node.id} (${node.correlationKey}): ${describe(error)}`);
  }
}

/*
 * How many tokens took a message, once the journal holds it. What the
 * engine refuses (event data it cannot hold, a correlation that throws, a
 * run that ended) goes back to the sender, not into the run.
 */
function outcome(send: (settled: (outcome: MessageOutcome) => void) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    try {
      send((result) => ("taken" in result ? resolve(result.taken) : reject(refusal(result.refused))));
    } catch (error) {
      reject(refusal(error));
    }
  });
}

function refusal(error: unknown): InboxError {
  if (error instanceof InboxError) return error;
  const code = error instanceof AdhesiveError ? error.code : "ADHESIVE_NOT_DELIVERED";
  if (code === "ADHESIVE_RUN_ENDED") return new InboxError(code, `${describe(error)}; it was not delivered`, 409);
  if (code === "ADHESIVE_NOT_RECORDED") return new InboxError(code, describe(error), 503);
  if (code === "ADHESIVE_EXPRESSION") return new InboxError("ADHESIVE_BAD_CORRELATION", `the correlation failed, so the message was not delivered: ${describe(error)}`, 422);
  return new InboxError(code, describe(error));
}
