import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BpmnModdle } from "bpmn-moddle";
import { layoutProcess } from "bpmn-auto-layout";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { loadBpmn, readBpmn } from "../../src/bpmn/read.js";
import { ADHESIVE_NS, toBpmnXml } from "../../src/bpmn/write.js";
import { linearDefinition } from "../../src/builder/linear.js";
import { Adhesive, scriptedUi, type Context, type Data, type RunOptions } from "../../src/index.js";
import type { NodeDefinition, ProcessDefinition, ScopeDefinition } from "../../src/model/definition.js";
import { expectOpensCleanly } from "../builder/modeler.js";

// the real layout by default; single tests make it fail to check the fallback
vi.mock("bpmn-auto-layout", async (importOriginal) => {
  const real = await importOriginal<{ layoutProcess: (xml: string) => Promise<string> }>();
  return { layoutProcess: vi.fn(real.layoutProcess) };
});

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** What must survive the round trip: everything but where the definition came from (a loop without testBefore tests first). */
function comparable(definition: ProcessDefinition): unknown {
  const scope = (s: ScopeDefinition): unknown => ({
    nodes: s.nodes.map((node) => {
      const { loop, children, ...rest } = node;
      const copy: Record<string, unknown> = { ...rest };
      if (loop) {
        const { source: _source, testBefore = true, ...withoutSource } = loop;
        copy.loop = { ...withoutSource, testBefore };
      }
      if (children) copy.children = scope(children);
      return copy;
    }),
    flows: s.flows,
  });
  return { id: definition.id, name: definition.name, root: scope(definition.root) };
}

function allScopes(scope: ScopeDefinition): ScopeDefinition[] {
  return [scope, ...scope.nodes.flatMap((node) => (node.children ? allScopes(node.children) : []))];
}

// ---- reading the diagram part of the XML --------------------------------

interface Shape {
  element: string;
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Plane {
  owner: string;
  ownerType: string;
  shapes: Shape[];
  edges: Array<{ element: string; type: string; waypoints: number }>;
}

type Moddle = Record<string, unknown> & { $type: string; id?: string };

async function diagramOf(xml: string): Promise<{ planes: Plane[]; warnings: string[]; definitions: Moddle }> {
  const { rootElement, warnings } = await new BpmnModdle().fromXML(xml, "bpmn:Definitions");
  const definitions = rootElement as Moddle;
  const planes = ((definitions.diagrams ?? []) as Moddle[]).map((diagram) => {
    const plane = diagram.plane as Moddle;
    const owner = plane.bpmnElement as Moddle;
    const elements = (plane.planeElement ?? []) as Moddle[];
    return {
      owner: String(owner.id),
      ownerType: owner.$type,
      shapes: elements
        .filter((di) => di.$type === "bpmndi:BPMNShape")
        .map((di) => {
          const bounds = di.bounds as Record<string, number>;
          const element = di.bpmnElement as Moddle;
          return { element: String(element.id), type: element.$type, x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height };
        }),
      edges: elements
        .filter((di) => di.$type === "bpmndi:BPMNEdge")
        .map((di) => ({ element: String((di.bpmnElement as Moddle).id), type: (di.bpmnElement as Moddle).$type, waypoints: ((di.waypoint ?? []) as unknown[]).length })),
    };
  });
  return { planes, warnings: warnings.map((w) => w.message), definitions };
}

/** Every node has a shape and every flow an edge, on the plane of the scope it is in; nothing overlaps. */
async function expectCompleteDiagram(xml: string, definition: ProcessDefinition): Promise<Plane[]> {
  const { planes, warnings } = await diagramOf(xml);
  expect(warnings).toEqual([]);
  const planeOf = (scope: ScopeDefinition, owner: NodeDefinition | undefined): Plane => {
    const plane = owner ? planes.find((p) => p.owner === owner.id) : planes.find((p) => p.ownerType !== "bpmn:SubProcess");
    expect(plane, `a diagram plane for ${owner?.id ?? "the process"}`).toBeDefined();
    return plane!;
  };
  const check = (scope: ScopeDefinition, owner: NodeDefinition | undefined): void => {
    const plane = planeOf(scope, owner);
    // the `when` notes are drawn too, one per node with a `when`
    const notes = plane.shapes.filter((s) => s.type === "bpmn:TextAnnotation");
    expect(notes.map((s) => s.element).sort()).toEqual(scope.nodes.filter((n) => n.when !== undefined).map((n) => `${n.id}_when`).sort());
    expect(plane.edges.filter((e) => e.type === "bpmn:Association")).toHaveLength(notes.length);
    const nodeShapes = plane.shapes.filter((s) => !["bpmn:Lane", "bpmn:Participant", "bpmn:TextAnnotation"].includes(s.type));
    expect(nodeShapes.map((s) => s.element).sort()).toEqual(scope.nodes.map((n) => n.id).sort());
    expect(plane.edges.filter((e) => e.type === "bpmn:SequenceFlow").map((e) => e.element).sort()).toEqual(scope.flows.map((f) => f.id).sort());
    for (const edge of plane.edges) expect(edge.waypoints).toBeGreaterThanOrEqual(2);
    // boundary events sit on their host's border by design; anything else overlapping is a broken layout
    const free = nodeShapes.filter((s) => s.type !== "bpmn:BoundaryEvent");
    for (const [i, a] of free.entries()) {
      for (const b of free.slice(i + 1)) {
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `${a.element} overlaps ${b.element}`).toBe(false);
      }
    }
    for (const node of scope.nodes) if (node.children) check(node.children, node);
  };
  check(definition.root, undefined);
  return planes;
}

