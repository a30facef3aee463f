import type { EngineJournal } from "../engine/journal.js";
import type { TaskDataResult } from "../engine/task-data.js";
import type { GraphNode } from "../model/graph.js";
import { changesText, deliveredJson, failedJson, failureRecord, jsonId, noteJson, timerJson, valueText } from "./records.js";
import { redactValue } from "../secrets/redact.js";
import { piece, RecordBuffer } from "./record-buffer.js";
import { countNote, type JournalTallies } from "./snapshot.js";
import type { SnapshotSource } from "./writer.js";
import { encodeValue } from "./values.js";

const STARTED = piece('{"t":"s","s":');
const DONE = piece('{"t":"d","s":');
const ATTEMPT = piece(',"a":');
const INSTANCE = piece(',"i":');
const INSTANCE_ENDED = piece('{"t":"ie","i":');
const EVENT = piece(',"e":');
const JSON_VALUE = piece('{"j":');
const AT = piece(',"at":');
const END = piece("}");
/* a start or completion record without its node id: the constant pieces and numbers of 24 characters at most */
const RECORD_BYTES = 96;

/**
 * The journal of a run wherever it is kept: a file (writer.ts) or the
 * store's stream (src/store/stream-writer.ts). Both take the same records
 * and say the same things about when they are written.
 */
export interface RunJournal extends EngineJournal {
  /** A record for people and for `adhesive runs`, not an input; its `at` is absolute. */
  note(note: Record<string, unknown>): void;
  /** Writes nothing more, now: another process owns the run. */
  abandon(): void;
  /** Writes what is pending and ends (the run has ended). */
  close(): void;
  /** Starts the journal anew from a snapshot every so often (a file only: the store's stream keeps every record). */
  snapshotEvery?(source: SnapshotSource): void;
}

/**
 * Puts a run's records together, in the journal's format, into the bytes
 * of the next write; where they go and when is the subclass's (schedule()
 * asks for a write soon). One encoder for every kind of journal: a record
 * reads back the same from a file and from the store.
 */
export abstract class JournalRecords {
  protected readonly origin: number;
  protected readonly pending = new RecordBuffer();
  protected readonly tallies: JournalTallies;
  /* per node (by index: one run, one graph), its start record's middle `,"n":<id>,"at":`, encoded once */
  private readonly startMiddles: Array<Buffer | undefined> = [];
  /* per node, its message records' start `{"t":"em","n":<id>,"at":` */
  private readonly emitHeads: Array<Buffer | undefined> = [];

  constructor(origin: number, tallies: JournalTallies) {
    this.origin = origin;
    this.tallies = tallies;
  }

  /** A write of what is pending, soon (at the latest on the next turn of the event loop). */
  protected abstract schedule(): void;

  /* {"t":"s","s":<seq>[,"a":<attempt>][,"i":<instance>],"n":<id>,"at":<ms>} */
  started(seq: number, node: GraphNode, attempt: number, at: number, instance: number): void {
    const out = this.pending;
    const middle = (this.startMiddles[node.index] ??= Buffer.from(`,"n":${JSON.stringify(node.id)},"at":`));
    out.reserve(RECORD_BYTES + middle.length);
    out.piece(STARTED);
    out.int(seq);
    if (attempt !== 1) {
      out.piece(ATTEMPT);
      out.int(attempt);
    }
    if (instance !== 0) {
      out.piece(INSTANCE);
      out.int(instance);
    }
    out.piece(middle);
    out.int(at - this.origin);
    out.piece(END);
    out.seal();
    this.schedule();
  }

  /* {"t":"d","s":<seq>,"at":<ms>[,"c":{...},"r":[...]][,"g":<the flow a deciding gateway's function chose>]} */
  done(seq: number, result: TaskDataResult | undefined, at: number, decision?: unknown): void {
    this.tallies.done++;
    const out = this.pending;
    out.reserve(RECORD_BYTES);
    out.piece(DONE);
    out.int(seq);
    out.piece(AT);
    out.int(at - this.origin);
    if (result !== undefined) out.text(`,${changesText(result.data, result.changed)}`);
    if (decision !== undefined) out.text(`,"g":${JSON.stringify(encodeValue(decision))}`);
    // the texts reserved only their own room
    out.reserve(END.length);
    out.piece(END);
    out.seal();
    this.schedule();
  }

  failed(seq: number, error: unknown, at: number): void {
    this.tallies.failed++;
    this.add(failedJson(seq, at - this.origin, failureRecord(error)));
  }

  timer(arm: number, at: number): void {
    this.add(timerJson(arm, at - this.origin));
  }

  /* {"t":"em","n":<id>,"at":<ms>,"e":<value>,"i":<instance>}: one per message event, so put together as a task's records are (the value as values.ts encodes it) */
  emitted(node: GraphNode, event: unknown, at: number, instance: number): void {
    this.tallies.last.set(node.id, event);
    const out = this.pending;
    const head = (this.emitHeads[node.index] ??= Buffer.from(`{"t":"em","n":${jsonId(node, node.id)},"at":`));
    out.reserve(RECORD_BYTES + head.length);
    out.piece(head);
    out.int(at - this.origin);
    out.piece(EVENT);
    const masked = redactValue(event);
    if (isCount(masked)) {
      out.piece(JSON_VALUE);
      out.int(masked);
      out.piece(END);
    } else out.text(valueText(masked));
    // the text reserved only its own room
    out.reserve(RECORD_BYTES);
    out.piece(INSTANCE);
    out.int(instance);
    out.piece(END);
    out.seal();
    this.schedule();
  }

  /* {"t":"ie","i":<instance>,"at":<ms>}: one per message event, so put together as a task's records are */
  instanceEnded(instance: number, at: number): void {
    const out = this.pending;
    out.reserve(RECORD_BYTES);
    out.piece(INSTANCE_ENDED);
    out.int(instance);
    out.piece(AT);
    out.int(at - this.origin);
    out.piece(END);
    out.seal();
    this.schedule();
  }

  delivered(node: GraphNode, event: unknown, at: number, correlation: string | undefined): void {
    this.tallies.last.set(node.id, event);
    this.add(deliveredJson(jsonId(node, node.id), at - this.origin, event, correlation));
  }

  /** A record for people and for `adhesive runs` (lanes, process groups, the end), not an input; its `at` is absolute. */
  note(note: Record<string, unknown>): void {
    countNote(this.tallies, note);
    this.add(noteJson(typeof note.at === "number" ? { ...note, at: note.at - this.origin } : note));
  }

  protected add(json: string): void {
    this.pending.text(json);
    this.pending.seal();
    this.schedule();
  }
}

/* a whole number the buffer writes as digits: the value encoding of anything else is values.ts's */
function isCount(value: unknown): value is number {
  return typeof value === "number" && value >= 0 && value <= 0x7fffffff && (value | 0) === value && !Object.is(value, -0);
}
