/**
 * THE list of differences between adhesive and bpmn-engine that the
 * differential test knows about. Everything not listed here must be equal.
 *
 * 1. NORMALISED: differences that are not adhesive's to fix (bpmn-engine's
 *    own quirks, expression dialects, adhesive's documented conventions).
 *    Each says where the harness deals with it: the files get what each
 *    engine means, the generator avoids the shape, or a bpmn-engine run
 *    that hits the quirk is marked unreliable and not compared (the test
 *    counts those and fails if they stop being rare). They stay.
 * 2. KNOWN_DIFFERENCES: adhesive differs from BPMN (and bpmn-engine agrees
 *    with BPMN). Each names the generator features that provoke it: the
 *    strict property leaves those out while the entry is listed, and an
 *    `it.fails` runs the entry's minimal example, so the entry turns red
 *    the day adhesive is fixed. Then delete the entry: its features join
 *    the property, which may find what the entry was hiding.
 *
 * Spec sections are those of BPMN 2.0.2 (formal/13-12-09).
 */
import type { Features } from "./generator.js";
import type { Process } from "./model.js";

/* ---------------------------------------------------------------------------
 * 1. NORMALISED
 * ------------------------------------------------------------------------- */

export interface Normalisation {
  id: string;
  whose: "bpmn-engine" | "adhesive, on purpose" | "BPMN leaves it open";
  /** what differs, why it is not adhesive's to fix, and where the harness deals with it */
  reason: string;
}

