/**
 * Random valid processes for the differential test (fast-check), built from
 * blocks: tasks, sequences, exclusive / parallel / inclusive split-join
 * pairs (or splits whose branches flow straight on: "direct" merges),
 * embedded sub-processes, multi-instance and standard loops, error and
 * timer boundary events, timer catch events, signal throw/catch, plain,
 * terminate and error end events. Which of them a run may use is a
 * `Features` set, so a known difference can keep its features out of the
 * property that must hold.
 *
 * A few rules keep the outcome a matter of semantics, not of the order in
 * which an engine happens to do simultaneous things (see virtual-time.ts):
 * every branch of a parallel or inclusive split and every sub-process body
 * begins with a task, a signal catch is followed by a task, and every
 * activity takes time (a multi-instance activity has at least one
 * instance). So after any one event (a task ending, a timer firing) tokens
 * move only until they reach tasks; two tokens never race to a terminate
 * end event or a signal.
 */
import fc from "fast-check";
import type { Block, Boundary, CondBranch, EndKind, Loop, Process } from "./model.js";
import { tokenFlow } from "./token-flow.js";

export interface Features {
  exclusive: boolean;
  /** an exclusive gateway without a default flow (no condition holding fails the token) */
  exclusiveNoDefault: boolean;
  parallel: boolean;
  inclusive: boolean;
  /** an inclusive gateway without a default flow (no condition holding fails the token) */
  inclusiveNoDefault: boolean;
  /** split branches that flow straight into the next element instead of a join gateway */
  directMerge: boolean;
  /**
   * a parallel or inclusive gateway that gets tokens one after the other
   * down one incoming flow (after a direct merge, or a non-interrupting
   * boundary path that rejoins the flow): a shape, not an element, so
   * processes that have it are filtered out when it is off (token-flow.ts)
   */
  serialGateway: boolean;
  subProcess: boolean;
  multiInstance: boolean;
  completionCondition: boolean;
  /** standard loops that test their condition before each iteration (testBefore="true") */
  standardLoop: boolean;
  /** standard loops that test it after each iteration (BPMN's default: testBefore="false") */
  doWhileLoop: boolean;
  /** boundary events on activities with a loop (multi-instance or standard) */
  loopedBoundary: boolean;
  errorBoundary: boolean;
  timerBoundary: boolean;
  /** tasks that fail when their data says so */
  failingTasks: boolean;
  terminate: boolean;
  errorEnd: boolean;
  /** plain end events inside branches (a branch that does not reach the merge) */
  earlyEnd: boolean;
  signals: boolean;
  /** intermediate timer catch events */
  timerEvent: boolean;
}

export const ALL_FEATURES: Features = {
  exclusive: true,
  exclusiveNoDefault: true,
  parallel: true,
  inclusive: true,
  inclusiveNoDefault: true,
  directMerge: true,
  serialGateway: true,
  subProcess: true,
  multiInstance: true,
  completionCondition: true,
  standardLoop: true,
  doWhileLoop: true,
  loopedBoundary: true,
  errorBoundary: true,
  timerBoundary: true,
  failingTasks: true,
  terminate: true,
  errorEnd: true,
  earlyEnd: true,
  signals: true,
  timerEvent: true,
};

export const VARS = 3;

const varArb = fc.integer({ min: 0, max: VARS - 1 });

/** Whether a token can leave the block at its end (an end event, or splits whose every branch ends, cannot). */
function hasExits(block: Block): boolean {
  switch (block.t) {
    case "end":
      return false;
    case "seq":
      return block.items.every(hasExits);
    case "xor":
    case "or":
      return block.branches.some((branch) => hasExits(branch.body)) || (block.defaultBranch !== null && hasExits(block.defaultBranch));
    case "par":
      return block.branches.some(hasExits);
    default:
      return true;
  }
}

/* a sequence stops at the first block no token leaves: what would follow could never run */
function seq(items: Block[]): Block {
  const kept: Block[] = [];
  for (const item of items) {
    if (item.t === "seq" && item.items.length === 0) continue;
    kept.push(item);
    if (!hasExits(item)) break;
  }
  return kept.length === 1 ? kept[0] : { t: "seq", items: kept };
}

/*
 * An error end event no error boundary catches is left open by BPMN
 * ("uncaught error end events" in differences.ts): only caught ones are
 * compared, an uncaught one becomes a plain end event.
 */