async function roundTrip(definition: ProcessDefinition): Promise<{ xml: string; back: ProcessDefinition }> {
  const xml = await toBpmnXml(definition);
  return { xml, back: await readBpmn(xml, "x.bpmn") };
}

// ---- processes built in code ---------------------------------------------

function implementations(): Adhesive {
  const adhesive = new Adhesive();
  const step = (ctx: Context): void => {
    const steps = (ctx.data.steps ??= {}) as Data;
    steps[ctx.taskName] = { lane: ctx.lane ?? null, index: ctx.loop?.index ?? null };
  };
  adhesive.task({ re: /.*/ }, step);
  adhesive.usertask({ re: /.*/ }, (ctx, ui) => {
    ui.addInputText("approver");
    step(ctx);
  });
  adhesive.lane({ re: /.*/ }, async function* (ctx) {
    yield ctx.workspace;
  });
  return adhesive;
}

const runOptions: RunOptions = {
  poolSize: 8,
  ui: scriptedUi({ approver: "alice" }),
  initialData: { platforms: ["linux", "mac"], servers: ["s1", "s2"], release: true, notify: false },
};

const built = (adhesive: Adhesive) => ({
  "branches, a looped sub-process with lanes, user task, sequential loop and when": adhesive
    .processStart()
    .task("Checkout", { lane: "build-box" })
    .branchStart()
      .subProcessStart({ loop: "platforms", lane: "build-box" })
        .task("Build {loop.value}")
        .task("Test {loop.value}", { when: "release", lane: "test-box" })
      .subProcessEnd()
    .branchEnd()
    .branchStart().usertask("Approve", { lane: "desk" }).branchEnd()
    .task("Deploy {loop.value}", { loop: { expression: "servers", sequential: true } })
    .task("Notify", { when: "data.notify === true" })
    .processEnd(),
  "nested branches and nested sub-processes": adhesive
    .processStart()
    .branchStart()
      .task("A")
      .branchStart().task("A1").branchEnd()
      .branchStart().subProcessStart().subProcessStart({ when: "release" }).task("Deep").subProcessEnd().subProcessEnd().branchEnd()
    .branchEnd()
    .branchStart().task("B", { loop: { expression: "platforms" } }).branchEnd()
    .branchStart().task("C", { loop: { expression: "servers", sequential: true } }).branchEnd()
    .task("Join")
    .processEnd(),
  "a plain chain": adhesive.processStart().task("One").task("Two").processEnd(),
});

