/*
 * Every construct of the builder, each as a scenario run twice: as built,
 * and from its exported file read back through bpmnBuild() as a user would,
 * to the same tasks in the same order and the same data. The exported file
 * reads back to the same definition and opens cleanly in bpmn-js with every
 * element drawn (modeler.ts).
 */
import { mkdtempSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Adhesive, BpmnError, SimulatedClock, loadBpmn, type BuiltProcess, type Context, type ProcessDefinition, type RunOptions, type ScopeDefinition } from "../../src/index.js";
import { bounded, until } from "../waiting.js";
import { expectOpensCleanly, openInModeler } from "./modeler.js";

const folder = mkdtempSync(join(tmpdir(), "adhesive-builder-"));
let files = 0;

/** What must survive the export: everything but where the definition came from. */
function comparable(definition: ProcessDefinition): unknown {
  const scope = (s: ScopeDefinition): unknown => ({
    nodes: s.nodes.map(({ children, loop, ...rest }) => ({ ...rest, ...(loop ? { loop: { ...loop, source: undefined, testBefore: loop.testBefore ?? true } } : {}), ...(children ? { children: scope(children) } : {}) })),
    flows: s.flows,
  });
  return { id: definition.id, name: definition.name, root: scope(definition.root) };
}

/** Writes the process as a file, checks that a modeler opens it and that it reads back to the same definition; returns its path. */
async function exported(process: BuiltProcess<RunOptions>): Promise<string> {
  const xml = await process.toBpmnXml();
  await expectOpensCleanly(xml);
  const file = join(folder, `built-${++files}.bpmn`);
  await writeFile(file, xml);
  expect(comparable(await loadBpmn(file))).toEqual(comparable(process.definition));
  return file;
}

/** These tasks log their names and mark the data; `throws` makes a task fail with a business error. */
function recorder(names: string[], throws: Record<string, string> = {}) {
  const adhesive = new Adhesive();
  const order: string[] = [];
  adhesive.task(names, (ctx: Context) => {
    order.push(ctx.taskName);
    if (throws[ctx.taskName] !== undefined) throw new BpmnError(throws[ctx.taskName]);
    ctx.data[ctx.taskName] = true;
  });
  return { adhesive, order };
}

const tasks = (...names: string[]) => () => recorder(names);

/**
 * Runs `build(adhesive)` as built and from its exported file, with fresh
 * implementations each time; both must run the same tasks to the same data.
 */
async function bothWays(
  build: (adhesive: Adhesive) => BuiltProcess<RunOptions>,
  setup: () => { adhesive: Adhesive; order: string[] },
  options: RunOptions = {},
): Promise<{ data: unknown; order: string[] }> {
  const first = setup();
  const data = await first.adhesive.run(build(first.adhesive).definition, options);
  const second = setup();
  const file = await exported(build(second.adhesive));
  const fromFile = await second.adhesive.bpmnBuild(file, options);
  expect(second.order).toEqual(first.order);
  expect(fromFile).toEqual(data);
  return { data, order: first.order };
}

