import { UsageError } from "../errors.js";
import type { FlowDefinition, NodeDefinition, NodeKind, ProcessDefinition, ScopeDefinition } from "../model/definition.js";
import { foldName } from "../model/name-template.js";
import { checkStepOptions, stepNode, type StepOptions } from "./linear.js";
import { BuiltProcess, type RunDefinition } from "./built-process.js";
import { addCalled } from "./called.js";
import { checkProcessOptions, interrupting, type BoundaryOptions, type CallOptions, type ProcessOptions, type SubProcessOptions } from "./options.js";
import { ACTIVITIES, CLOSED_BY, DECIDING, OPENED_BY, prefixes, sameTail, type OpenScope, type Tail } from "./scopes.js";
import { checkText, GatewayPaths, EventPaths, timerDefinition, type GatewayPath, type PathBuilder } from "./paths.js";


/**
 * `processStart().task("A").branchStart()...branchEnd().processEnd()`: a
 * process built in code. Consecutive branches fork from the same point and
 * all flow into the next step, where the implicit join merges them, exactly
 * as the same drawing in a modeler would. Gateways and boundary events take
 * their paths as functions that get this builder: `.exclusive((g) =>
 * g.when("amount > 100", (b) => b.task("Review")))`.
 */
export class ProcessBuilder<O = unknown> {
  private readonly stack: OpenScope[];
  private readonly ids = new Map<string, number>();
  private readonly nodes = new Map<string, NodeDefinition>();
  private readonly run: RunDefinition<O>;
  private flowCount = 0;
  private ended = false;
  private readonly definition: ProcessDefinition;

  constructor(run: RunDefinition<O>, options: ProcessOptions = {}) {
    this.run = run;
    const { id, name, message, timer } = checkProcessOptions(options);
    const start: NodeDefinition = { id: "start", name: "", kind: "startEvent" };
    if (message !== undefined) Object.assign(start, { name: foldName(message), kind: "messageStartEvent", messageName: foldName(message) });
    if (timer !== undefined) Object.assign(start, { name: timer, kind: "timerStartEvent", timer: timerDefinition("processStart()", timer) });
    const root: ScopeDefinition = { nodes: [start], flows: [] };
    this.nodes.set(start.id, start);
    this.definition = { id: id ?? "process", name: name ?? "built process", source: "<processStart()>", root };
    this.stack = [this.frame("process", root, [{ node: "start" }], undefined, undefined)];
  }

  /** Adds a task, run by the task() whose name matches `name`. */
  task(name: string, options: StepOptions = {}): this {
    return this.step("task", name, "task", options);
  }

  /** Adds a user task, answered by the usertask() whose name matches `name` (or in the live view, or with `adhesive complete`). */
  usertask(name: string, options: StepOptions = {}): this {
    return this.step("usertask", name, "userTask", options);
  }

  /**
   * A call activity: runs `process` (built with processStart() and
   * processEnd()) with the caller's data, and the caller goes on with the
   * data it ends with. The exported file holds both processes.
   *
   * ```ts
   * const payment = adhesive.processStart({ id: "payment", name: "Payment" }).task("Charge").processEnd();
   * adhesive.processStart().task("Order").callActivity(payment).task("Ship").processEnd();
   * ```
   */
  callActivity(process: BuiltProcess<O>, options: CallOptions = {}): this {
    const open = this.top("callActivity()");
    const { name, ...step } = (options ?? {}) as CallOptions;
    if (name !== undefined) checkText("callActivity()", "name", name);
    const calls = addCalled("callActivity()", this.definition, process, (this.definition.processes ??= []));
    const node = stepNode(this.id("call"), name ?? process.definition.name, "callActivity", checkStepOptions(`callActivity(${calls})`, step), open.lane);
    // all data in and all back, as the engine does without mappings and as the reader reads a call without them
    this.add(Object.assign(node, { calls, callIn: { all: true, mappings: [] }, callOut: { all: true, mappings: [] } }));
    return this;
  }

  /** Opens a parallel branch; the branches opened one after the other fork from the same step. */
  branchStart(): this {
    const open = this.top("branchStart()");
    // a deciding gateway would take one of the branches only: they fork from a parallel gateway after it
    if (open.branches === undefined && open.tails.some((tail) => DECIDING.has(this.nodes.get(tail.node)!.kind))) this.add(this.named("parallelGateway", undefined));
    open.branches ??= { from: open.tails, ends: [] };
    this.stack.push(this.frame("branch", open.scope, open.branches.from, open.owner, open.lane));
    return this;
  }

