import { isDeepStrictEqual } from "node:util";
import { LoopError } from "../errors.js";
import type { GraphNode } from "../model/graph.js";
import type { Core } from "./core.js";
import { release, setKey, share, writable, type DataRef } from "./data.js";
import { loopEntries, loopRun, type LoopContext, type LoopRun } from "./loop-context.js";
import { mergedWith } from "./merge.js";
import { TokenState, type Token } from "./token.js";
import type { Armed } from "./waits.js";

/**
 * Loops on activities. The loop expression's value decides: a collection
 * gives one iteration per item (in parallel, or one at a time when
 * sequential), a truthy scalar repeats while it stays truthy, falsy or
 * empty skips the activity (a standard loop's condition, do-while unless
 * testBefore, runs it once first). Each iteration is a token of its own
 * with `ctx.loop` set; a multi-instance completion condition cancels the
 * rest. A condition loop and a multi-instance activity complete once, so
 * their boundary events are armed once, on the loop run.
 */
export class Loops {
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  /** The token arrived at a looped node: its iterations begin. */
  start(token: Token): void {
    const core = this.core;
    const loop = token.node.loop!;
    let value: unknown;
    let entries: Array<[unknown, unknown]> | undefined;
    try {
      value = this.evaluate(token);
      entries = this.entries(token.node, value);
    } catch (error) {
      // an error of the activity: its error boundary catches it like a task's
      core.fail(token, error);
      return;
    }
    if (loop.maximum !== undefined) entries = capped(entries, loop.maximum);
    if (entries === undefined) {
      token.run = loopRun("condition", undefined, token.loop);
      token.run.value = value;
      token.run.data = token.ref.data;
      token.loop = loopContext(token.node, 0, value, value, token.loop, this.text(token.node));
      core.execute(token);
    } else if (entries.length === 0) {
      core.route(token);
    } else if (isMultiInstance(token.node)) {
      this.instances(token, entries, loop.sequential);
    } else if (loop.sequential || this.core.options.runner.loop?.(token.node)?.sequential === true) {
      token.run = loopRun("sequential", entries, token.loop);
      this.iterate(token, 0, entries[0]);
    } else {
      this.parallel(token, entries);
    }
  }

  /**
   * After an iteration. Returns true when the token stays in the loop (a
   * condition loop goes round again); a sequential loop starts its next
   * iteration as a new token and lets this one leave.
   */
  next(token: Token): boolean {
    const core = this.core;
    const run = token.run;
    if (run !== undefined && (run.kind === "instances" || run.kind === "sequence")) return this.instanceDone(token, run);
    let next: unknown = false;
    try {
      const completed = this.completionReached(token);
      if (run === undefined || completed) next = false;
      else if (run.kind === "condition") next = this.belowMaximum(token) && this.goesOn(token, run);
      else next = token.loop!.index + 1 < run.entries!.length;
    } catch (error) {
      core.fail(token, error);
      return true;
    }
    if (run === undefined) return false;
    token.run = undefined;
    if (!next) {
      this.disarm(run);
      return false;
    }
    const index = token.loop!.index + 1;
    if (run.kind === "condition") {
      token.run = run;
      token.loop = loopContext(token.node, index, next, next, run.outer, this.text(token.node));
      core.execute(token);
      return true;
    }
    const iteration = core.createToken(token.node, token.frame, share(token.ref), run.outer, token.via);
    iteration.run = run;
    this.iterate(iteration, index, run.entries![index]);
    return false;
  }

  /*
   * A BPMN multi-instance activity: every instance is a token of its own
   * (one after another when sequential, each going on with the data the
   * one before left), and the activity completes once. Parallel instances
   * that end wait in `run.results`; the last one (or the first whose
   * completion condition holds, which cancels the rest) leaves with all
   * their data merged in index order.
   */
  private instances(token: Token, entries: Array<[unknown, unknown]>, sequential: boolean): void {
    const run = loopRun(sequential ? "sequence" : "instances", entries, token.loop);
    run.start = share(token.ref);
    if (token.node.loop!.outputCollection !== undefined) run.outputs = new Array(entries.length);
    if (sequential) {
      token.run = run;
      this.iterate(token, 0, entries[0]);
      return;
    }
    run.pending = entries.length;
    run.results = new Array(entries.length);
    run.tokens = [token];
    for (let i = 1; i < entries.length; i++) run.tokens.push(this.core.createToken(token.node, token.frame, share(token.ref), token.loop, token.via));
    for (const instance of run.tokens) instance.run = run;
    for (let i = 0; i < run.tokens.length; i++) {
      // an instance that failed as it started (an input mapping) and was caught on the activity's boundary cancelled them all
      if (run.tokens[i].state === TokenState.Cancelled) return;
      this.iterate(run.tokens[i], i, entries[i]);
    }
  }

