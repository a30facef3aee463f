import type { GraphNode } from "../model/graph.js";
import { AT, CLOSE_LIST, COMMA, END, INSTANCE, keep, piece, RECORD_BYTES, type RecordBuffer } from "./record-buffer.js";

const STARTED = piece('{"t":"s","s":');
const ATTEMPT = piece(',"a":');
const NODES = piece(',"n":[');
const REPEATED = piece('],"k":');

/**
 * First starts held open until the turn's write (journal-records.ts), as
 * runs of tasks numbered one after the other at one time: the tasks one
 * message instance started (format 3), or (format 4) those of instances
 * one after the other that each started the same elements, which a
 * message run's instances do:
 *   {"t":"s","s":<first>[,"i":<instance>],"n":<id>,"at":<ms>}              one task
 *   {"t":"s","s":<first>[,"i":<instance>],"n":[<id>,...],"at":<ms>}        tasks first, first + 1, ... of those elements
 *   {"t":"s","s":<first>,"i":<instance>,"n":[<id>,...],"k":<k>,"at":<ms>}  k instances from i on, each starting those elements, numbered on from first
 * A run's elements are held once, however many instances repeat them, and
 * a repetition cut short (the pool filled up) is written as its own run.
 */
export class StartRuns {
  /* per run: its first task, the elements of one instance, the instances that started them all, how many of them the next one started so far, time, instance */
  private readonly firsts: number[] = [];
  private readonly lengths: number[] = [];
  private readonly repeats: number[] = [];
  private readonly tails: number[] = [];
  private readonly ats: number[] = [];
  private readonly instances: number[] = [];
  private runs = 0;
  /* the task number and time a start must have to go on from the last run (none: -1) */
  private next = -1;
  private nextAt = 0;
  /* the runs' elements one after the other */
  private readonly nodes: GraphNode[] = [];
  /** elements held */
  count = 0;
  /* per node (by index: one run, one graph), its id as JSON, and its start record's middle `,"n":<id>,"at":` */
  private readonly idBytes: Array<Buffer | undefined> = [];
  private readonly middles: Array<Buffer | undefined> = [];

  /** A first start joins the last run when it goes on from it; true when it began a run of its own. `repeat`: format 4's instances in a row. */
  add(seq: number, node: GraphNode, time: number, instance: number, repeat: boolean): boolean {
    if (seq === this.next && time === this.nextAt) {
      // the last run's fields are read only for a start that goes on from it
      const run = this.runs - 1;
      const length = this.lengths[run];
      const repeats = this.repeats[run];
      const tail = this.tails[run];
      const first = this.instances[run];
      if (repeats === 1 && tail === 0 && instance === first) {
        this.nodes[this.count++] = node;
        this.lengths[run] = length + 1;
        this.next = seq + 1;
        return false;
      }
      if (repeat && first !== 0 && instance === first + repeats && node === this.nodes[this.count - length + tail]) {
        if (tail + 1 === length) {
          this.repeats[run] = repeats + 1;
          this.tails[run] = 0;
        } else this.tails[run] = tail + 1;
        this.next = seq + 1;
        return false;
      }
    }
    const run = this.runs++;
    this.firsts[run] = seq;
    this.lengths[run] = 1;
    this.repeats[run] = 1;
    this.tails[run] = 0;
    this.ats[run] = time;
    this.instances[run] = instance;
    this.nodes[this.count++] = node;
    this.next = seq + 1;
    this.nextAt = time;
    return true;
  }

  /** The runs held, as records, into `out`; nothing is held after. */
  write(out: RecordBuffer): void {
    const nodes = this.nodes;
    for (let run = 0, node = 0; run < this.runs; run++) {
      const length = this.lengths[run];
      const repeats = this.repeats[run];
      const time = this.ats[run];
      this.writeList(out, this.firsts[run], this.instances[run], node, length, repeats, time);
      const tail = this.tails[run];
      if (tail > 0) this.writeList(out, this.firsts[run] + repeats * length, this.instances[run] + repeats, node, tail, 1, time);
      node += length;
    }
    // the nodes are let go of: the run may go quiet for long before the array is used again
    nodes.fill(undefined as never, 0, this.count);
    this.runs = 0;
    this.count = 0;
    this.next = -1;
  }

  /** {"t":"s","s":<seq>[,"a":<attempt>][,"i":<instance>],"n":<id>,"at":<ms>}: one task's start */
  writeOne(out: RecordBuffer, seq: number, node: GraphNode, attempt: number, time: number, instance: number): void {
    const middle = this.middles[node.index] ?? keep(this.middles, node.index, Buffer.from(`,"n":${JSON.stringify(node.id)},"at":`));
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
    out.time(time);
    out.piece(END);
    out.seal();
  }

  /* the elements nodes[from, from + count), started by `repeats` instances from `instance` on */
  private writeList(out: RecordBuffer, seq: number, instance: number, from: number, count: number, repeats: number, time: number): void {
    const nodes = this.nodes;
    if (count === 1 && repeats === 1) return this.writeOne(out, seq, nodes[from], 1, time, instance);
    out.reserve(RECORD_BYTES);
    out.piece(STARTED);
    out.int(seq);
    if (instance !== 0) {
      out.piece(INSTANCE);
      out.int(instance);
    }
    out.piece(NODES);
    for (let i = 0; i < count; i++) {
      const node = nodes[from + i];
      const id = this.idBytes[node.index] ?? keep(this.idBytes, node.index, Buffer.from(JSON.stringify(node.id)));
      out.reserve(id.length + 1);
      if (i > 0) out.piece(COMMA);
      out.piece(id);
    }
    out.reserve(RECORD_BYTES);
    if (repeats > 1) {
      out.piece(REPEATED);
      out.int(repeats);
    } else out.piece(CLOSE_LIST);
    out.piece(AT);
    out.time(time);
    out.piece(END);
    out.seal();
  }
}
