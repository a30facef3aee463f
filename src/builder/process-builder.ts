import type { Data } from "../engine/data.js";
import { UsageError } from "../errors.js";
import type { FlowDefinition, NodeDefinition, NodeKind, ProcessDefinition, ScopeDefinition } from "../model/definition.js";
import { toBpmnXml } from "../bpmn/write.js";
import { stepNode, type StepOptions } from "./linear.js";

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
    this.stack = [{ scope: root, tails: ["start"], owner: undefined, branches: undefined, isBranch: false }];
  }

  task(name: string, options: StepOptions = {}): this {
    return this.step(name, "task", options);
  }

  usertask(name: string, options: StepOptions = {}): this {
    return this.step(name, "userTask", options);
  }

  /** Opens a parallel branch; the branches opened one after the other fork from the same step. */
  branchStart(): this {
    const open = this.top("branchStart()");
    open.branches ??= { from: open.tails, ends: [] };
    this.stack.push({ scope: open.scope, tails: open.branches.from, owner: open.owner, branches: undefined, isBranch: true });
    return this;
  }

  branchEnd(): this {
    const branch = this.top("branchEnd()");
    if (!branch.isBranch) throw new UsageError("branchEnd() without a matching branchStart()");
    this.closeBranches(branch);
    this.stack.pop();
    const parent = this.stack[this.stack.length - 1];
    parent.branches!.ends.push(...branch.tails);
    return this;
  }

  subProcessStart(options: StepOptions = {}): this {
    const node = this.add(stepNode(this.id("subprocess"), "", "subProcess", options));
    const start: NodeDefinition = { id: this.id("start"), name: "", kind: "startEvent" };
    node.children = { nodes: [start], flows: [] };
    this.stack.push({ scope: node.children, tails: [start.id], owner: node, branches: undefined, isBranch: false });
    return this;
  }

  subProcessEnd(): this {
    const open = this.top("subProcessEnd()");
    if (open.isBranch || open.owner === undefined) throw new UsageError("subProcessEnd() without a matching subProcessStart()");
    this.end(open);
    this.stack.pop();
    return this;
  }

  /** Closes the process; what it returns can run it or export it. */
  processEnd(): BuiltProcess<O> {
    const open = this.top("processEnd()");
    if (this.stack.length > 1) {
      throw new UsageError(open.isBranch ? "processEnd() inside an open branchStart()" : "processEnd() inside an open subProcessStart()");
    }
    this.end(open);
    this.ended = true;
    return new BuiltProcess(this.definition, this.run);
  }

  private step(name: string, kind: NodeKind, options: StepOptions): this {
    if (name.trim() === "") throw new UsageError(`${kind}() needs a name`);
    this.add(stepNode(this.id(kind), name, kind, options));
    return this;
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
    const end: NodeDefinition = { id: this.id("end"), name: "", kind: "endEvent" };
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
  toBpmnXml(): Promise<string> {
    return toBpmnXml(this.definition);
  }
}