describe("toBpmnXml: processes built in code", () => {
  const names = Object.keys(built(new Adhesive()));

  it.each(names)("%s: reads back to the same definition", async (name) => {
    const process = built(new Adhesive())[name as keyof ReturnType<typeof built>];
    const { back } = await roundTrip(process.definition);

    expect(comparable(back)).toEqual(comparable(process.definition));
    expect(back.source).toBe("x.bpmn");
  });

  it.each(names)("%s: has a diagram with a shape for every node and an edge for every flow", async (name) => {
    const process = built(new Adhesive())[name as keyof ReturnType<typeof built>];
    const xml = await process.toBpmnXml();

    expect(xml).toContain("<bpmndi:BPMNDiagram");
    await expectCompleteDiagram(xml, process.definition);
  });

  it.each(names)("%s: runs from the read-back file to the same data as built", async (name) => {
    const adhesive = implementations();
    const process = built(adhesive)[name as keyof ReturnType<typeof built>];
    const fromBuilder = await process.build(runOptions);
    const fromFile = await adhesive.run(await readBpmn(await process.toBpmnXml(), "x.bpmn"), runOptions);

    expect(fromFile).toEqual(fromBuilder);
    expect(Object.keys(fromBuilder.steps as Data).length).toBeGreaterThan(1);
  });

  it("keeps the linear build's definition too", async () => {
    const definition = linearDefinition([
      { name: "A", kind: "task", lane: "x" },
      { name: "B {loop.value}", kind: "task", loop: "items", when: "ok" },
      { name: "Ask", kind: "userTask" },
    ]);
    const { xml, back } = await roundTrip(definition);

    expect(comparable(back)).toEqual(comparable(definition));
    await expectCompleteDiagram(xml, definition);
  });

  it("writes `when` as an adhesive:when attribute in its own namespace, which survives the layout", async () => {
    const process = new Adhesive().processStart().task("Publish", { when: "data.branch === 'main' && count > 1" }).processEnd();
    const xml = await process.toBpmnXml();

    expect(xml).toContain(`xmlns:adhesive="${ADHESIVE_NS}"`);
    expect(xml).toMatch(/<bpmn:task id="task_1" name="Publish" adhesive:when="[^"]+"/);
    expect((await readBpmn(xml, "x.bpmn")).root.nodes[1].when).toBe("data.branch === 'main' && count > 1");
  });

  it("shows each `when` in the modeler: a text annotation over its node, linked to it, that the reader ignores", async () => {
    const process = new Adhesive()
      .processStart()
      .task("Build")
      .task("Publish", { when: "data.branch === 'main'" })
      .subProcessStart({ lane: "ops" }).task("Deploy", { when: "deploy" }).subProcessEnd()
      .processEnd();
    const xml = await process.toBpmnXml();

    expect(xml).toMatch(/<bpmn:textAnnotation id="task_2_when">\s*<bpmn:text>when data.branch === 'main'<\/bpmn:text>/);
    expect(xml).toMatch(/<bpmn:association id="task_2_when_link" sourceRef="task_2" targetRef="task_2_when" \/>/);
    const planes = await expectCompleteDiagram(xml, process.definition);
    const drawn = (await expectOpensCleanly(xml)).drawn;
    expect(drawn.get("task_2_when")).toBeUndefined();
    expect([...drawn.keys()]).toEqual(expect.arrayContaining(["task_2_when", "task_2_when_link", "task_3_when"]));
    const [note, task] = ["task_2_when", "task_2"].map((id) => planes[0].shapes.find((s) => s.element === id)!);
    // over its node, inside the pool the lanes draw
    expect(note.y + note.height).toBeLessThanOrEqual(task.y);
    expect(note.x).toBeGreaterThanOrEqual(task.x);
    expect(note.y).toBeGreaterThanOrEqual(0);
    expect(planes.find((p) => p.owner === "subprocess_1")!.shapes.map((s) => s.element)).toContain("task_3_when");
    expect(comparable(await readBpmn(xml, "x.bpmn"))).toEqual(comparable(process.definition));
  });

  it("writes a parallel loop as a standard loop that tests first (BPMN's default is do-while) and a sequential one as a sequential multi-instance", async () => {
    const xml = await new Adhesive()
      .processStart()
      .task("P", { loop: "items" })
      .task("S", { loop: { expression: "items", sequential: true } })
      .processEnd()
      .toBpmnXml();

    expect(xml).toMatch(/<bpmn:standardLoopCharacteristics testBefore="true">\s*<bpmn:loopCondition[^>]*>items</);
    expect(xml).toMatch(/<bpmn:multiInstanceLoopCharacteristics isSequential="true">\s*<bpmn:completionCondition[^>]*>items</);
  });

  it("keeps a standard loop's testBefore and loopMaximum", async () => {
    for (const file of ["do-while.bpmn", "while-do.bpmn"]) {
      const read = await loadBpmn(join(fixtures, "engine/loops", file));
      const back = await readBpmn(await toBpmnXml(read), file);
      expect(back.root.nodes.find((n) => n.id === "attempt")?.loop).toEqual(read.root.nodes.find((n) => n.id === "attempt")?.loop);
    }
  });

  it("draws each sub-process collapsed, with its contents on a plane of its own", async () => {
    const process = new Adhesive()
      .processStart()
      .task("Before")
      .subProcessStart().task("Inner 1").subProcessStart().task("Deepest").subProcessEnd().task("Inner 2").subProcessEnd()
      .task("After")
      .processEnd();
    const planes = await expectCompleteDiagram(await process.toBpmnXml(), process.definition);

    expect(planes.map((p) => p.owner)).toEqual(["process", "subprocess_1", "subprocess_2"]);
    const root = planes[0].shapes.map((s) => s.element);
    expect(root.sort()).toEqual(["end_3", "start", "subprocess_1", "task_1", "task_5"]);
    expect(planes[1].shapes.map((s) => s.element).sort()).toEqual(["end_2", "start_1", "subprocess_2", "task_2", "task_4"]);
    expect(planes[2].shapes.map((s) => s.element).sort()).toEqual(["end_1", "start_2", "task_3"]);
  });

  it("draws the process in a pool with one band per lane, each node inside its lane's band", async () => {
    const adhesive = new Adhesive();
    const process = built(adhesive)["branches, a looped sub-process with lanes, user task, sequential loop and when"];
    const xml = await process.toBpmnXml();
    const { planes, definitions } = await diagramOf(xml);
    const root = planes[0];
    const roots = (definitions.rootElements as Moddle[]).map((element) => element.$type);

    expect(roots).toContain("bpmn:Collaboration");
    expect(root.ownerType).toBe("bpmn:Collaboration");
    const pool = root.shapes.find((s) => s.type === "bpmn:Participant")!;
    const lanes = root.shapes.filter((s) => s.type === "bpmn:Lane");
    expect(pool).toBeDefined();
    const laneSet = ((definitions.rootElements as Moddle[]).find((e) => e.$type === "bpmn:Process")!.laneSets as Moddle[])[0];
    const laneElements = laneSet.lanes as Moddle[];
    // build-box, desk and one unnamed lane for the nodes without a lane
    expect(laneElements.map((lane) => lane.name ?? "")).toEqual(["", "build-box", "desk"]);
    expect(lanes).toHaveLength(3);
    for (const lane of laneElements) {
      const band = lanes.find((s) => s.element === lane.id)!;
      expect(band.x).toBeGreaterThanOrEqual(pool.x);
      expect(band.y + band.height).toBeLessThanOrEqual(pool.y + pool.height);
      for (const ref of lane.flowNodeRef as Moddle[]) {
        const shape = root.shapes.find((s) => s.element === ref.id)!;
        const middle = shape.y + shape.height / 2;
        expect(middle, `${String(ref.id)} in lane ${String(lane.name)}`).toBeGreaterThan(band.y);
        expect(middle).toBeLessThan(band.y + band.height);
        expect(shape.x).toBeGreaterThanOrEqual(band.x + 30);
        expect(shape.x + shape.width).toBeLessThanOrEqual(band.x + band.width);
      }
    }
    // the unnamed lane names no workspace: those nodes still have no lane
    const back = await readBpmn(xml, "x.bpmn");
    expect(back.root.nodes.find((n) => n.name === "Notify")!.lane).toBeUndefined();
  });

  it("keeps lanes inside a sub-process in the model only for the nodes whose lane differs from the sub-process's", async () => {
    const process = new Adhesive()
      .processStart()
      .subProcessStart({ lane: "outer" }).task("Inherits").task("Own", { lane: "inner" }).subProcessEnd()
      .processEnd();
    const xml = await process.toBpmnXml();

    expect(xml).toMatch(/<bpmn:lane id="[^"]+" name="inner">\s*<bpmn:flowNodeRef>task_2<\/bpmn:flowNodeRef>\s*<\/bpmn:lane>/);
    expect(xml).not.toMatch(/<bpmn:flowNodeRef>task_1<\/bpmn:flowNodeRef>/);
    const back = await readBpmn(xml, "x.bpmn");
    const inner = back.root.nodes.find((n) => n.kind === "subProcess")!.children!.nodes;
    expect(inner.map((n) => [n.name || n.kind, n.lane])).toEqual([
      ["startEvent", "outer"],
      ["Inherits", "outer"],
      ["Own", "inner"],
      ["endEvent", "outer"],
    ]);
  });
});