export const NORMALISED: readonly Normalisation[] = [
  {
    id: "expression dialect",
    whose: "bpmn-engine",
    reason:
      "bpmn-engine evaluates `${environment.variables.v1}` property expressions, adhesive JavaScript (`data.v1 === true`): each engine's file gets the expression in its language (model.ts). Nothing else in the two files differs, except where another rule here says so.",
  },
  {
    id: "standard loop until",
    whose: "bpmn-engine",
    reason:
      "bpmn-engine reads a standard loop's loopCondition as 'until' (bpmn-elements docs/LoopCharacteristics.md: 'Loop until condition is met'; src/tasks/LoopCharacteristics.js), BPMN as 'while' (§13.3.6 Loop Activity: 'executes the inner Activity as long as the loopCondition evaluates to true'): bpmn-engine's file gets the negated variable (model.ts).",
  },
  {
    id: "bpmn-engine inclusive join",
    whose: "bpmn-engine",
    reason:
      "bpmn-engine has no inclusive join: bpmn-elements' InclusiveGateway passes every token on, only parallel gateways join (src/activity/Activity.js, isParallelJoin). Its parallel join counts a discarded incoming flow as arrived (dead path elimination), which is what an inclusive join does in a block-structured process, so bpmn-engine's file gets a parallel gateway where the process joins an inclusive split (model.ts). For the same reason every generated gateway either splits or joins: several flows into a split go through an exclusive merge first (model.ts, attach).",
  },
  {
    id: "bpmn-engine parallel join edge case",
    whose: "bpmn-engine",
    reason:
      "bpmn-engine's parallel join fires once every incoming flow was touched (taken or discarded) and takes in every touch before; a flow touched twice is its documented 'Join Edge case' (bpmn-elements docs/ParallelGateway.md): it merges tokens BPMN keeps apart (§13.4.1: one token per incoming flow per activation), or waits for ever. A discard that trails the token (a boundary event discarded after its task completed) touches a flow twice too; and the discard of the outgoing flow of an activity a boundary event interrupted runs ahead of the boundary path's token that rejoins that flow, so a join further on fires without that token. bpmn-engine-quirks.ts marks such runs unreliable (a second touch, or such a discard where a join is in the same scope).",
  },
  {
    id: "bpmn-engine one token per activity",
    whose: "bpmn-engine",
    reason:
      "bpmn-elements runs the tokens that reach an activity one after the other (src/activity/Activity.js: the inbound consumer is cancelled while the activity runs), where BPMN starts a separate instance for each (§10.3 Activities, uncontrolled flow: 'a separate instance of the Activity will be created'): the second waits, and a boundary event of the first cancels it. bpmn-engine-quirks.ts marks runs where a token reaches a running activity unreliable.",
  },
  {
    id: "bpmn-engine error caught twice",
    whose: "bpmn-engine",
    reason:
      "An error caught by one boundary event is caught again by an error boundary armed in the same step (a caught sub-process error whose boundary path leads straight to a task with an error boundary fires that one too). BPMN catches an error once, on 'the boundary of the nearest enclosing parent Activity' (§10.5.3 End Event, Error). bpmn-engine-quirks.ts counts errors thrown against error boundaries fired and marks such runs unreliable.",
  },
  {
    id: "bpmn-engine error end event caught outside",
    whose: "bpmn-engine",
    reason:
      "An error end event in a sub-process nested in another, both with an error boundary, is caught by the outer one: bpmn-elements delegates a thrown error to every error catch armed in the run (src/eventDefinitions/ErrorEventDefinition.js publishes activity.throw with delegate: true) and the one armed first takes it. BPMN has 'the nearest enclosing parent Activity' catch it (§10.5.3 End Event, Error). bpmn-engine-quirks.ts marks such runs unreliable.",
  },
  {
    id: "bpmn-engine abandoned iterations",
    whose: "bpmn-engine",
    reason:
      "An activity's iterations that bpmn-engine stops without discarding them: a parallel multi-instance activity whose completionCondition holds completes without telling every running instance's service (ParallelLoopCharacteristics), and a looped sub-process that an error or interrupting boundary event ends leaves the tasks running inside its iteration (no activity.discard; they never end). BPMN cancels them (§10.3.8, §13.5.3: the boundary interrupts the activity with everything in it). The harness does not count a service that completes after its task, or a sub-process around it, stopped running (run-bpmn-engine.ts, abandoned).",
  },
  {
    id: "bpmn-engine while loop of no iterations",
    whose: "bpmn-engine",
    reason:
      "A standard loop with testBefore whose condition stops it before the first iteration never completes in bpmn-engine (src/tasks/LoopCharacteristics.js, SequentialLoopCharacteristics._startNext returns without completing at index 0); BPMN runs it no times and goes on (§13.3.6). Data is fixed for a run, so the generator leaves out processes with such a loop (generator.ts, processArb); bpmn-engine-quirks.ts marks a run that has one anyway unreliable.",
  },
  {
    id: "uncaught error end events",
    whose: "BPMN leaves it open",
    reason:
      "An error end event no boundary catches: BPMN leaves the outcome open (§10.5.3 End Event, Error: 'The behavior of the Process is unspecified if no Activity in the hierarchy has such an Error Intermediate Event'); bpmn-engine ends as at a plain end event, adhesive fails the run. The generator only writes error end events inside a sub-process with an error boundary (generator.ts, catchErrorEnds).",
  },
  {
    id: "adhesive stalled",
    whose: "adhesive, on purpose",
    reason:
      "A run whose tokens wait for what nothing left in it can bring fails with a StalledError (ADHESIVE_STALLED) instead of waiting for ever; bpmn-engine keeps waiting. Both count as 'stuck' (run-adhesive.ts).",
  },
  {
    id: "implicit joins",
    whose: "adhesive, on purpose",
    reason:
      "With waitTasks (adhesive's default), a token reaching a task or sub-process that another live token of its scope could still reach waits for it and merges with it (SPEC, 'Implicit join'), where BPMN runs the activity once per token (§10.3 Activities, uncontrolled flow). The property compares adhesive with waitTasks: false on every process, and with the default only where no activity can get two tokens (token-flow.ts, implicitJoin).",
  },
  {
    id: "loop expression conventions",
    whose: "adhesive, on purpose",
    reason:
      "A standard loop's loopCondition (and a multi-instance completionCondition without a cardinality or collection) is adhesive's loop expression: a list gives one iteration per item, a truthy scalar repeats (SPEC, 'Loops'). The generator only writes boolean loop conditions and gives every multi-instance loop a loopCardinality, so these conventions never apply.",
  },
];

/* ---------------------------------------------------------------------------
 * 2. KNOWN_DIFFERENCES
 * ------------------------------------------------------------------------- */

export interface KnownDifference {
  id: string;
  /** what adhesive does wrong, in one line */
  title: string;
  /** the BPMN 2.0.2 text (or bpmn-elements doc) that decides it */
  reference: string;
  /** generator features that provoke it: left out of the strict property while this entry is listed */
  features: Array<keyof Features>;
  /** the smallest process that shows it (shrunk by fast-check, then by hand) */
  example: Process;
  /** what each engine does with the example */
  observed: string;
}

/* none left: every difference the generator found is fixed or normalised above; a new one goes here with its example */
export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
];

/** The features the strict property may use: all but those of the known differences. */
export function strictFeatures(all: Features): Features {
  const left: Features = { ...all };
  for (const entry of KNOWN_DIFFERENCES) for (const feature of entry.features) left[feature] = false;
  return left;
}
