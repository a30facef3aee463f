/**
 * The BPMN XML of an abstract process (model.ts). One process gives two
 * files that differ only where differences.ts says so: the text of their
 * expressions (adhesive evaluates JavaScript, `data.v1 === true`;
 * bpmn-engine its property expressions, `${environment.variables.v1}`), a
 * standard loop's condition, and inclusive joins. Everything else
 * (elements, ids, flows in document order) is the same file.
 */
import type { Block, Boundary, Elements, EndKind, EngineName, Generated, Loop, Process, Var } from "./model.js";

/* ---- expressions: the one place where the two files differ ---- */

function condition(engine: EngineName, v: Var): string {
  return engine === "adhesive" ? `data.v${v} === true` : `\${environment.variables.v${v}}`;
}

/*
 * bpmn-engine reads a standard loop's loopCondition as "until": with
 * testBefore it stops before an iteration once it holds, otherwise after an
 * iteration once it holds (bpmn-elements docs/LoopCharacteristics.md:
 * "Conditional loop: Loop until condition is met"; src/tasks/
 * LoopCharacteristics.js). BPMN's loopCondition is "while". Its file gets
 * the negated variable so both files mean "loop while v holds".
 */
function loopCondition(engine: EngineName, v: Var): string {
  return engine === "adhesive" ? `data.v${v} === true` : `\${environment.variables.not_v${v}}`;
}

/* ---- XML ---- */

interface Exit {
  from: string;
  when?: Var;
  isDefault?: boolean;
  /** the branch a split's flow leads to: a split's flows are written in branch order, the default flow last */
  branch?: number;
}

interface Fragment {
  /** undefined: an empty block, whose exits are those of what came before */
  entry: string | undefined;
  exits: Exit[];
}

interface Flow {
  id: string;
  source: string;
  target: string;
  when?: Var;
  branch: number;
}

class Container {
  readonly nodes: Array<() => string> = [];
  readonly flows: Flow[] = [];
  readonly defaults = new Map<string, string>();
}

const esc = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

class Writer {
  private next = 1;
  readonly elements: Elements = { tasks: new Map(), loops: new Map(), ends: new Map(), flows: [], boundaries: new Map(), racingDiscards: new Set(), errorCatchers: new Map(), signals: [], activities: new Set(), parallelGateways: new Set() };
  private errorUsed = false;
  private readonly gateways = new Set<string>();
  /* the sub-processes around what is being written, innermost last; and for error end events, those around them */
  private readonly scopes: string[] = [];
  private readonly enclosing = new Map<string, string[]>();
  private readonly errorBoundaryOf = new Map<string, string>();
  /* activities an interrupting boundary's path rejoins, the containers of flows, and containers with a parallel join */
  private readonly rejoined = new Set<string>();
  private readonly flowContainers = new Map<string, Container>();
  private readonly joined = new Set<Container>();

  constructor(private readonly engine: EngineName) {}

  id(prefix: string): string {
    return `${prefix}_${this.next++}`;
  }

  process(body: Block): string {
    const root = new Container();
    const start = this.id("Start");
    root.nodes.push(() => `<startEvent id="${start}"/>`);
    const fragment = this.block(root, body);
    const exits = this.attach(root, [{ from: start }], fragment);
    this.closeWith(root, exits);
    for (const flow of this.elements.flows) {
      const container = this.flowContainers.get(flow.id)!;
      if (this.rejoined.has(flow.source) && this.joined.has(container) && !this.elements.parallelGateways.has(flow.target)) this.elements.racingDiscards.add(flow.id);
    }
    for (const [end, subs] of this.enclosing) {
      const catcher = subs.findLast((sub) => this.errorBoundaryOf.has(sub));
      if (catcher !== undefined) this.elements.errorCatchers.set(end, this.errorBoundaryOf.get(catcher)!);
    }
    const signals = [...new Set(this.elements.signals)].sort((a, b) => a - b);
    return [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_1" targetNamespace="http://adhesive.test/differential">`,
      ...(this.errorUsed ? [`  <error id="Error_1" name="Failure" errorCode="FAILED"/>`] : []),
      ...signals.map((s) => `  <signal id="Signal_${s}" name="S${s}"/>`),
      `  <process id="Process_1" isExecutable="true">`,
      this.render(root, "    "),
      `  </process>`,
      `</definitions>`,
      ``,
    ].join("\n");
  }