  /** Closes the branch branchStart() opened; the branches join at the next step. */
  branchEnd(): this {
    const branch = this.top("branchEnd()");
    if (branch.kind !== "branch") {
      throw new UsageError(
        this.openInPath().some((open) => open.kind === "branch")
          ? "branchEnd() inside an open subProcessStart(): close the sub-process with subProcessEnd() first"
          : "branchEnd() without a matching branchStart()",
      );
    }
    this.closeBranches(branch);
    this.stack.pop();
    const ends = this.stack[this.stack.length - 1].branches!.ends;
    // an empty branch ends where it started; two of them must not draw the same flow twice
    for (const tail of branch.tails) if (!ends.some((end) => sameTail(end, tail))) ends.push(tail);
    return this;
  }

  /** Opens a sub-process; its steps follow until subProcessEnd(). `name` is shown on it in a modeler. */
  subProcessStart(options: SubProcessOptions = {}): this {
    const open = this.top("subProcessStart()");
    const { name, ...step } = (options ?? {}) as SubProcessOptions;
    if (name !== undefined) checkText("subProcessStart()", "name", name);
    const node = this.add(stepNode(this.id("subprocess"), name ?? "", "subProcess", checkStepOptions("subProcessStart()", step), open.lane));
    const start: NodeDefinition = this.event("start", "startEvent", node.lane);
    node.children = { nodes: [start], flows: [] };
    this.nodes.set(start.id, start);
    this.stack.push(this.frame("subProcess", node.children, [{ node: start.id }], node, node.lane));
    return this;
  }

  /** Closes the sub-process subProcessStart() opened; the next step follows the sub-process. */
  subProcessEnd(): this {
    const open = this.top("subProcessEnd()");
    if (open.kind !== "subProcess") {
      throw new UsageError(
        this.openInPath().some((scope) => scope.kind === "subProcess")
          ? "subProcessEnd() inside an open branchStart(): close the branch with branchEnd() first"
          : "subProcessEnd() without a matching subProcessStart()",
      );
    }
    this.end(open);
    this.stack.pop();
    // boundary events after subProcessEnd() attach to the sub-process
    this.stack[this.stack.length - 1].last = open.owner;
    return this;
  }

  /**
   * An exclusive gateway: the first path whose condition holds runs, else
   * the `otherwise()` path, else the token goes straight on. The paths meet
   * again in a merging gateway before the next step.
   *
   * ```ts
   * .exclusive("Amount?", (g) => g
   *   .when("data.amount > 100", (b) => b.task("Review"))
   *   .otherwise((b) => b.task("Approve")))
   * ```
   */
  exclusive(build: (choice: GatewayPaths<this>) => unknown): this;
  exclusive(name: string, build: (choice: GatewayPaths<this>) => unknown): this;
  exclusive(...args: [string, (choice: GatewayPaths<this>) => unknown] | [(choice: GatewayPaths<this>) => unknown]): this {
    return this.choice("exclusive", "exclusiveGateway", args);
  }

  /**
   * An inclusive gateway: every path whose condition holds runs (the
   * `otherwise()` path when none does); the next step waits for all of the
   * paths that were taken.
   */
  inclusive(build: (choice: GatewayPaths<this>) => unknown): this;
  inclusive(name: string, build: (choice: GatewayPaths<this>) => unknown): this;
  inclusive(...args: [string, (choice: GatewayPaths<this>) => unknown] | [(choice: GatewayPaths<this>) => unknown]): this {
    return this.choice("inclusive", "inclusiveGateway", args);
  }

  /**
   * An event-based gateway: each path waits for its message or timer; the
   * first to happen takes the token, the others are withdrawn.
   *
   * ```ts
   * .eventBased((g) => g.message("Paid", (b) => b.task("Ship")).timer("P7D", (b) => b.task("Cancel")))
   * ```
   */
  eventBased(build: (choice: EventPaths<this>) => unknown): this;
  eventBased(name: string, build: (choice: EventPaths<this>) => unknown): this;
  eventBased(...args: [string, (choice: EventPaths<this>) => unknown] | [(choice: EventPaths<this>) => unknown]): this {
    const [name, build] = args.length === 1 ? [undefined, args[0]] : args;
    const call = name === undefined ? "eventBased()" : `eventBased("${name}")`;
    this.top(call);
    if (name !== undefined) checkText("eventBased()", "name", name);
    const choice = new EventPaths<this>(call);
    build(choice);
    if (choice.paths.length < 2) throw new UsageError(`${call}: an event-based gateway needs at least two events, got ${choice.paths.length}`);
    this.joinBranches();
    const gateway = this.add(this.named("eventBasedGateway", name));
    const ends: Tail[] = [];
    for (const path of choice.paths) {
      const event = this.named("intermediateCatchEvent", undefined);
      if ("message" in path.event!) Object.assign(event, { name: foldName(path.event.message), messageName: foldName(path.event.message) });
      else Object.assign(event, { name: path.event!.timer.value, timer: path.event!.timer });
      this.connect(this.place(event), [{ node: gateway.id }]);
      ends.push(...this.path(call, [{ node: event.id }], path.then));
    }
    return this.merge("exclusiveGateway", ends);
  }