// ---- definitions read from files ----------------------------------------

const conformance = (await readdir(join(fixtures, "conformance"))).filter((f) => f.endsWith(".bpmn")).sort();
const fileCases = [
  ...conformance.map((f) => join("conformance", f)),
  join("bpmn", "modelers", "camunda7-deploy.bpmn"),
  join("bpmn", "modelers", "camunda8-orders.bpmn"),
];

describe("toBpmnXml: definitions loaded from modeler files", () => {
  it("refuses what it cannot write (pools, message flows, call activities, the other events), naming it", async () => {
    const definition = await loadBpmn(join(fixtures, "elements", "collaboration.bpmn"));
    const error = await toBpmnXml(definition).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^toBpmnXml\(Collaboration_Shop\) cannot write pool Process_Shop, pool Process_Warehouse, .*messageEndEvent End_Shipped.*, message flows; it writes what the builder builds$/);
  });

  it("refuses a call activity that maps data, which it would write as one passing all data", async () => {
    const definition = await loadBpmn(join(fixtures, "elements", "call-activity.bpmn"));
    const error = await toBpmnXml(definition).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/cannot write .*the data mappings or called-process expression of Call_Check/);
    expect((error as Error).message).not.toMatch(/of Call_Pay/);
  });

  it.each(fileCases)("%s reads back equal, with a complete diagram", async (file) => {
    const definition = await loadBpmn(join(fixtures, file));
    const { xml, back } = await roundTrip(definition);

    expect(comparable(back)).toEqual(comparable(definition));
    await expectCompleteDiagram(xml, definition);
  });

  it("keeps what the Camunda 7 file says about collections, timers, conditions and defaults", async () => {
    const definition = await loadBpmn(join(fixtures, "bpmn", "modelers", "camunda7-deploy.bpmn"));
    const { back } = await roundTrip(definition);
    const nodes = allScopes(back.root).flatMap((s) => s.nodes);

    expect(nodes.some((n) => n.loop?.collection === "servers" && n.loop.elementVariable !== undefined)).toBe(true);
    expect(nodes.some((n) => n.kind === "timerBoundaryEvent" && n.timer?.value === "PT15M")).toBe(true);
    expect(nodes.some((n) => n.defaultFlow !== undefined)).toBe(true);
    expect(allScopes(back.root).flatMap((s) => s.flows).some((f) => f.condition === 'env == "prod"')).toBe(true);
  });
});