  private render(container: Container, indent: string): string {
    const lines = container.nodes.map((node) => indent + node().replace(/\n/g, `\n${indent}`));
    // flows in the order of their source elements (a split's in branch order, its default flow last), as a modeler writes them
    const number = (id: string): number => Number(/_(\d+)$/.exec(id)?.[1] ?? 0);
    const flows = [...container.flows].sort((a, b) => number(a.source) - number(b.source) || a.branch - b.branch || number(a.id) - number(b.id));
    for (const flow of flows) {
      const open = `${indent}<sequenceFlow id="${flow.id}" sourceRef="${flow.source}" targetRef="${flow.target}"`;
      lines.push(flow.when === undefined ? `${open}/>` : `${open}>\n${indent}  <conditionExpression xsi:type="tFormalExpression">${esc(condition(this.engine, flow.when))}</conditionExpression>\n${indent}</sequenceFlow>`);
    }
    return lines.join("\n");
  }

  /**
   * Connects `exits` to the fragment's entry; returns the exits after it.
   * Several flows into a split gateway go through an exclusive merge first:
   * a gateway with several incoming flows is a join (BPMN 2.0 §13.4.2,
   * parallel; §13.4.3, inclusive), and bpmn-engine has no inclusive join
   * and joins a parallel gateway's untaken flows by dead path elimination
   * (see "bpmn-engine inclusive join" in differences.ts). A file where every
   * gateway either splits or joins is what modelers are told to draw.
   */
  private attach(container: Container, exits: Exit[], fragment: Fragment): Exit[] {
    if (fragment.entry === undefined) return [...exits, ...fragment.exits];
    let entry = fragment.entry;
    if (exits.length > 1 && this.gateways.has(entry)) {
      const merge = this.gateway(container, "exclusiveGateway", "Merge");
      this.connect(container, { from: merge }, entry);
      entry = merge;
    }
    for (const exit of exits) this.connect(container, exit, entry);
    return fragment.exits;
  }

  private connect(container: Container, exit: Exit, target: string): void {
    const id = this.id("Flow");
    container.flows.push({ id, source: exit.from, target, when: exit.when, branch: exit.isDefault ? Number.MAX_SAFE_INTEGER : (exit.branch ?? 0) });
    this.elements.flows.push({ id, source: exit.from, target });
    this.flowContainers.set(id, container);
    if (exit.isDefault) container.defaults.set(exit.from, id);
  }

  /** What is left open at the end of a container goes to one plain end event. */
  private closeWith(container: Container, exits: Exit[]): void {
    if (exits.length === 0) return;
    const end = this.endEvent(container, "none");
    for (const exit of exits) this.connect(container, exit, end);
  }

  private endEvent(container: Container, kind: EndKind): string {
    const id = this.id("End");
    this.elements.ends.set(id, kind);
    if (kind === "none") container.nodes.push(() => `<endEvent id="${id}"/>`);
    else if (kind === "terminate") container.nodes.push(() => `<endEvent id="${id}" name="Terminate">\n  <terminateEventDefinition/>\n</endEvent>`);
    else {
      this.errorUsed = true;
      this.enclosing.set(id, [...this.scopes]);
      container.nodes.push(() => `<endEvent id="${id}" name="Error">\n  <errorEventDefinition errorRef="Error_1"/>\n</endEvent>`);
    }
    return id;
  }