  /**
   * What happens when the step just added (task, user task, sub-process)
   * fails with a business error (`BpmnError`) of this code, or with any
   * error when no code is given: the step is cancelled and the path runs,
   * then ends the process there.
   */
  onError(then?: PathBuilder<this>): this;
  onError(code: string, then?: PathBuilder<this>): this;
  onError(...args: [string, PathBuilder<this>?] | [PathBuilder<this>?]): this {
    const [code, then] = typeof args[0] === "string" ? (args as [string, PathBuilder<this>?]) : [undefined, args[0]];
    const call = code === undefined ? "onError()" : `onError("${code}")`;
    const node: Partial<NodeDefinition> = { kind: "errorBoundaryEvent", name: code ?? "", interrupting: true };
    if (code !== undefined) node.errorCode = code;
    return this.boundary(call, node, then);
  }

  /** A timer on the step just added: `PT5M` after it starts (or a cycle or date), the path runs; the step is cancelled unless `interrupting: false`. */
  onTimer(timer: string, then?: PathBuilder<this>, options: BoundaryOptions = {}): this {
    const call = `onTimer(${JSON.stringify(timer)})`;
    const definition = timerDefinition(call, timer);
    return this.boundary(call, { kind: "timerBoundaryEvent", name: definition.value, timer: definition, interrupting: interrupting(call, options) }, then);
  }

  /** A message for the step just added (a `message()` source of this name, or `adhesive send`) runs the path; the step is cancelled unless `interrupting: false`. */
  onMessage(message: string, then?: PathBuilder<this>, options: BoundaryOptions = {}): this {
    const call = `onMessage(${JSON.stringify(message)})`;
    checkText(call, "message name", message);
    const name = foldName(message);
    return this.boundary(call, { kind: "messageBoundaryEvent", name, messageName: name, interrupting: interrupting(call, options) }, then);
  }