  /* An instance completed: true while the activity goes on without this token, false when the token leaves it. */
  private instanceDone(token: Token, run: LoopRun): boolean {
    const core = this.core;
    const index = token.loop!.index;
    let completed: boolean;
    try {
      if (run.outputs !== undefined) run.outputs[index] = token.node.loop!.outputElement?.evaluate(core.scopeOf(token));
      completed = this.completionReached(token);
    } catch (error) {
      core.fail(token, error);
      return true;
    }
    if (run.kind === "sequence") {
      if (!completed && index + 1 < run.entries!.length) {
        this.iterate(token, index + 1, run.entries![index + 1]);
        return true;
      }
      this.leave(token, run, token.ref);
      return false;
    }
    run.results![index] = share(token.ref);
    run.pending--;
    if (!completed && run.pending > 0) {
      token.run = undefined;
      if (run.arms?.[0].token === token) handOver(run, token);
      token.state = TokenState.Done;
      core.remove(token);
      return true;
    }
    const merged = mergedResults(run.results!);
    run.results = undefined;
    this.leave(token, run, merged);
    return false;
  }

  /* The multi-instance activity completes: its token leaves with `ref`, without the instances' element variable, with the output collection. */
  private leave(token: Token, run: LoopRun, ref: DataRef): void {
    const loop = token.node.loop!;
    if (ref !== token.ref) {
      release(token.ref);
      token.ref = ref;
    }
    if (loop.elementVariable !== undefined || loop.outputCollection !== undefined) {
      token.ref = writable(token.ref);
      const data = token.ref.data;
      const before = run.start!.data;
      if (loop.elementVariable !== undefined) {
        if (Object.hasOwn(before, loop.elementVariable)) setKey(data, loop.elementVariable, before[loop.elementVariable]);
        else delete data[loop.elementVariable];
      }
      if (loop.outputCollection !== undefined) setKey(data, loop.outputCollection, run.outputs);
    }
    this.letGo(run);
    token.run = undefined;
  }

  /**
   * An interrupting boundary event or a caught error ends the activity of
   * `holder`: for a multi-instance activity, every instance.
   */
  cancelActivity(holder: Token): void {
    const run = holder.run;
    if (run?.kind !== "instances" || holder.loop?.node !== holder.node) {
      this.core.cancelToken(holder);
      return;
    }
    for (const instance of run.tokens!) this.core.cancelToken(instance);
  }

  /**
   * A token of a loop was cancelled (cancellation.ts). Once none of the
   * activity's is left, what it held goes: its boundary arms, the data it
   * started with and what its completed instances left.
   */
  cancelled(token: Token): void {
    const run = token.run!;
    token.run = undefined;
    if (run.kind === "instances" && --run.pending > 0) return;
    this.letGo(run);
  }

  /* The activity is over, by completing or cancelled: what its loop run held goes (its boundary arms, the data it started with, results not merged). */
  private letGo(run: LoopRun): void {
    this.disarm(run);
    if (run.start !== undefined) release(run.start);
    run.start = undefined;
    if (run.results !== undefined) for (const ref of run.results) if (ref !== undefined) release(ref);
    run.results = undefined;
  }

  /**
   * Where the timer, message, signal and conditional boundaries of the
   * token's activity are armed: on the loop run of an activity that
   * completes once, at its first iteration (undefined after: they are armed
   * already), else on the token, per iteration (adhesive's collection loops,
   * whose iterations leave on their own).
   */
  boundaryArms(token: Token): Armed | undefined {
    const run = token.run;
    if (run === undefined || run.kind === "sequential" || token.loop?.node !== token.node) return token;
    return run.arms === undefined ? run : undefined;
  }

  /** The data a token leaving `holder`'s activity by a boundary event carries: what the activity started with. */
  startData(holder: Token): DataRef {
    const run = holder.run;
    return run?.start !== undefined && holder.loop?.node === holder.node ? run.start : holder.ref;
  }

  /*
   * Whether a condition loop goes round again (its value, or false). A
   * value other than true or false that neither it nor the data changed
   * would repeat forever: most likely a list that arrived as one item
   * (`--data '{"databases": "pg"}'`), so it fails. A boolean condition may
   * wait for the world outside (a task that polls until something is up).
   */
  private goesOn(token: Token, run: LoopRun): unknown {
    const value = this.evaluate(token);
    if (!continuesCondition(value)) return false;
    const data = token.ref.data;
    if (typeof value !== "boolean" && Object.is(value, run.value) && (data === run.data || isDeepStrictEqual(data, run.data))) {
      const reason = `the same value and the same data after iteration ${token.loop!.index + 1}, so it would repeat forever; a condition loop goes on while its value is truthy and must change it (to loop over items, give it a list)`;
      throw new LoopError(token.node.id, this.text(token.node), value, reason);
    }
    run.value = value;
    run.data = data;
    return value;
  }

  /* the iterations a loop's value gives; undefined: a condition loop */
  private entries(node: GraphNode, value: unknown): Array<[unknown, unknown]> | undefined {
    const loop = node.loop!;
    if (loop.cardinality !== undefined) return countEntries(node, this.text(node), value);
    if (loop.collection === undefined) return loopEntries(value, loop.testBefore);
    if (typeof value === "object" && value !== null) return loopEntries(value);
    throw new LoopError(node.id, this.text(node), value, "a multi-instance collection must be a list (or a Set, Map or object), one instance per item");
  }

