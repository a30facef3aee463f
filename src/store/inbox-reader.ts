import type { ControlRequest } from "../inbox/control-socket.js";
import { describe } from "../errors.js";
import type { Store } from "./connection.js";
import { ackInbox, openInbox, readInbox, REPLY_KEEP_S, requestState, sendToInbox, type RequestState } from "./inbox.js";
import { runKeys } from "./keys.js";
import { findStoreRun } from "./registry.js";
import type { StoreLease } from "./lease.js";
import type { StreamJournalWriter } from "./stream-writer.js";

/* how often the owner looks for new messages: a message waits at most this long */
const POLL_MS = 100;
/* how long the sender blocks for a reply before it looks at where its request stands */
const REPLY_SLICE_S = 1;

/** How a request to a run of the store ended, as its sender reads it. */
export type InboxReply = { ok: true; result: unknown } | { ok: false; code: string | undefined; message: string };

function replyKey(runId: string, entry: string): string {
  return `${runKeys(runId).inbox}:reply:${entry}`;
}

/**
 * The owner's side of a run's inbox in the store: `adhesive send`,
 * `complete` and `cancel` with --store add their request to the stream
 * (inbox.ts); the owner takes each (the pending ones, a former owner's,
 * first), hands it to the run as the control socket would, acknowledges it
 * in the same append as the run's journal record of it, and leaves the
 * outcome where the sender waits for it. Returns the function that stops
 * reading.
 *
 * A request is acknowledged by the journal append that records what it
 * did, so an owner that dies after that append leaves nothing pending and
 * the next owner does not take it again, and one that dies before it
 * leaves it pending for the next owner:
 * - a message (`send`): with its record (StreamJournalWriter.expectInbox);
 *   one sent to several catch elements at once, with its first record;
 * - an answer (`complete`): with its user task's completion, which holds it;
 * - a cancel: with the run's end record, which says it was cancelled.
 * What leaves no record (a refusal, `state`) is acknowledged on its own.
 * The sender of a request whose owner died after acknowledging it and
 * before replying learns that it was taken (requestStoreRun).
 */
export function readStoreInbox(lease: StoreLease, journal: StreamJournalWriter, handle: (request: ControlRequest, recorded?: () => void) => unknown): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const store = lease.store;
  const take = async (pending: boolean): Promise<number> => {
    const messages = await readInbox(lease, { pending });
    for (const { id, message } of messages) {
      if (stopped) break;
      const request = message as ControlRequest;
      let event: unknown;
      if (request.op === "send") {
        // the value the run records as the message's event: how the journal writer knows the record is this message's
        request.data ??= {};
        event = request.data;
        journal.expectInbox(event, id);
      }
      let acknowledged = false;
      const recorded = (): void => {
        journal.acknowledgeWithNext(id);
        acknowledged = true;
      };
      let reply: InboxReply;
      try {
        reply = { ok: true, result: await handle(request, request.op === "complete" ? recorded : undefined) };
      } catch (error) {
        reply = { ok: false, code: (error as { code?: string }).code, message: describe(error) };
      }
      if (request.op === "send") acknowledged = journal.settleInbox(event);
      if (request.op === "cancel" && reply.ok) {
        journal.acknowledgeAtEnd(id);
        acknowledged = true;
      }
      if (!acknowledged) await ackInbox(lease, [id]);
      await store.redis.multi().rpush(replyKey(lease.runId, id), JSON.stringify(reply)).expire(replyKey(lease.runId, id), REPLY_KEEP_S).exec();
    }
    return messages.length;
  };
  const poll = async (pending: boolean): Promise<void> => {
    if (stopped) return;
    try {
      // pending ones until there are none, then new ones
      const taken = await take(pending);
      timer = setTimeout(() => void poll(pending && taken > 0), taken > 0 ? 0 : POLL_MS);
    } catch {
      // the store is away, or the run was taken over (the fence refused the read): the lease says which, and stops the run
      timer = setTimeout(() => void poll(pending), POLL_MS);
    }
  };
  void openInbox(store, lease.runId).then(() => poll(true));
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** How a request to a run of the store ended for its sender: the owner's reply, or none within the wait (requestState says why). */
export type StoreRequestOutcome = { reply: InboxReply } | { unanswered: RequestState };

/**
 * The sender's side: adds the request to the inbox of the run (its id or a
 * unique prefix) and waits up to `waitMs` for the owner's reply. Without
 * one, the request is "queued" (nobody took it yet, or its owner died before
 * journaling it: the next owner takes it and replies), "handling" (its
 * owner journaled it and is alive: the reply is late), or "taken": its
 * owner journaled what it did and is gone, so no reply comes; that is known
 * as soon as the owner is gone, not at the end of the wait.
 */
export async function requestStoreRun(store: Store, idOrPrefix: string, request: ControlRequest, waitMs: number): Promise<StoreRequestOutcome> {
  const runId = await findStoreRun(store, idOrPrefix);
  await openInbox(store, runId);
  const entry = await sendToInbox(store, runId, request as unknown as Record<string, unknown>);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const left = deadline - Date.now();
    const reply = await store.redis.blpop(replyKey(runId, entry), Math.max(0.1, Math.min(REPLY_SLICE_S, left / 1000)));
    if (reply !== null) return { reply: JSON.parse(reply[1]) as InboxReply };
    const state = await requestState(store, runId, entry);
    if (state === "taken") return { unanswered: "taken" };
    if (Date.now() >= deadline) return { unanswered: state };
  }
}

/** What a sender is told when the run's owner did not answer (requestStoreRun). */
export function unansweredText(run: string, state: RequestState, waitedMs: number, store: string): string {
  const show = `adhesive runs show ${run} --store ${store}`;
  if (state === "taken") return `run ${run}: its owner took the request and stopped before it answered; the run's journal says what it did (${show})`;
  if (state === "handling") return `run ${run} took the request and has not answered within ${waitedMs / 1000} s (${show})`;
  return `run ${run} has not answered within ${waitedMs / 1000} s: the request stays in its inbox, for the process that owns the run next`;
}