  /** Closes the process; what it returns can run it or export it. */
  processEnd(): BuiltProcess<O> {
    const open = this.top("processEnd()");
    if (open.kind === "path") throw new UsageError("processEnd() inside a path function: the path ends when its function returns");
    if (open.kind !== "process") throw new UsageError(`processEnd() inside an open ${OPENED_BY[open.kind]}: close it with ${CLOSED_BY[open.kind]} first`);
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

  private choice(call: string, kind: NodeKind, args: [string, (choice: GatewayPaths<this>) => unknown] | [(choice: GatewayPaths<this>) => unknown]): this {
    const [name, build] = args.length === 1 ? [undefined, args[0]] : args;
    const described = name === undefined ? `${call}()` : `${call}("${name}")`;
    this.top(described);
    if (name !== undefined) checkText(`${call}()`, "name", name);
    if (typeof build !== "function") throw new UsageError(`${described} needs a function that adds its paths: (g) => g.when(condition, (b) => ...)`);
    const choice = new GatewayPaths<this>(described);
    build(choice);
    if (!choice.paths.some((path) => path.condition !== undefined)) throw new UsageError(`${described}: a gateway needs at least one when(condition, ...) path`);
    const paths: Array<GatewayPath<this>> = choice.paths.some((path) => path.isDefault) ? choice.paths : [...choice.paths, { isDefault: true, then: undefined }];
    this.joinBranches();
    const gateway = this.add(this.named(kind, name));
    const ends: Tail[] = [];
    for (const path of paths) ends.push(...this.path(described, [{ node: gateway.id, condition: path.condition, name: path.label, isDefault: path.isDefault }], path.then));
    return this.merge(kind, ends);
  }

  /** Paths of a gateway meet in a gateway of the same kind (an inclusive one waits for the paths taken), which the next step follows. */
  private merge(kind: NodeKind, ends: Tail[]): this {
    const open = this.top("merge");
    const merge = this.place(this.named(kind, undefined));
    this.connect(merge, ends);
    open.tails = [{ node: merge.id }];
    open.last = undefined;
    return this;
  }

  private boundary(call: string, facts: Partial<NodeDefinition>, then: PathBuilder<this> | undefined): this {
    const open = this.top(`${call}`);
    const host = open.last;
    if (host === undefined) throw new UsageError(`${call} must follow a task(), usertask(), callActivity() or subProcessEnd(): it attaches to the step just added`);
    const event: NodeDefinition = { id: this.id("boundary"), name: "", kind: "boundaryEvent", ...facts, attachedTo: host.id };
    if (host.lane !== undefined) event.lane = host.lane;
    this.place(event);
    const ends = this.path(call, [{ node: event.id }], then);
    const end = this.place(this.event("end", "endEvent", open.lane));
    this.connect(end, ends);
    return this;
  }

  /** Runs a path function on a scope of its own that starts at `from`; returns where the path ends. */
  private path(call: string, from: Tail[], then: PathBuilder<this> | undefined): Tail[] {
    const open = this.top(call);
    const frame = this.frame("path", open.scope, from, open.owner, open.lane);
    this.stack.push(frame);
    if (then !== undefined) {
      if (typeof then !== "function") throw new UsageError(`${call}: a path is a function that adds its steps, like (b) => b.task("Notify")`);
      then(this);
    }
    const top = this.top(call);
    if (top !== frame) throw new UsageError(`${call}: the path leaves ${OPENED_BY[top.kind]} open; close it with ${CLOSED_BY[top.kind]} inside the path`);
    // branches left open at the end of a path meet before the gateway that merges the paths
    this.joinBranches();
    this.stack.pop();
    return frame.tails;
  }

  /** The scopes opened inside the innermost path function (all of them outside any): a path cannot close what it did not open. */
  private openInPath(): OpenScope[] {
    return this.stack.slice(this.stack.findLastIndex((open) => open.kind === "path") + 1);
  }

  private frame(kind: OpenScope["kind"], scope: ScopeDefinition, tails: Tail[], owner: NodeDefinition | undefined, lane: string | undefined): OpenScope {
    return { kind, scope, tails, owner, branches: undefined, lane, last: undefined };
  }

  private event(prefix: string, kind: NodeKind, lane: string | undefined): NodeDefinition {
    const node: NodeDefinition = { id: this.id(prefix), name: "", kind };
    if (lane !== undefined) node.lane = lane;
    return node;
  }

  private named(kind: NodeKind, name: string | undefined): NodeDefinition {
    const node = this.event(prefixes[kind] ?? kind, kind, this.top(kind).lane);
    if (name !== undefined) node.name = foldName(name);
    return node;
  }

  /** Appends a node after the current tails; it becomes the only tail. */
  private add(node: NodeDefinition): NodeDefinition {
    const open = this.top(`${node.kind}()`);
    this.closeBranches(open);
    this.place(node);
    this.connect(node, open.tails);
    open.tails = [{ node: node.id }];
    open.last = ACTIVITIES.has(node.kind) ? node : undefined;
    return node;
  }

  /** Puts a node into the open scope without connecting it. */
  private place(node: NodeDefinition): NodeDefinition {
    this.top(`${node.kind}()`).scope.nodes.push(node);
    this.nodes.set(node.id, node);
    return node;
  }

  private connect(target: NodeDefinition, tails: Tail[]): void {
    const scope = this.top(`${target.kind}()`).scope;
    for (const tail of tails) scope.flows.push(this.flow(tail, target.id));
  }

  private end(open: OpenScope): void {
    this.closeBranches(open);
    const end = this.place(this.event("end", "endEvent", open.lane));
    this.connect(end, open.tails);
    open.tails = [];
  }

  /**
   * A task after branches is their implicit join; a gateway with several
   * incoming flows would pass each token on instead, so branches meet in a
   * parallel gateway before one.
   */
  private joinBranches(): void {
    const open = this.top("join");
    this.closeBranches(open);
    if (open.tails.length > 1) this.add(this.named("parallelGateway", undefined));
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

  private flow(tail: Tail, target: string): FlowDefinition {
    const flow: FlowDefinition = { id: `flow_${++this.flowCount}`, source: tail.node, target };
    if (tail.name !== undefined) flow.name = tail.name;
    if (tail.condition !== undefined) flow.condition = tail.condition;
    if (tail.isDefault === true) this.nodes.get(tail.node)!.defaultFlow = flow.id;
    return flow;
  }

  private id(prefix: string): string {
    const n = (this.ids.get(prefix) ?? 0) + 1;
    this.ids.set(prefix, n);
    return `${prefix}_${n}`;
  }
}