// ---- everything the writer knows, in one hand-made definition -------------

const everything: ProcessDefinition = {
  id: "everything",
  name: "Everything",
  source: "<test>",
  root: {
    nodes: [
      { id: "start", name: "Orders", kind: "messageStartEvent", messageName: "New order" },
      { id: "route", name: "Route?", kind: "exclusiveGateway", defaultFlow: "f_slow" },
      { id: "fast", name: "Fast path", kind: "task", lane: "fast lane", loop: { cardinality: "3", sequential: false, source: "multiInstance" } },
      {
        id: "slow",
        name: "Slow path",
        kind: "scriptTask",
        script: { format: "javascript", body: "data.slow = data.a < 2 && true;\n" },
        defaultFlow: "f_slow_out",
      },
      { id: "wait", name: "Wait", kind: "intermediateCatchEvent", timer: { kind: "date", value: "2030-01-01T00:00:00Z" } },
      { id: "signal", name: "Go signal", kind: "intermediateCatchEvent", messageName: "Go" },
      {
        id: "work",
        name: "",
        kind: "subProcess",
        lane: "fast lane",
        loop: { collection: "orders", elementVariable: "order", completionCondition: "done", sequential: true, source: "multiInstance" },
        children: {
          nodes: [
            { id: "work_start", name: "", kind: "startEvent", lane: "fast lane" },
            { id: "pick", name: "Pick {order}", kind: "task", lane: "warehouse" },
            { id: "pack", name: "Pack", kind: "userTask", lane: "fast lane", when: "order.size > 1" },
            { id: "work_end", name: "", kind: "endEvent", lane: "fast lane" },
            { id: "fail", name: "Out of stock", kind: "endEvent", lane: "warehouse", errorCode: "OUT_OF_STOCK" },
          ],
          flows: [
            { id: "w1", source: "work_start", target: "pick" },
            { id: "w2", source: "pick", target: "pack", condition: "stock > 0" },
            { id: "w3", source: "pick", target: "fail", name: "no stock" },
            { id: "w4", source: "pack", target: "work_end" },
          ],
        },
      },
      { id: "on_error", name: "Stock error", kind: "errorBoundaryEvent", attachedTo: "work", interrupting: true, errorCode: "OUT_OF_STOCK" },
      { id: "on_any", name: "Any error", kind: "errorBoundaryEvent", attachedTo: "slow", interrupting: true },
      { id: "on_blank", name: "Blank error", kind: "errorBoundaryEvent", attachedTo: "fast", interrupting: true, errorCode: "" },
      { id: "on_timeout", name: "Too slow", kind: "timerBoundaryEvent", attachedTo: "work", interrupting: false, timer: { kind: "cycle", value: "R3/PT10S" } },
      { id: "on_cancel", name: "Cancel", kind: "messageBoundaryEvent", attachedTo: "work", interrupting: true, messageName: "Cancel order" },
      { id: "on_late", name: "Late", kind: "timerBoundaryEvent", attachedTo: "fast", interrupting: true, timer: { kind: "duration", value: "PT1M" } },
      { id: "join", name: "", kind: "inclusiveGateway" },
      { id: "message", name: "Colliding ids", kind: "task" },
      { id: "lane", name: "Colliding ids 2", kind: "task" },
      { id: "collaboration", name: "Colliding ids 3", kind: "parallelGateway" },
      { id: "end", name: "Done", kind: "endEvent" },
      { id: "error", name: "Handled", kind: "endEvent" },
    ],
    flows: [
      { id: "f1", source: "start", target: "route" },
      { id: "f_fast", source: "route", target: "fast", name: "fast", condition: '=route = "fast"' },
      { id: "f_slow", source: "route", target: "slow" },
      { id: "f_fast_out", source: "fast", target: "wait" },
      { id: "f_slow_out", source: "slow", target: "signal" },
      { id: "f_slow_alt", source: "slow", target: "join", condition: "data.skip" },
      { id: "f_wait", source: "wait", target: "work" },
      { id: "f_signal", source: "signal", target: "join" },
      { id: "f_work", source: "work", target: "join" },
      { id: "f_join", source: "join", target: "message" },
      { id: "f_m", source: "message", target: "lane" },
      { id: "f_l", source: "lane", target: "collaboration" },
      { id: "f_c", source: "collaboration", target: "end" },
      { id: "f_e1", source: "on_error", target: "error" },
      { id: "f_e2", source: "on_any", target: "error" },
      { id: "f_e3", source: "on_blank", target: "error" },
      { id: "f_e4", source: "on_timeout", target: "error" },
      { id: "f_e5", source: "on_cancel", target: "error" },
      { id: "f_e6", source: "on_late", target: "error" },
    ],
  },
};

