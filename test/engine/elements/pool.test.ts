/*
 * Collaborations: every pool's process runs, message flows carry what one
 * pool sends to the element of another that receives it, and a black-box
 * pool is only documentation.
 */
import { describe, expect, it } from "vitest";
import { InvalidBpmnError, loadBpmn } from "adhesive-bpmn";
import { fixture, gate, noop, scenario } from "./scenario.js";

describe("pools and message flows", () => {
  it("runs both pools; the send task starts the warehouse, its message end event lets the shop bill", async () => {
    const seen: unknown[] = [];
    const t = scenario("collaboration.bpmn", (a) => {
      a.task("Take order", (ctx) => void (ctx.data.order = { id: 7 }));
      a.task("Pick", (ctx) => {
        seen.push(ctx.data.event);
        ctx.data.picked = true;
      });
      noop(a, "Send order", "Bill");
    });
    const data = await t.run();
    expect(t.ran).toEqual(["Take order", "Send order", "Pick", "Bill"]);
    // the message is the sender's data
    expect(seen).toEqual([{ order: { id: 7 } }]);
    expect(data.order).toEqual({ id: 7 });
    expect(data.picked).toBe(true);
  });

  it("a receive task waits for the question the send task sends; the reply interrupts the waiting task through its message boundary", async () => {
    const wait = gate();
    const t = scenario("question.bpmn", (a) => {
      a.task("Ask", (ctx) => void (ctx.data.question = "why?"));
      a.task("Wait for the answer", wait.body);
      a.task("Answer", (ctx) => void (ctx.data.answer = `because, to ${(ctx.data.event as { question: string }).question}`));
      a.task("Read the answer", (ctx) => void (ctx.data.read = (ctx.data.event as { answer: string }).answer));
      noop(a, "Give up");
    });
    const data = await t.run();
    expect(t.ran).toEqual(["Ask", "Wait for the answer", "Answer", "Read the answer"]);
    expect(t.cancelled).toEqual(["Wait for the answer"]);
    expect(data.read).toBe("because, to why?");
    expect(t.count("Give up")).toBe(0);
  });

  it("reads the two processes as pools and leaves the black-box pool out", async () => {
    const process = await loadBpmn(fixture("collaboration.bpmn"));
    expect(process.name).toBe("Shop and warehouse");
    expect(process.root.nodes.map((node) => [node.id, node.kind, node.name])).toEqual([
      ["Process_Shop", "pool", "Shop"],
      ["Process_Warehouse", "pool", "Warehouse"],
    ]);
    // the customer is a black box: its flow to "Bill" has no sender
    expect(process.messageFlows).toEqual([
      { id: "Flow_Order", source: "Send_Order", target: "Start_Order" },
      { id: "Flow_Shipped", source: "End_Shipped", target: "Catch_Shipped" },
    ]);
  });

  it("runs one pool when asked by name; its message events then need a source, and an implementation to send", async () => {
    const t = scenario("collaboration.bpmn", (a) => {
      a.task("Shipped", (ctx) => void (ctx.data.sent = true));
      a.message("Order", function* () {
        yield { id: 1 };
        yield { id: 2 };
      });
      a.task("Pick", (ctx) => void (ctx.data[`picked${(ctx.data.event as { id: number }).id}`] = true));
    });
    const data = await t.run({ process: "Warehouse" });
    expect([t.count("Pick"), t.count("Shipped")]).toEqual([2, 2]);
    // a message's keys are data keys too (Camunda's message variables)
    expect(data).toEqual({ event: { id: 2 }, id: 2, picked1: true, picked2: true, sent: true });
  });

  it("runs the executable pools; when none is marked executable, every pool with a start; a process outside the pools is not run", async () => {
    const marked = scenario("executable.bpmn", (a) => noop(a, "A work", "B work", "Library work"));
    await marked.run();
    expect(marked.ran).toEqual(["A work"]);
    const unmarked = scenario("none-executable.bpmn", (a) => noop(a, "A work", "B work", "Library work"));
    await unmarked.run();
    expect(unmarked.ran.sort()).toEqual(["A work", "B work"]);
  });

  it("names the processes there are when the one asked for is not", async () => {
    const error = await loadBpmn(fixture("collaboration.bpmn"), { process: "Billing" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidBpmnError);
    expect((error as InvalidBpmnError).problems[0].message).toBe('no process has the id or name "Billing"; the file has "Process_Shop" (Shop), "Process_Warehouse" (Warehouse)');
  });

  it("a message flow to a plain task only documents the exchange: the task runs as a task", async () => {
    const t = scenario("two-pools.bpmn", (a) => noop(a, "Order", "Pick"));
    await t.run();
    expect(t.ran.sort()).toEqual(["Order", "Pick"]);
  });
});
