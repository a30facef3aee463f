import type { Store } from "./connection.js";
import { fencedScript, runFenced } from "./fence.js";
import { INBOX_GROUP, runKeys } from "./keys.js";
import { StoreScript } from "./script.js";
import type { StoreLease } from "./lease.js";

/*
 * A run's inbox in the store: a stream anyone may add messages to (`adhesive
 * send`, a form's answer from the live view), read by the run's owner
 * through one consumer group, and acknowledged (XACK) once the message is
 * journaled, in the same script as its journal record (journal-stream.ts).
 * A message read but not acknowledged stays pending: the next owner reads
 * the pending ones first, so an owner that dies between reading and
 * journaling loses nothing.
 *
 * Reading is fenced too: a former owner that wakes up after a takeover
 * cannot move new messages into the pending list, so the pending list is
 * always the current owner's to read.
 *
 * Each message read is marked with the reader's epoch (`<inbox>:taken:<id>`,
 * kept as long as a reply): a sender whose request was acknowledged by an
 * owner that is gone since knows no reply will come (inbox-reader.ts).
 *   KEYS epoch, lease, inbox   ARGV epoch, count, "0" (pending) or ">" (new), seconds a mark is kept
 */
const READ = fencedScript(`
local read = redis.call('XREADGROUP', 'GROUP', '${INBOX_GROUP}', '${INBOX_GROUP}', 'COUNT', ARGV[2], 'STREAMS', KEYS[3], ARGV[3])
if not read then return {1, {}} end
for _, entry in ipairs(read[1][2]) do redis.call('SET', KEYS[3] .. ':taken:' .. entry[1], ARGV[1], 'EX', ARGV[4]) end
return {1, read[1][2]}
`);

/** How long a reply, and the mark of who took a request, wait for a sender who may have given up. */
export const REPLY_KEEP_S = 300;

/*   KEYS epoch, lease, inbox   ARGV epoch, ids... */
const ACK = fencedScript(`
for i = 2, #ARGV do redis.call('XACK', KEYS[3], '${INBOX_GROUP}', ARGV[i]) end
return {1}
`);

export interface InboxMessage {
  /** the stream entry id: what acknowledges it */
  id: string;
  message: Record<string, unknown>;
}

/** Makes the run's inbox and its consumer group (nothing when they exist). */
export async function openInbox(store: Store, runId: string): Promise<void> {
  try {
    await store.redis.xgroup("CREATE", runKeys(runId).inbox, INBOX_GROUP, "0", "MKSTREAM");
  } catch (error) {
    if (!String((error as Error).message).startsWith("BUSYGROUP")) throw error;
  }
}

/** Adds a message to the run's inbox; returns its entry id. */
export async function sendToInbox(store: Store, runId: string, message: Record<string, unknown>): Promise<string> {
  return (await store.redis.xadd(runKeys(runId).inbox, "*", "m", JSON.stringify(message)))!;
}

/**
 * The owner's next messages: with `pending`, those read before and not yet
 * acknowledged (by this owner or a former one), else new ones. At most
 * `count`; none when there are none.
 */
export async function readInbox(lease: StoreLease, options: { pending: boolean; count?: number }): Promise<InboxMessage[]> {
  const [entries] = (await runFenced(lease, READ, [lease.keys.inbox], [options.count ?? 100, options.pending ? "0" : ">", REPLY_KEEP_S])) as [Array<[string, string[]]>];
  const messages: InboxMessage[] = [];
  for (const [id, fields] of entries) {
    const at = fields.indexOf("m");
    messages.push({ id, message: at >= 0 ? (JSON.parse(fields[at + 1]) as Record<string, unknown>) : {} });
  }
  return messages;
}

/** Acknowledges messages without a journal record (one that was refused, say); journaled ones are acknowledged by appendJournal. */
export async function ackInbox(lease: StoreLease, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await runFenced(lease, ACK, [lease.keys.inbox], ids);
}

/** How many messages were read and not acknowledged yet. */
export async function pendingInbox(store: Store, runId: string): Promise<number> {
  const summary = (await store.redis.xpending(runKeys(runId).inbox, INBOX_GROUP)) as [number, ...unknown[]];
  return summary[0];
}

export type RequestState = "queued" | "handling" | "taken";

/*
 * Where a request stands, read at one moment (a script): its taker's mark,
 * whether it is pending, the run's epoch now.
 *   KEYS mark, inbox, epoch   ARGV entry id
 */
const STATE = new StoreScript(`
local taker = redis.call('GET', KEYS[1])
if not taker then return 'queued' end
if #redis.call('XPENDING', KEYS[2], '${INBOX_GROUP}', ARGV[1], ARGV[1], 1) > 0 then return 'queued' end
if taker == redis.call('GET', KEYS[3]) then return 'handling' end
return 'taken'
`);

/**
 * Where a request stands that got no reply yet: "queued" while nobody read
 * it or it is pending (being handled, or left for the next owner, who reads
 * the pending ones first and replies); "handling" while the run's epoch is
 * still that of the owner that acknowledged it (its reply is on its way, or
 * it died and nobody took the run over yet: an owner whose lease ran out
 * takes it back on its next renewal while the epoch is unchanged); "taken"
 * once the run has a later owner, so no reply will come (the owner died or
 * was fenced out between its journal append and its reply).
 */
export async function requestState(store: Store, runId: string, entry: string): Promise<RequestState> {
  const keys = runKeys(runId);
  return (await STATE.run(store.redis, [`${keys.inbox}:taken:${entry}`, keys.inbox, keys.epoch], [entry])) as RequestState;
}