describe("toBpmnXml: every kind of element", () => {
  it("reads back boundary events, timers, messages, error codes, conditions, defaults, scripts and multi-instance loops unchanged", async () => {
    const { xml, back } = await roundTrip(everything);

    expect(comparable(back)).toEqual(comparable(everything));
    await expectCompleteDiagram(xml, everything);
  });

  it("shares one message and one error element per name", async () => {
    const xml = await toBpmnXml(everything);

    expect(xml.match(/<bpmn:message /g)).toHaveLength(3);
    expect(xml.match(/<bpmn:error /g)).toHaveLength(2);
    expect(xml).toMatch(/<bpmn:error id="[^"]+" name="OUT_OF_STOCK" errorCode="OUT_OF_STOCK" \/>/);
  });
});

describe("toBpmnXml: when bpmn-auto-layout fails", () => {
  const mockedLayout = vi.mocked(layoutProcess);
  beforeEach(() => {
    mockedLayout.mockClear();
  });

  it("lays the process out itself when the library throws", async () => {
    mockedLayout.mockRejectedValueOnce(new TypeError("Cannot set properties of undefined (setting '3')"));
    const process = built(new Adhesive())["nested branches and nested sub-processes"];
    const { xml, back } = await roundTrip(process.definition);

    expect(mockedLayout).toHaveBeenCalledTimes(1);
    expect(comparable(back)).toEqual(comparable(process.definition));
    await expectCompleteDiagram(xml, process.definition);
  });

  it("lays the process out itself when the library leaves elements without a shape", async () => {
    mockedLayout.mockImplementationOnce((xml) => Promise.resolve(xml));
    const { xml, back } = await roundTrip(everything);

    expect(comparable(back)).toEqual(comparable(everything));
    await expectCompleteDiagram(xml, everything);
  });

  it("lays out cycles and lanes without the library", async () => {
    mockedLayout.mockRejectedValue(new Error("broken"));
    try {
      for (const file of ["link-back.bpmn", "lane.bpmn", "feature--lane--nested_lane_workspaces--nested.bpmn", "error-event-subprocess-propagates-up.bpmn"]) {
        const definition = await loadBpmn(join(fixtures, "conformance", file));
        const { xml, back } = await roundTrip(definition);
        expect(comparable(back)).toEqual(comparable(definition));
        await expectCompleteDiagram(xml, definition);
      }
    } finally {
      mockedLayout.mockReset();
      const real = await vi.importActual<{ layoutProcess: (xml: string) => Promise<string> }>("bpmn-auto-layout");
      mockedLayout.mockImplementation(real.layoutProcess);
    }
  });

  it("the library really does throw on the lane fixture, which the fallback covers", async () => {
    const real = await vi.importActual<{ layoutProcess: (xml: string) => Promise<string> }>("bpmn-auto-layout");
    const file = await readFile(join(fixtures, "conformance", "lane.bpmn"), "utf8");

    await expect(real.layoutProcess(file)).rejects.toThrow();
  });
});