describe("builder: exclusive gateways", () => {
  const order = (adhesive: Adhesive) =>
    adhesive
      .processStart({ name: "Orders" })
      .task("Price")
      .exclusive("Amount?", (g) => g.when("data.amount > 100", (b) => b.task("Review")).otherwise((b) => b.task("Approve")))
      .task("Ship")
      .processEnd();

  it("takes the path whose condition holds, then goes on after the gateway", async () => {
    const { order: ran, data } = await bothWays(order, tasks("Price", "Review", "Approve", "Ship"), { initialData: { amount: 150 } });

    expect(ran).toEqual(["Price", "Review", "Ship"]);
    expect(data).toEqual({ amount: 150, Price: true, Review: true, Ship: true });
  });

  it("takes the otherwise() path when no condition holds", async () => {
    const { order: ran } = await bothWays(order, tasks("Price", "Review", "Approve", "Ship"), { initialData: { amount: 50 } });

    expect(ran).toEqual(["Price", "Approve", "Ship"]);
  });

  it("goes straight on when no condition holds and there is no otherwise()", async () => {
    const skip = (adhesive: Adhesive) => adhesive.processStart().exclusive((g) => g.when("express", (b) => b.task("Courier"))).task("Ship").processEnd();
    expect((await bothWays(skip, tasks("Courier", "Ship"), { initialData: { express: false } })).order).toEqual(["Ship"]);
    expect((await bothWays(skip, tasks("Courier", "Ship"), { initialData: { express: true } })).order).toEqual(["Courier", "Ship"]);
  });

  it("takes the first path in order when several conditions hold", async () => {
    const first = (adhesive: Adhesive) =>
      adhesive.processStart().exclusive((g) => g.when("amount > 10", (b) => b.task("Ten")).when("amount > 1", (b) => b.task("One"))).processEnd();
    expect((await bothWays(first, tasks("Ten", "One"), { initialData: { amount: 50 } })).order).toEqual(["Ten"]);
  });

  it("shows each condition in the modeler: a conditionExpression on its flow, labelled with the condition or the given label", async () => {
    const xml = await order(new Adhesive()).toBpmnXml();
    const labelled = await new Adhesive()
      .processStart()
      .exclusive((g) => g.when("data.amount > 100", (b) => b.task("Review"), "big order").otherwise((b) => b.task("Approve"), "small order"))
      .processEnd()
      .toBpmnXml();

    expect(xml).toMatch(/<bpmn:sequenceFlow id="(flow_\d+)" name="data.amount &#62; 100" sourceRef="exclusive_1" targetRef="task_2">\s*<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">data.amount &gt; 100<\/bpmn:conditionExpression>/);
    expect(xml).toMatch(/<bpmn:exclusiveGateway id="exclusive_1" name="Amount\?" default="flow_\d+">/);
    const view = await openInModeler(labelled);
    expect([...view.drawn.values()]).toEqual(expect.arrayContaining(["big order", "small order"]));
    expect(labelled).toContain("<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">data.amount &gt; 100</bpmn:conditionExpression>");
  });

  it("keeps nested gateways, branches and sub-processes inside a path", async () => {
    const nested = (adhesive: Adhesive) =>
      adhesive
        .processStart()
        .exclusive((g) =>
          g
            .when("kind === 'big'", (b) =>
              b
                .branchStart().task("Pack A").branchEnd()
                .branchStart().subProcessStart({ name: "Check" }).task("Weigh").subProcessEnd().branchEnd()
                .exclusive((inner) => inner.when("fragile", (c) => c.task("Wrap"))),
            )
            .otherwise((b) => b.task("Envelope")),
        )
        .task("Ship")
        .processEnd();
    const { order: ran } = await bothWays(nested, tasks("Pack A", "Weigh", "Wrap", "Envelope", "Ship"), { initialData: { kind: "big", fragile: true } });

    expect(ran.sort()).toEqual(["Pack A", "Ship", "Weigh", "Wrap"]);
  });
});

describe("builder: inclusive gateways", () => {
  const notify = (adhesive: Adhesive) =>
    adhesive
      .processStart()
      .inclusive("Channels", (g) => g.when("email", (b) => b.task("Email")).when("sms", (b) => b.task("Sms")).otherwise((b) => b.task("Letter")))
      .task("Done")
      .processEnd();

  it("runs every path whose condition holds and the next step once, after all of them", async () => {
    const { order: ran, data } = await bothWays(notify, tasks("Email", "Sms", "Letter", "Done"), { initialData: { email: true, sms: true } });

    expect(ran.slice(0, 2).sort()).toEqual(["Email", "Sms"]);
    expect(ran[2]).toBe("Done");
    expect(ran).toHaveLength(3);
    expect(data).toEqual({ email: true, sms: true, Email: true, Sms: true, Done: true });
  });

  it("runs one path when one condition holds, and otherwise() when none does", async () => {
    expect((await bothWays(notify, tasks("Email", "Sms", "Letter", "Done"), { initialData: { email: false, sms: true } })).order).toEqual(["Sms", "Done"]);
    expect((await bothWays(notify, tasks("Email", "Sms", "Letter", "Done"), { initialData: { email: false, sms: false } })).order).toEqual(["Letter", "Done"]);
  });
});

describe("builder: names", () => {
  it("names the process and its sub-processes; the file keeps them", async () => {
    const named = (adhesive: Adhesive) =>
      adhesive.processStart({ id: "orders", name: "Order handling" }).subProcessStart({ name: "Fulfil order" }).task("Pick").subProcessEnd().processEnd();
    await bothWays(named, tasks("Pick"));
    const xml = await named(new Adhesive()).toBpmnXml();

    expect(xml).toMatch(/<bpmn:process id="orders" name="Order handling" isExecutable="true">/);
    expect(xml).toMatch(/<bpmn:subProcess id="subprocess_1" name="Fulfil order">/);
    expect((await openInModeler(xml)).drawn.get("subprocess_1")).toBe("Fulfil order");
  });
});