  private gateway(container: Container, wanted: "exclusiveGateway" | "parallelGateway" | "inclusiveGateway", prefix: string): string {
    const id = this.id(prefix);
    /*
     * bpmn-engine has no inclusive join: bpmn-elements' InclusiveGateway only
     * passes each token on (src/gateways/InclusiveGateway.js; only parallel
     * gateways join, src/activity/Activity.js isParallelJoin). Its parallel
     * join counts a discarded incoming flow as arrived (dead path
     * elimination), which is what an inclusive join does in a block-structured
     * process, so bpmn-engine's file gets a parallel gateway there.
     */
    const kind = wanted === "inclusiveGateway" && prefix === "Join" && this.engine === "bpmn-engine" ? "parallelGateway" : wanted;
    this.gateways.add(id);
    if (kind === "parallelGateway" || (wanted === "inclusiveGateway" && prefix === "Join")) this.elements.parallelGateways.add(id);
    container.nodes.push(() => {
      const dflt = container.defaults.get(id);
      return `<${kind} id="${id}"${dflt === undefined ? "" : ` default="${dflt}"`}/>`;
    });
    return id;
  }

  block(container: Container, block: Block): Fragment {
    switch (block.t) {
      case "seq": {
        let entry: string | undefined;
        let exits: Exit[] = [];
        for (const item of block.items) {
          const fragment = this.block(container, item);
          if (entry === undefined && fragment.entry !== undefined) {
            entry = fragment.entry;
            exits = [...exits, ...fragment.exits];
          } else exits = this.attach(container, exits, fragment);
        }
        return { entry, exits };
      }
      case "task":
        return this.activity(container, block, () => {
          const id = this.id("Task");
          this.elements.tasks.set(id, { seconds: block.seconds, failsIf: block.failsIf });
          const name = `${id} (${block.seconds}s${block.failsIf === undefined ? "" : `, fails if v${block.failsIf}`})`;
          container.nodes.push(() => this.element("serviceTask", id, name, block.loop, ""));
          return id;
        });
      case "sub":
        return this.activity(container, block, () => {
          const id = this.id("SubProcess");
          const inner = new Container();
          const start = this.id("Start");
          inner.nodes.push(() => `<startEvent id="${start}"/>`);
          this.scopes.push(id);
          const exits = this.attach(inner, [{ from: start }], this.block(inner, block.body));
          this.scopes.pop();
          this.closeWith(inner, exits);
          container.nodes.push(() => this.element("subProcess", id, undefined, block.loop, this.render(inner, "  ")));
          return id;
        });
      case "xor":
      case "or": {
        const split = this.gateway(container, block.t === "xor" ? "exclusiveGateway" : "inclusiveGateway", block.t === "xor" ? "Exclusive" : "Inclusive");
        const branches: Array<{ exit: Exit; body: Block }> = block.branches.map((branch, i) => ({ exit: { from: split, when: branch.when, branch: i }, body: branch.body }));
        if (block.defaultBranch !== null) branches.push({ exit: { from: split, isDefault: true }, body: block.defaultBranch });
        const exits = branches.flatMap(({ exit, body }) => this.attach(container, [exit], this.block(container, body)));
        return { entry: split, exits: this.merge(container, block.merge ? (block.t === "xor" ? "exclusiveGateway" : "inclusiveGateway") : undefined, exits) };
      }
      case "par": {
        const split = this.gateway(container, "parallelGateway", "Parallel");
        const exits = block.branches.flatMap((body, i) => this.attach(container, [{ from: split, branch: i }], this.block(container, body)));
        return { entry: split, exits: this.merge(container, block.merge ? "parallelGateway" : undefined, exits) };
      }
      case "end": {
        const id = this.endEvent(container, block.kind);
        return { entry: id, exits: [] };
      }
      case "wait": {
        const id = this.id("Wait");
        container.nodes.push(() => `<intermediateCatchEvent id="${id}" name="${block.seconds}s">\n  <timerEventDefinition>\n    <timeDuration xsi:type="tFormalExpression">PT${block.seconds}S</timeDuration>\n  </timerEventDefinition>\n</intermediateCatchEvent>`);
        return { entry: id, exits: [{ from: id }] };
      }
      case "throw":
      case "catch": {
        const id = this.id(block.t === "throw" ? "Throw" : "Catch");
        this.elements.signals.push(block.signal);
        const tag = block.t === "throw" ? "intermediateThrowEvent" : "intermediateCatchEvent";
        container.nodes.push(() => `<${tag} id="${id}" name="S${block.signal}">\n  <signalEventDefinition signalRef="Signal_${block.signal}"/>\n</${tag}>`);
        return { entry: id, exits: [{ from: id }] };
      }
    }
  }

