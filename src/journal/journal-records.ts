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
const NODES = piece(',"n":[');
const COMMA = piece(",");
const CLOSE_LIST = piece("]");
const TO = piece(',"to":');

/* at most this many starts, completions or instance ends are held open together: a wide fork does not make one line of megabytes */
const GROUP_MAX = 256;

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
  /* per node, its id as JSON */
  private readonly idBytes: Array<Buffer | undefined> = [];
  /* records held open (closeGroup writes them): a run of completions, instances that ended, a run of first starts */
  private doneFirst = 0;
  private doneCount = 0;
  private doneAt = 0;
  private readonly endInstances: number[] = [];
  private readonly endAts: number[] = [];
  private endCount = 0;
  /* runs of starts (a run per instance and time): first task, how many, time, instance; their nodes one after the other */
  private readonly startFirsts: number[] = [];
  private readonly startCounts: number[] = [];
  private readonly startAts: number[] = [];
  private readonly startInstances: number[] = [];
  private startRuns = 0;
  private readonly startNodes: GraphNode[] = [];
  private startCount = 0;
  /** whether runs of starts and completions are written as one record each (format 3); a journal of format 2 goes on without */
  protected grouping = true;
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
    if (attempt === 1 && this.grouping) {
      const run = this.startRuns - 1;
      if (run >= 0 && seq === this.startFirsts[run] + this.startCounts[run] && time === this.startAts[run] && instance === this.startInstances[run]) {
        this.startCounts[run]++;
        this.startNodes[this.startCount++] = node;
        if (this.startCount === GROUP_MAX) this.closeGroup();
        return;
      }
      // a run of another instance or time: held open after the others, so the completions and instance ends go on gathering
      this.startFirsts[run + 1] = seq;
      this.startCounts[run + 1] = 1;
      this.startAts[run + 1] = time;
      this.startInstances[run + 1] = instance;
      this.startRuns++;
      this.startNodes[this.startCount++] = node;
      if (this.startCount === GROUP_MAX) {
        this.closeGroup();
        return;
      }
      this.hold();
      return;
    }
    this.closeGroup();
    this.writeStart(seq, node, attempt, time, instance);
    this.schedule();
  }

  private writeStart(seq: number, node: GraphNode, attempt: number, time: number, instance: number): void {
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
    out.int(time);
    out.piece(END);
    out.seal();
  }

  /*
   * {"t":"d","s":<seq>,"at":<ms>[,"c":{...},"r":[...]][,"g":<the flow a deciding gateway's function chose>]};
   * a completion that changed nothing joins the run of such completions
   * held open when it is the next task at the same time (see closeGroup)
   */
  done(seq: number, result: TaskDataResult | undefined, at: number, decision?: unknown): void {
    this.tallies.done++;
    const time = at - this.origin;
    if (result === undefined && decision === undefined && this.grouping) {
      const count = this.doneCount;
      if (count > 0 && count < GROUP_MAX && seq === this.doneFirst + count && time === this.doneAt) {
        this.doneCount++;
        return;
      }
      if (count > 0) this.closeGroup();
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
    out.int(time);
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
   * completions, the instances that ended, the run of starts. One start,
   * completion or instance end alone is its own record; several in a row
   * are one (journal format 3):
   *   {"t":"s","s":<first>[,"i":<instance>],"n":[<id>,...],"at":<ms>}  tasks first, first + 1, ... of those elements
   *   {"t":"d","s":<first>,"to":<last>,"at":<ms>}                        tasks first..last returned, changing nothing
   *   {"t":"ie","i":<first>,"to":<last>,"at":<ms>}                       message instances first..last ended
   * The order may differ from the order they happened in, within what a
   * replay does not see: a start is never written before a completion that
   * came before it (the slot it freed may be what started the task), an
   * instance's end never before its completions, and a task's completion
   * is never in the same group as its start (its function is called only
   * once the start is written). Any other record writes the group first.
   */
  protected readonly closeGroup = (): void => {
    if (this.doneCount + this.endCount + this.startCount === 0) return;
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
      out.int(this.doneAt);
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
    const starts = this.startCount;
    if (starts === 0) return;
    this.startCount = 0;
    const nodes = this.startNodes;
    for (let run = 0, node = 0; run < this.startRuns; run++) {
      const count = this.startCounts[run];
      if (count === 1) this.writeStart(this.startFirsts[run], nodes[node], 1, this.startAts[run], this.startInstances[run]);
      else {
        out.reserve(RECORD_BYTES);
        out.piece(STARTED);
        out.int(this.startFirsts[run]);
        if (this.startInstances[run] !== 0) {
          out.piece(INSTANCE);
          out.int(this.startInstances[run]);
        }
        out.piece(NODES);
        for (let i = 0; i < count; i++) {
          const id = (this.idBytes[nodes[node + i].index] ??= Buffer.from(JSON.stringify(nodes[node + i].id)));
          out.reserve(id.length + 1);
          if (i > 0) out.piece(COMMA);
          out.piece(id);
        }
        out.reserve(RECORD_BYTES);
        out.piece(CLOSE_LIST);
        out.piece(AT);
        out.int(this.startAts[run]);
        out.piece(END);
        out.seal();
      }
      node += count;
    }
    this.startRuns = 0;
    // the nodes are let go of: the run may go quiet for long before the array is used again
    nodes.fill(undefined as never, 0, starts);
  };

  failed(seq: number, error: unknown, at: number): void {
    this.tallies.failed++;
    this.closeGroup();
    this.add(failedJson(seq, at - this.origin, failureRecord(error)));
  }

  timer(arm: number, at: number): void {
    this.add(timerJson(arm, at - this.origin));
  }

  /* {"t":"em","n":<id>,"at":<ms>,"e":<value>,"i":<instance>}: one per message event, so put together as a task's records are (the value as values.ts encodes it) */
  emitted(node: GraphNode, event: unknown, at: number, instance: number): void {
    this.tallies.last.set(node.id, event);
    this.closeGroup();
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

  /* {"t":"ie","i":<instance>,"at":<ms>}: one per message event, held open with the tasks' records (see closeGroup) */
  instanceEnded(instance: number, at: number): void {
    if (!this.grouping || this.endCount === GROUP_MAX) this.closeGroup();
    if (!this.grouping) {
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
    out.int(time);
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