  /* a condition loop stops after loopMaximum iterations */
  private belowMaximum(token: Token): boolean {
    const maximum = token.node.loop!.maximum;
    return maximum === undefined || token.loop!.index + 1 < maximum;
  }

  private disarm(run: LoopRun): void {
    if (run.arms !== undefined) this.core.triggers.waits.disarm(run);
  }

  private text(node: GraphNode): string {
    return node.loop!.text || (this.core.options.runner.loop?.(node)?.expression.text ?? "");
  }

  private evaluate(token: Token): unknown {
    const loop = token.node.loop!;
    // a loop marker drawn without an expression loops as its implementation's `loop` option says
    const expression = loop.cardinality ?? loop.collection ?? loop.expression ?? this.core.options.runner.loop?.(token.node)?.expression;
    return expression === undefined ? undefined : expression.evaluate(this.core.scopeOf(token));
  }

  private parallel(token: Token, entries: Array<[unknown, unknown]>): void {
    const outer = token.loop;
    const iterations: Token[] = [token];
    for (let i = 1; i < entries.length; i++) {
      iterations.push(this.core.createToken(token.node, token.frame, share(token.ref), outer, token.via));
    }
    for (let i = 0; i < iterations.length; i++) {
      iterations[i].loop = outer;
      this.iterate(iterations[i], i, entries[i]);
    }
  }

  private iterate(token: Token, index: number, [key, value]: [unknown, unknown]): void {
    const loop = token.node.loop!;
    token.loop = loopContext(token.node, index, key, value, token.run?.outer ?? token.loop, this.text(token.node));
    if (loop.elementVariable !== undefined) {
      token.ref = writable(token.ref);
      setKey(token.ref.data, loop.elementVariable, value);
    }
    this.core.execute(token);
  }

  /** Multi-instance completion condition: once it holds, the other iterations are cancelled. */
  private completionReached(token: Token): boolean {
    const condition = token.node.loop?.completionCondition;
    if (condition === undefined || token.loop?.node !== token.node) return false;
    if (!condition.evaluate(this.core.scopeOf(token))) return false;
    const run = token.run;
    if (run?.kind === "instances") {
      for (const other of run.tokens!) if (other !== token) this.core.cancelToken(other);
      return true;
    }
    const instance = token.loop.parent;
    for (let other = token.frame.head; other !== undefined; ) {
      const next = other.next;
      if (other !== token && other.loop?.node === token.node && other.loop.parent === instance) this.core.cancelToken(other);
      other = next;
    }
    return true;
  }
}

/* The data of the completed instances, merged in index order (a cancelled instance has none). */
function mergedResults(results: Array<DataRef | undefined>): DataRef {
  let merged: DataRef | undefined;
  for (const ref of results) {
    if (ref === undefined) continue;
    merged = merged === undefined ? share(ref) : mergedWith(merged, ref.data);
  }
  for (const ref of results) if (ref !== undefined) release(ref);
  return merged!;
}

/* A multi-instance activity as BPMN has it (a collection or a cardinality): it completes once; adhesive's own loop expression goes on per iteration. */
function isMultiInstance(node: GraphNode): boolean {
  return node.loop!.cardinality !== undefined || node.loop!.collection !== undefined;
}

function loopContext(node: GraphNode, index: number, key: unknown, value: unknown, parent: LoopContext | undefined, text: string): LoopContext {
  return { index, key, value, expression: text, parent, node };
}

/* A condition loop goes round again on the same values that start one: an empty collection stops it too. */
function continuesCondition(value: unknown): boolean {
  const entries = loopEntries(value);
  return entries === undefined || entries.length > 0;
}

/* a standard loop's loopMaximum bounds a collection's iterations as well as a condition's (0: none) */
function capped(entries: Array<[unknown, unknown]> | undefined, maximum: number): Array<[unknown, unknown]> | undefined {
  if (entries === undefined) return maximum === 0 ? [] : undefined;
  return entries.length > maximum ? entries.slice(0, maximum) : entries;
}

function countEntries(node: GraphNode, text: string, value: unknown): Array<[unknown, unknown]> {
  const numeric = typeof value === "number" || typeof value === "bigint" || (typeof value === "string" && value.trim() !== "");
  const count = numeric ? Number(value) : NaN;
  if (!Number.isInteger(count) || count < 0) throw new LoopError(node.id, text, value, "a loopCardinality must be a whole number (0 or more), one instance per count");
  return Array.from({ length: count }, (_, i) => [i, i] as [unknown, unknown]);
}

/*
 * The instance holding the activity's boundary arms completed while others
 * run: the next one still running holds them (instances start in index
 * order, so the holder is the lowest running one and the search is short).
 */
function handOver(run: LoopRun, from: Token): void {
  const tokens = run.tokens!;
  for (let i = 1; i < tokens.length; i++) {
    const next = tokens[(from.loop!.index + i) % tokens.length];
    if (next.run !== run) continue;
    for (const arm of run.arms!) arm.token = next;
    return;
  }
}