  private merge(container: Container, kind: "exclusiveGateway" | "parallelGateway" | "inclusiveGateway" | undefined, exits: Exit[]): Exit[] {
    if (kind === undefined || exits.length === 0) return exits;
    const join = this.gateway(container, kind, "Join");
    if (this.elements.parallelGateways.has(join)) this.joined.add(container);
    for (const exit of exits) this.connect(container, exit, join);
    return [{ from: join }];
  }

  private activity(container: Container, block: { boundaries: Boundary[] }, create: () => string): Fragment {
    const id = create();
    this.elements.activities.add(id);
    const exits: Exit[] = [{ from: id }];
    for (const boundary of block.boundaries) {
      const event = this.id("Boundary");
      this.elements.boundaries.set(event, boundary.kind);
      if (boundary.kind === "error") this.errorBoundaryOf.set(id, event);
      container.nodes.push(() => this.boundaryXml(event, id, boundary));
      const after = this.attach(container, [{ from: event }], this.block(container, boundary.path));
      if (boundary.rejoin) exits.push(...after);
      if (boundary.rejoin && (boundary.kind === "error" || boundary.cancel)) this.rejoined.add(id);
      else this.closeWith(container, after);
    }
    return { entry: id, exits };
  }

  private boundaryXml(id: string, attachedTo: string, boundary: Boundary): string {
    if (boundary.kind === "error") return `<boundaryEvent id="${id}" attachedToRef="${attachedTo}">\n  <errorEventDefinition/>\n</boundaryEvent>`;
    const timer =
      boundary.repeat > 1
        ? `<timeCycle xsi:type="tFormalExpression">R${boundary.repeat}/PT${boundary.seconds}S</timeCycle>`
        : `<timeDuration xsi:type="tFormalExpression">PT${boundary.seconds}S</timeDuration>`;
    return `<boundaryEvent id="${id}" attachedToRef="${attachedTo}" cancelActivity="${boundary.cancel}">\n  <timerEventDefinition>\n    ${timer}\n  </timerEventDefinition>\n</boundaryEvent>`;
  }

  private element(tag: string, id: string, name: string | undefined, loop: Loop | undefined, inner: string): string {
    if (loop !== undefined) this.elements.loops.set(id, loop);
    const parts = [loop === undefined ? "" : this.loopXml(loop), inner].filter((part) => part !== "");
    const open = `<${tag} id="${id}"${name === undefined ? "" : ` name="${esc(name)}"`}`;
    if (parts.length === 0) return `${open}/>`;
    return `${open}>\n${parts.map((part) => `  ${part.replace(/\n/g, "\n  ")}`).join("\n")}\n</${tag}>`;
  }

  private loopXml(loop: Loop): string {
    if (loop.kind === "standard") {
      const attributes = `${loop.testBefore ? ` testBefore="true"` : ""} loopMaximum="${loop.count}"`;
      if (loop.condition === undefined) return `<standardLoopCharacteristics${attributes}/>`;
      return `<standardLoopCharacteristics${attributes}>\n  <loopCondition xsi:type="tFormalExpression">${esc(loopCondition(this.engine, loop.condition))}</loopCondition>\n</standardLoopCharacteristics>`;
    }
    const lines = [`  <loopCardinality xsi:type="tFormalExpression">${loop.count}</loopCardinality>`];
    if (loop.completion !== undefined) lines.push(`  <completionCondition xsi:type="tFormalExpression">${esc(condition(this.engine, loop.completion))}</completionCondition>`);
    return `<multiInstanceLoopCharacteristics isSequential="${loop.kind === "sequential"}">\n${lines.join("\n")}\n</multiInstanceLoopCharacteristics>`;
  }
}

/** The file for one engine, and what the runners need to know of its elements (the same for both engines). */
export function toXml(process: Process, engine: EngineName): Generated {
  const writer = new Writer(engine);
  const xml = writer.process(process.body);
  return { xml, elements: writer.elements };
}
