import type { EngineJournal } from "../engine/journal.js";
import type { TaskDataResult } from "../engine/task-data.js";
import type { GraphNode } from "../model/graph.js";
import { changesText, deliveredJson, failedJson, failureRecord, jsonId, JOURNAL_VERSION, noteJson, timerJson, valueText } from "./records.js";
import { redactValue } from "../secrets/redact.js";
import { AT, CLOSE_LIST, COMMA, END, INSTANCE, keep, piece, RECORD_BYTES, RecordBuffer } from "./record-buffer.js";
import { countNote, type JournalTallies } from "./snapshot.js";
import { StartRuns } from "./start-runs.js";
import type { SnapshotSource } from "./writer.js";
import { encodeValue } from "./values.js";

const DONE = piece('{"t":"d","s":');
const INSTANCE_ENDED = piece('{"t":"ie","i":');
const EVENT = piece(',"e":');
const EVENTS = piece(',"e":[');
const JSON_VALUE = piece('{"j":');
const TO = piece(',"to":');

/* at most this many starts, completions, instance ends or message events are held open together: a wide fork does not make one line of megabytes */
const GROUP_MAX = 256;
/* nor do message events whose values are long: a run of them is written once their JSON is this long */
const EVENTS_TEXT_MAX = 1 << 14;


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
  /* records held open (closeGroup writes them): a run of completions, instances that ended, a run of message events, runs of first starts */
  private doneFirst = 0;
  private doneCount = 0;
  private doneAt = 0;
  private readonly endInstances: number[] = [];
  private readonly endAts: number[] = [];
  private endCount = 0;
  private readonly starts = new StartRuns();
  /* message events of one element at one time, instances one after the other: the element, the first instance, the time, each value (a whole number, or its JSON text), and that text's length */
  private eventsNode: GraphNode | undefined;
  private eventsFirst = 0;
  private eventsAt = 0;
  private readonly events: Array<number | string> = [];
  private eventCount = 0;
  private eventsText = 0;
  /**
   * The format the records are written in: a journal goes on in the
   * records of its own version. 2: one record per start and completion;
   * 3: runs of starts, completions and instance ends; 4: also runs of
   * message events and of instances that started the same elements.
   */
  protected format = JOURNAL_VERSION;
  /* per node, its message records' start `{"t":"em","n":<id>,"at":` */
  private readonly emitHeads: Array<Buffer | undefined> = [];

  constructor(origin: number, tallies: JournalTallies) {
    this.origin = origin;
    this.tallies = tallies;
  }

  /** A write of what is pending, soon (at the latest on the next turn of the event loop). */
  protected abstract schedule(): void;

  /*
   * {"t":"s","s":<seq>[,"a":<attempt>][,"i":<instance>],"n":<id>,"at":<ms>};
   * a first attempt joins the run of starts held open when it is the next
   * task of the same instance at the same time (see closeGroup)
   */
  started(seq: number, node: GraphNode, attempt: number, at: number, instance: number): void {
    const time = at - this.origin;
    if (attempt === 1 && this.format >= 3) {
      // a run of another instance or time is held open after the others, so the completions and instance ends go on gathering
      const began = this.starts.add(seq, node, time, instance, this.format >= 4);
      if (this.starts.count === GROUP_MAX) this.closeGroup();
      else if (began) this.hold();
      return;
    }
    this.closeGroup();
    this.starts.writeOne(this.pending, seq, node, attempt, time, instance);
    this.schedule();
  }

  /*
   * {"t":"d","s":<seq>,"at":<ms>[,"c":{...},"r":[...]][,"g":<the flow a deciding gateway's function chose>]};
   * a completion that changed nothing joins the run of such completions
   * held open when it is the next task at the same time (see closeGroup)
   */
  done(seq: number, result: TaskDataResult | undefined, at: number, decision?: unknown): void {
    this.tallies.done++;
    const time = at - this.origin;
    if (result === undefined && decision === undefined && this.format >= 3) {
      const count = this.doneCount;
      if (count > 0 && count < GROUP_MAX && seq === this.doneFirst + count && time === this.doneAt && this.eventCount === 0) {
        this.doneCount++;
        return;
      }
      // a completion is never written before a message event that came before it
      if (count > 0 || this.eventCount > 0) this.closeGroup();
      this.doneFirst = seq;
      this.doneCount = 1;
      this.doneAt = time;
      this.hold();
      return;
    }
    this.closeGroup();
    const out = this.pending;
    out.reserve(RECORD_BYTES);
    out.piece(DONE);
    out.int(seq);
    out.piece(AT);
    out.time(time);
    if (result !== undefined) out.text(`,${changesText(result.data, result.changed)}`);
    if (decision !== undefined) out.text(`,"g":${JSON.stringify(encodeValue(decision))}`);
    // the texts reserved only their own room
    out.reserve(END.length);
    out.piece(END);
    out.seal();
    this.schedule();
  }

  /* records are held open: the buffer writes them (closeGroup) before its bytes are read, so a write soon is asked for */
  private hold(): void {
    this.pending.holdOpen(this.closeGroup);
    this.schedule();
  }

  /*
   * The records held open go into the bytes, in this order: the run of
   * completions, the instances that ended, the run of message events, the
   * runs of starts. One alone is its own record; several in a row are one
   * (journal format 3; message events and instances that started the same
   * elements from format 4, start-runs.ts):
   *   {"t":"d","s":<first>,"to":<last>,"at":<ms>}                    tasks first..last returned, changing nothing
   *   {"t":"ie","i":<first>,"to":<last>,"at":<ms>}                   message instances first..last ended
   *   {"t":"em","n":<id>,"at":<ms>,"e":[<value>,...],"i":<first>}    message events that started instances first, first + 1, ...
   * The order may differ from the order they happened in, within what a
   * replay does not see: a start is never written before a completion or
   * message event that came before it (what may have started the task), a
   * completion never before a message event that came before it, an
   * instance's end never before its completions or its message event, and
   * a task's completion is never in the same group as its start (its
   * function is called only once the start is written). Any other record
   * writes the group first.
   */
  protected readonly closeGroup = (): void => {
    if (this.doneCount + this.endCount + this.eventCount + this.starts.count === 0) return;
    const out = this.pending;
    out.letGo();
    const dones = this.doneCount;
    if (dones > 0) {
      out.reserve(RECORD_BYTES);
      out.piece(DONE);
      out.int(this.doneFirst);
      if (dones > 1) {
        out.piece(TO);
        out.int(this.doneFirst + dones - 1);
      }
      out.piece(AT);
      out.time(this.doneAt);
      out.piece(END);
      out.seal();
      this.doneCount = 0;
    }
    const ends = this.endCount;
    for (let i = 0, last = 0; i < ends; i = last + 1) {
      // instances that ended in a row at the same time: one record
      last = i;
      while (last + 1 < ends && this.endInstances[last + 1] === this.endInstances[last] + 1 && this.endAts[last + 1] === this.endAts[i]) last++;
      this.writeEnded(this.endInstances[i], this.endAts[i], last === i ? undefined : this.endInstances[last]);
    }
    this.endCount = 0;
    if (this.eventCount > 0) this.writeEvents();
    if (this.starts.count > 0) this.starts.write(out);
  };

  failed(seq: number, error: unknown, at: number): void {
    this.tallies.failed++;
    this.closeGroup();
    this.add(failedJson(seq, at - this.origin, failureRecord(error)));
  }

  timer(arm: number, at: number): void {
    this.add(timerJson(arm, at - this.origin));
  }

  /*
   * {"t":"em","n":<id>,"at":<ms>,"e":<value>,"i":<instance>}: one per
   * message event, so put together as a task's records are (the value as
   * values.ts encodes it). Format 4 holds events of one element at one
   * time open, while their instances go one after the other, and writes
   * them as one record, `e` the list of their values and `i` the first's
   * instance (see closeGroup).
   */
  emitted(node: GraphNode, event: unknown, at: number, instance: number): void {
    this.tallies.last.set(node.id, event);
    const masked = redactValue(event);
    const value = isCount(masked) ? masked : valueText(masked);
    const time = at - this.origin;
    const count = this.eventCount;
    if (count > 0 && node === this.eventsNode && time === this.eventsAt && instance === this.eventsFirst + count && count < GROUP_MAX && this.eventsText < EVENTS_TEXT_MAX) {
      this.events[count] = value;
      this.eventCount = count + 1;
      if (typeof value === "string") this.eventsText += value.length;
      return;
    }
    this.closeGroup();
    this.eventsNode = node;
    this.eventsFirst = instance;
    this.eventsAt = time;
    this.events[0] = value;
    this.eventCount = 1;
    this.eventsText = typeof value === "string" ? value.length : 0;
    if (this.format >= 4) this.hold();
    else {
      this.writeEvents();
      this.schedule();
    }
  }

  private writeEvents(): void {
    const out = this.pending;
    const node = this.eventsNode!;
    const count = this.eventCount;
    const events = this.events;
    const head = this.emitHeads[node.index] ?? keep(this.emitHeads, node.index, Buffer.from(`{"t":"em","n":${jsonId(node, node.id)},"at":`));
    out.reserve(RECORD_BYTES + head.length);
    out.piece(head);
    out.time(this.eventsAt);
    out.piece(count === 1 ? EVENT : EVENTS);
    for (let i = 0; i < count; i++) {
      const value = events[i];
      // the text reserves its own room
      out.reserve(RECORD_BYTES);
      if (i > 0) out.piece(COMMA);
      if (typeof value === "number") {
        out.piece(JSON_VALUE);
        out.int(value);
        out.piece(END);
      } else out.text(value);
    }
    out.reserve(RECORD_BYTES);
    if (count > 1) out.piece(CLOSE_LIST);
    out.piece(INSTANCE);
    out.int(this.eventsFirst);
    out.piece(END);
    out.seal();
    // the values are let go of
    events.fill(0, 0, count);
    this.eventCount = 0;
    this.eventsNode = undefined;
  }

  /* {"t":"ie","i":<instance>,"at":<ms>}: one per message event, held open with the tasks' records (see closeGroup) */
  instanceEnded(instance: number, at: number): void {
    // an instance's end is never written before the message event that started it
    if (this.format < 3 || this.endCount === GROUP_MAX || this.eventCount > 0) this.closeGroup();
    if (this.format < 3) {
      this.writeEnded(instance, at - this.origin);
      this.schedule();
      return;
    }
    this.endInstances[this.endCount] = instance;
    this.endAts[this.endCount++] = at - this.origin;
    this.hold();
  }

  private writeEnded(instance: number, time: number, last?: number): void {
    const out = this.pending;
    out.reserve(RECORD_BYTES);
    out.piece(INSTANCE_ENDED);
    out.int(instance);
    if (last !== undefined) {
      out.piece(TO);
      out.int(last);
    }
    out.piece(AT);
    out.time(time);
    out.piece(END);
    out.seal();
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
    this.closeGroup();
    this.pending.text(json);
    this.pending.seal();
    this.schedule();
  }
}

/* a whole number the buffer writes as digits: the value encoding of anything else is values.ts's */
function isCount(value: unknown): value is number {
  return typeof value === "number" && value >= 0 && value <= 0x7fffffff && (value | 0) === value && !Object.is(value, -0);
}