function catchErrorEnds(block: Block, caught: boolean): Block {
  switch (block.t) {
    case "end":
      return block.kind === "error" && !caught ? { t: "end", kind: "none" } : block;
    case "seq":
      return { ...block, items: block.items.map((item) => catchErrorEnds(item, caught)) };
    case "xor":
    case "or":
      return {
        ...block,
        branches: block.branches.map((branch) => ({ ...branch, body: catchErrorEnds(branch.body, caught) })),
        defaultBranch: block.defaultBranch === null ? null : catchErrorEnds(block.defaultBranch, caught),
      };
    case "par":
      return { ...block, branches: block.branches.map((branch) => catchErrorEnds(branch, caught)) };
    case "task":
      return { ...block, boundaries: block.boundaries.map((b) => ({ ...b, path: catchErrorEnds(b.path, caught) })) };
    case "sub": {
      const inside = caught || block.boundaries.some((b) => b.kind === "error");
      return { ...block, body: catchErrorEnds(block.body, inside), boundaries: block.boundaries.map((b) => ({ ...b, path: catchErrorEnds(b.path, caught) })) };
    }
    default:
      return block;
  }
}

export function processArb(features: Features, maxDepth = 2): fc.Arbitrary<Process> {
  const f = features;
  const seconds = fc.constantFrom(10, 20, 30);

  const loopArb: fc.Arbitrary<Loop | undefined> = (() => {
    const kinds: Array<fc.Arbitrary<Loop>> = [];
    if (f.multiInstance) {
      kinds.push(
        fc.record({
          kind: fc.constantFrom<"parallel" | "sequential">("parallel", "sequential"),
          // at least one instance: an activity of no instances takes no time, and its token could race another one (see above)
          count: fc.integer({ min: 1, max: 3 }),
          completion: f.completionCondition ? fc.option(varArb, { nil: undefined, freq: 3 }) : fc.constant(undefined),
        }),
      );
    }
    if (f.standardLoop || f.doWhileLoop) {
      kinds.push(
        fc.record({
          kind: fc.constant<"standard">("standard"),
          count: fc.integer({ min: 1, max: 3 }),
          condition: varArb,
          testBefore: f.standardLoop && f.doWhileLoop ? fc.boolean() : fc.constant(f.standardLoop),
        }),
      );
    }
    if (kinds.length === 0) return fc.constant(undefined);
    return fc.option(fc.oneof(...kinds), { nil: undefined, freq: 3 });
  })();

  const endKinds: EndKind[] = [...(f.earlyEnd ? (["none"] as const) : []), ...(f.terminate ? (["terminate"] as const) : []), ...(f.errorEnd ? (["error"] as const) : [])];

  const tree = fc.letrec<{ block: Block; task: Block; body: Block; branch: Block; boundaries: Boundary[]; path: Block }>((tie) => {
    const boundaryKinds: Array<fc.Arbitrary<Boundary>> = [];
    if (f.errorBoundary) {
      boundaryKinds.push(
        fc.record({ kind: fc.constant<"error">("error"), cancel: fc.constant(true), seconds: fc.constant(0), repeat: fc.constant(1), path: tie("path"), rejoin: fc.boolean() }),
      );
    }
    if (f.timerBoundary) {
      boundaryKinds.push(
        fc
          .record({ kind: fc.constant<"timer">("timer"), cancel: fc.boolean(), seconds: fc.constantFrom(5, 15, 25, 35), repeat: fc.integer({ min: 1, max: 3 }), path: tie("path"), rejoin: fc.boolean() })
          .map((b) => (b.cancel ? { ...b, repeat: 1 } : b)),
      );
    }
    const boundaries: fc.Arbitrary<Boundary[]> = boundaryKinds.length === 0 ? fc.constant([]) : fc.option(fc.oneof(...boundaryKinds), { nil: undefined, freq: 3 }).map((b) => (b === undefined ? [] : [b]));

    const unbound = <B extends { loop: Loop | undefined; boundaries: Boundary[] }>(block: B): B => (block.loop !== undefined && !f.loopedBoundary ? { ...block, boundaries: [] } : block);
    const taskWith = (loop: fc.Arbitrary<Loop | undefined>): fc.Arbitrary<Block> =>
      fc.record({
        t: fc.constant<"task">("task"),
        seconds,
        failsIf: f.failingTasks ? fc.option(varArb, { nil: undefined, freq: 6 }) : fc.constant(undefined),
        loop,
        boundaries: tie("boundaries") as fc.Arbitrary<Boundary[]>,
      }).map(unbound) as fc.Arbitrary<Block>;
    const task = taskWith(loopArb);
    const timedTask = taskWith(fc.constant(undefined));

    /*
     * A body that begins with a task without a loop, so it takes time: a
     * loop of no iterations would take none, and a standard loop around a
     * body that takes no time spins without end in an engine that does not
     * stop at loopMaximum.
     */
    const branch: fc.Arbitrary<Block> = fc.tuple(timedTask, fc.array(tie("block"), { maxLength: 1 }), endArb()).map(([first, rest, end]) => seq([first, ...rest, ...end]));

    function endArb(): fc.Arbitrary<Block[]> {
      if (endKinds.length === 0) return fc.constant([]);
      return fc.option(fc.constantFrom(...endKinds).map((kind): Block => ({ t: "end", kind })), { nil: undefined, freq: 4 }).map((end) => (end === undefined ? [] : [end]));
    }

    const body: fc.Arbitrary<Block> = fc.tuple(fc.array(tie("block"), { minLength: 1, maxLength: 3 }), endArb()).map(([items, end]) => seq([...items, ...end]));

    const condBranch = (conditional: fc.Arbitrary<number | undefined>, content: fc.Arbitrary<Block>): fc.Arbitrary<CondBranch> => fc.record({ when: conditional, body: content });
    const dflt = (content: fc.Arbitrary<Block>, optional: boolean): fc.Arbitrary<Block | null> => (optional ? fc.option(content, { nil: null, freq: 5 }) : content);
    const merge = f.directMerge ? fc.boolean() : fc.constant(true);
    /* exclusive branches may be empty or end at once: nothing runs beside them */
    const xorBody = fc.oneof(fc.constant<Block>({ t: "seq", items: [] }), body);

    const kinds: Array<fc.WeightedArbitrary<Block>> = [{ arbitrary: task, weight: 4 }];
    if (f.exclusive) {
      const xor = fc.record({ t: fc.constant<"xor">("xor"), branches: fc.array(condBranch(varArb, xorBody), { minLength: 1, maxLength: 2 }), defaultBranch: dflt(xorBody, f.exclusiveNoDefault), merge });
      kinds.push({ arbitrary: xor as fc.Arbitrary<Block>, weight: 2 });
    }
    if (f.parallel) kinds.push({ arbitrary: fc.record({ t: fc.constant<"par">("par"), branches: fc.array(branch, { minLength: 2, maxLength: 2 }), merge }) as fc.Arbitrary<Block>, weight: 2 });
    if (f.inclusive) {
      const or = fc.record({
        t: fc.constant<"or">("or"),
        branches: fc.array(condBranch(fc.option(varArb, { nil: undefined, freq: 4 }), branch), { minLength: 1, maxLength: 2 }),
        defaultBranch: dflt(branch, f.inclusiveNoDefault),
        merge,
      });
      kinds.push({ arbitrary: or as fc.Arbitrary<Block>, weight: 2 });
    }
    if (f.subProcess) {
      const sub = fc.record({ t: fc.constant<"sub">("sub"), body: branch, loop: loopArb, boundaries: tie("boundaries") as fc.Arbitrary<Boundary[]> }).map(unbound);
      kinds.push({ arbitrary: sub as fc.Arbitrary<Block>, weight: 2 });
    }
    if (f.signals) {
      kinds.push({ arbitrary: fc.integer({ min: 1, max: 2 }).map((signal): Block => ({ t: "throw", signal })), weight: 1 });
      kinds.push({ arbitrary: fc.tuple(fc.integer({ min: 1, max: 2 }), timedTask).map(([signal, after]): Block => ({ t: "seq", items: [{ t: "catch", signal }, after] })), weight: 1 });
    }
    if (f.timerEvent) kinds.push({ arbitrary: fc.constantFrom(5, 15).map((s): Block => ({ t: "wait", seconds: s })), weight: 1 });

    /* what runs after a boundary event fires: nothing, or a plain task and maybe an end (no boundaries of its own: generation must end) */
    const plainTask: fc.Arbitrary<Block> = seconds.map((s): Block => ({ t: "task", seconds: s, failsIf: undefined, loop: undefined, boundaries: [] }));
    const path: fc.Arbitrary<Block> = fc.oneof(fc.constant<Block>({ t: "seq", items: [] }), fc.tuple(plainTask, endArb()).map(([first, end]) => seq([first, ...end])));

    return {
      block: fc.oneof({ maxDepth, depthIdentifier: "block", withCrossShrink: true }, ...kinds),
      task,
      body,
      branch,
      boundaries,
      path,
    };
  });

  const process = fc
    .record({ vars: fc.array(fc.boolean(), { minLength: VARS, maxLength: VARS }), body: tree.body.map((body) => catchErrorEnds(body, false)) })
    // data is fixed for the run: a while loop whose condition is false at the start runs no times, which bpmn-engine never completes (differences.ts)
    .filter((p) => !loopsOf(p.body).some((loop) => loop.kind === "standard" && loop.testBefore === true && !p.vars[loop.condition!]));
  return f.serialGateway ? process : process.filter((p) => !tokenFlow(p).serialIntoGateway);
}

/* the loops of a block's activities (boundary paths have none) */
function loopsOf(block: Block): Loop[] {
  switch (block.t) {
    case "task":
      return block.loop === undefined ? [] : [block.loop];
    case "sub":
      return [...(block.loop === undefined ? [] : [block.loop]), ...loopsOf(block.body)];
    case "seq":
      return block.items.flatMap(loopsOf);
    case "par":
      return block.branches.flatMap(loopsOf);
    case "xor":
    case "or":
      return [...block.branches.flatMap((branch) => loopsOf(branch.body)), ...(block.defaultBranch === null ? [] : loopsOf(block.defaultBranch))];
    default:
      return [];
  }
}
