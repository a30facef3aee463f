import type { Data } from "../engine/data.js";
import { UsageError } from "../errors.js";
import type { FlowDefinition, NodeDefinition, NodeKind, ProcessDefinition, ScopeDefinition } from "../model/definition.js";
import { checkStepOptions, stepNode, type StepOptions } from "./linear.js";

/** Runs the built definition; supplied by the Adhesive instance that started the builder. */
export type RunDefinition<O> = (definition: ProcessDefinition, options?: O) => Promise<Data>;

/** An open scope: the process itself or a sub-process between subProcessStart() and subProcessEnd(). */
interface OpenScope {
  scope: ScopeDefinition;
  /** nodes whose outgoing flow goes to the next step */
  tails: string[];
  /** the sub-process node this scope belongs to (undefined for the process) */
  owner: NodeDefinition | undefined;
  /** an open group of parallel branches: where they fork from and the ends of the closed ones */
  branches: { from: string[]; ends: string[] } | undefined;
  /** true inside branchStart() ... branchEnd() */
  isBranch: boolean;
  /** lane of the enclosing sub-process, which its nodes without a lane of their own run in */
  lane: string | undefined;
}

/**
 * `processStart().task("A").branchStart()...branchEnd().processEnd()`: a
 * process built in code. Consecutive branches fork from the same point and
 * all flow into the next step, where the implicit join merges them, exactly
 * as the same drawing in a modeler would.
 */
export class ProcessBuilder<O = unknown> {
  private readonly stack: OpenScope[];
  private readonly ids = new Map<string, number>();
  private readonly run: RunDefinition<O>;
  private flowCount = 0;
  private ended = false;
  private readonly definition: ProcessDefinition;

  constructor(run: RunDefinition<O>) {
    this.run = run;
    const root: ScopeDefinition = { nodes: [{ id: "start", name: "", kind: "startEvent" }], flows: [] };
    this.definition = { id: "process", name: "built process", source: "<processStart()>", root };
    this.stack = [{ scope: root, tails: ["start"], owner: undefined, branches: undefined, isBranch: false, lane: undefined }];
  }

  task(name: string, options: StepOptions = {}): this {
    return this.step("task", name, "task", options);
  }

  usertask(name: string, options: StepOptions = {}): this {
    return this.step("usertask", name, "userTask", options);
  }

  /** Opens a parallel branch; the branches opened one after the other fork from the same step. */
  branchStart(): this {
    const open = this.top("branchStart()");
    open.branches ??= { from: open.tails, ends: [] };
    this.stack.push({ scope: open.scope, tails: open.branches.from, owner: open.owner, branches: undefined, isBranch: true, lane: open.lane });
    return this;
  }

  branchEnd(): this {
    const branch = this.top("branchEnd()");
    if (!branch.isBranch) {
      throw new UsageError(
        this.stack.some((open) => open.isBranch)
          ? "branchEnd() inside an open subProcessStart(): close the sub-process with subProcessEnd() first"
          : "branchEnd() without a matching branchStart()",
      );
    }
    this.closeBranches(branch);
    this.stack.pop();
    const ends = this.stack[this.stack.length - 1].branches!.ends;
    // an empty branch ends where it started; two of them must not draw the same flow twice
    for (const tail of branch.tails) if (!ends.includes(tail)) ends.push(tail);
    return this;
  }

  subProcessStart(options: StepOptions = {}): this {
    const open = this.top("subProcessStart()");
    const node = this.add(stepNode(this.id("subprocess"), "", "subProcess", checkStepOptions("subProcessStart()", options), open.lane));
    const start: NodeDefinition = this.event("start", "startEvent", node.lane);
    node.children = { nodes: [start], flows: [] };
    this.stack.push({ scope: node.children, tails: [start.id], owner: node, branches: undefined, isBranch: false, lane: node.lane });
    return this;
  }

  subProcessEnd(): this {
    const open = this.top("subProcessEnd()");
    if (open.owner === undefined) throw new UsageError("subProcessEnd() without a matching subProcessStart()");
    if (open.isBranch) throw new UsageError("subProcessEnd() inside an open branchStart(): close the branch with branchEnd() first");
    this.end(open);
    this.stack.pop();
    return this;
  }

  /** Closes the process; what it returns can run it or export it. */
  processEnd(): BuiltProcess<O> {
    const open = this.top("processEnd()");
    if (this.stack.length > 1) {
      throw new UsageError(
        open.isBranch
          ? "processEnd() inside an open branchStart(): close it with branchEnd() first"
          : "processEnd() inside an open subProcessStart(): close it with subProcessEnd() first",
      );
    }
    this.end(open);
    this.ended = true;
    return new BuiltProcess(this.definition, this.run);
  }

  private step(call: string, name: string, kind: NodeKind, options: StepOptions): this {
    const open = this.top(`${call}()`);
    // a nameless task could never be matched to an implementation
    if (typeof name !== "string" || name.trim() === "") throw new UsageError(`${call}() needs a non-empty name, got ${JSON.stringify(name)}`);
    this.add(stepNode(this.id(kind), name, kind, checkStepOptions(`${call}("${name}")`, options), open.lane));
    return this;
  }

  private event(prefix: string, kind: NodeKind, lane: string | undefined): NodeDefinition {
    const node: NodeDefinition = { id: this.id(prefix), name: "", kind };
    if (lane !== undefined) node.lane = lane;
    return node;
  }

  /** Appends a node after the current tails; it becomes the only tail. */
  private add(node: NodeDefinition): NodeDefinition {
    const open = this.top(`${node.kind}()`);
    this.closeBranches(open);
    open.scope.nodes.push(node);
    for (const tail of open.tails) open.scope.flows.push(this.flow(tail, node.id));
    open.tails = [node.id];
    return node;
  }

  private end(open: OpenScope): void {
    this.closeBranches(open);
    const end = this.event("end", "endEvent", open.lane);
    open.scope.nodes.push(end);
    for (const tail of open.tails) open.scope.flows.push(this.flow(tail, end.id));
    open.tails = [];
  }

  /** The next step after a group of branches continues from all of their ends. */
  private closeBranches(open: OpenScope): void {
    if (!open.branches) return;
    open.tails = open.branches.ends;
    open.branches = undefined;
  }

  private top(call: string): OpenScope {
    if (this.ended) throw new UsageError(`${call} after processEnd()`);
    return this.stack[this.stack.length - 1];
  }

  private flow(source: string, target: string): FlowDefinition {
    return { id: `flow_${++this.flowCount}`, source, target };
  }

  private id(prefix: string): string {
    const n = (this.ids.get(prefix) ?? 0) + 1;
    this.ids.set(prefix, n);
    return `${prefix}_${n}`;
  }
}

/** A finished process built in code. */
export class BuiltProcess<O = unknown> {
  readonly definition: ProcessDefinition;
  private readonly runDefinition: RunDefinition<O>;

  constructor(definition: ProcessDefinition, run: RunDefinition<O>) {
    this.definition = definition;
    this.runDefinition = run;
  }

  /** Runs the process; resolves to the data of the tokens that finished. */
  build(options?: O): Promise<Data> {
    return this.runDefinition(this.definition, options);
  }

  /** The process as BPMN 2.0 XML with a diagram, so any modeler opens it. */
  async toBpmnXml(): Promise<string> {
    return (await import("../bpmn/write.js")).toBpmnXml(this.definition);
  }
}
