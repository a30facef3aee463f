/**
 * The abstract processes of the differential test against bpmn-engine:
 * blocks (a task, a sequence, a split with its branches, ...) that
 * bpmn-xml.ts writes as one BPMN file per engine.
 *
 * Data is a handful of booleans `v0`, `v1`, ... fixed for the run (and their
 * negations `not_v0`, ...): conditions, loop conditions and task failures
 * read them, nothing writes them, so both engines decide the same way.
 */

export type EngineName = "adhesive" | "bpmn-engine";

/** A condition: data key `v<n>` is true. */
export type Var = number;

export interface Loop {
  /** parallel / sequential multi-instance, or a standard loop */
  kind: "parallel" | "sequential" | "standard";
  /** multi-instance: loopCardinality; standard: loopMaximum */
  count: number;
  /** multi-instance: completionCondition */
  completion?: Var;
  /** standard: loopCondition, "loop while it holds" (BPMN 2.0 §10.3.8, Table 10.23) */
  condition?: Var;
  /** standard: testBefore (while-do instead of do-while) */
  testBefore?: boolean;
}

export interface Boundary {
  kind: "error" | "timer";
  /** interrupting (error boundaries always are) */
  cancel: boolean;
  /** timer: fires after this many seconds */
  seconds: number;
  /** timer: fires this many times (a cycle R<n>/PT<s>S) when more than 1 */
  repeat: number;
  /** what runs once it fired */
  path: Block;
  /** its path goes on where the activity's own outgoing flow goes; else it ends at its own end event */
  rejoin: boolean;
}

export interface CondBranch {
  /** undefined: an unconditional flow (inclusive gateways only) */
  when: Var | undefined;
  body: Block;
}

export type EndKind = "none" | "terminate" | "error";

export type Block =
  | { t: "task"; seconds: number; failsIf: Var | undefined; loop: Loop | undefined; boundaries: Boundary[] }
  | { t: "sub"; body: Block; loop: Loop | undefined; boundaries: Boundary[] }
  | { t: "seq"; items: Block[] }
  /** exclusive split; `defaultBranch` null: no default flow */
  | { t: "xor"; branches: CondBranch[]; defaultBranch: Block | null; merge: boolean }
  | { t: "par"; branches: Block[]; merge: boolean }
  /** inclusive split; `defaultBranch` null: no default flow */
  | { t: "or"; branches: CondBranch[]; defaultBranch: Block | null; merge: boolean }
  | { t: "end"; kind: EndKind }
  | { t: "throw"; signal: number }
  | { t: "catch"; signal: number }
  /** an intermediate timer catch event */
  | { t: "wait"; seconds: number };

export interface Process {
  /** the value of data key v<i> */
  vars: boolean[];
  body: Block;
}

/** What the runners and the comparison need to know about the elements of a generated file. */
export interface Elements {
  tasks: Map<string, { seconds: number; failsIf: Var | undefined }>;
  /** looped task or sub-process id -> its loop */
  loops: Map<string, Loop>;
  /** end event id -> its kind */
  ends: Map<string, EndKind>;
  /** sequence flow ids in document order, with their ends */
  flows: Array<{ id: string; source: string; target: string }>;
  /** boundary event id -> its kind */
  boundaries: Map<string, Boundary["kind"]>;
  /**
   * outgoing flows of an activity with an interrupting boundary whose path
   * rejoins the flow, where a parallel join is in the same scope and the
   * flow does not lead straight into it (see bpmn-engine-quirks.ts)
   */
  racingDiscards: Set<string>;
  /** error end event id -> the error boundary BPMN has catch it: that of the innermost enclosing sub-process with one */
  errorCatchers: Map<string, string>;
  signals: number[];
  /** tasks and sub-processes: the elements a token spends time in */
  activities: Set<string>;
  /** gateways that are parallel in bpmn-engine's file (its inclusive joins are, see "bpmn-engine inclusive join") */
  parallelGateways: Set<string>;
}

export interface Generated {
  xml: string;
  elements: Elements;
}

/** The data both engines start from. */
export function initialData(process: Process): Record<string, boolean> {
  const data: Record<string, boolean> = {};
  process.vars.forEach((value, i) => {
    data[`v${i}`] = value;
    data[`not_v${i}`] = !value;
  });
  return data;
}
