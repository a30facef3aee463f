/*
 * Process data as Camunda scopes it, on files written from Camunda's docs:
 * an activity's input mappings are its own local variables (visible to it,
 * gone after it), its output mappings write to the process; a message's
 * variables become process variables; an event sub-process sees the
 * instance's data as it is when it starts.
 */
import { describe, expect, it } from "vitest";
import { scriptedUi } from "adhesive-bpmn";
import { scenario, until } from "../engine/elements/scenario.js";

const camunda = (file: string) => `../camunda/${file}`;

describe("input and output mappings", () => {
  it("Camunda 7: an input parameter named like a process variable is the task's own; the output parameter reaches the process", async () => {
    const seen: unknown[] = [];
    const t = scenario(camunda("c7-local-inputs.bpmn"), (a) => {
      a.task({ type: "reserve-stock" }, (ctx) => {
        seen.push({ orderId: ctx.data.orderId, warehouse: ctx.data.warehouse });
        ctx.data.reservationId = "R-1";
      });
      a.task({ type: "ship" }, (ctx) => void seen.push({ shipping: ctx.data.orderId, warehouse: ctx.data.warehouse }));
      a.task({ type: "apologize" }, () => undefined);
    });
    const data = await t.run({ initialData: { orderId: 42, order: { reference: "SO-42" } } });
    expect(seen).toEqual([{ orderId: "SO-42", warehouse: "north" }, { shipping: 42, warehouse: undefined }]);
    // the task's own write stays (Camunda 7 sets a variable it does not hold locally on the process)
    expect(data).toEqual({ orderId: 42, order: { reference: "SO-42" }, reservationId: "R-1", reservation: "R-1" });
  });

  it("Camunda 7: a boundary event's path continues with the data around the task, without its inputs", async () => {
    const t = scenario(camunda("c7-local-inputs.bpmn"), (a) => {
      a.task({ type: "reserve-stock" }, () => {
        throw new Error("out of stock");
      });
      a.task({ type: "apologize" }, (ctx) => void (ctx.data.apologizedFor = ctx.data.orderId));
      a.task({ type: "ship" }, () => undefined);
    });
    const data = await t.run({ initialData: { orderId: 42, order: { reference: "SO-42" } } });
    expect(t.ran).toEqual(["Reserve stock", "Apologize"]);
    expect(data.apologizedFor).toBe(42);
    expect(data).not.toHaveProperty("warehouse");
  });

  it("Camunda 8: a task's input and a call activity's input are local; the called process sees the call activity's, and its output comes back", async () => {
    const seen: unknown[] = [];
    const t = scenario(camunda("c8-local-inputs.bpmn"), (a) => {
      a.task({ type: "price-order" }, (ctx) => {
        seen.push(ctx.data.orderId);
        ctx.data.price = 30;
      });
      a.task({ type: "write-invoice" }, (ctx) => {
        seen.push(ctx.data.orderId);
        ctx.data.invoiceNumber = `N-${String(ctx.data.orderId)}`;
        ctx.data.orderId = "changed inside";
      });
    });
    const data = await t.run({ initialData: { orderId: "42", lines: [{ sku: "SKU-7" }] } });
    expect(seen).toEqual(["SKU-7", "INV-42"]);
    // without output mappings the task's own writes merge into the process (Zeebe: job variables propagate)
    expect(data).toEqual({ orderId: "42", lines: [{ sku: "SKU-7" }], price: 30, invoiceNumber: "N-INV-42", invoice: "N-INV-42" });
  });
});

describe("messages", () => {
  it("a message's variables become process variables, and the message is data.event", async () => {
    const booked: unknown[] = [];
    const t = scenario(camunda("c8-message-variables.bpmn"), (a) => {
      a.message("Payment received", async function* () {
        yield { orderId: "A-1", amount: 30 };
      });
      a.task({ type: "book-payment" }, (ctx) => void booked.push([ctx.data.amount, ctx.data.event]));
    });
    const data = await t.run({ initialData: { orderId: "A-1", amount: 0 } });
    expect(booked).toEqual([[30, { orderId: "A-1", amount: 30 }]]);
    expect(data).toEqual({ orderId: "A-1", amount: 30, event: { orderId: "A-1", amount: 30 } });
  });
});

describe("event sub-processes", () => {
  it("a timer event sub-process sees what the instance's tasks wrote before it started, not the data the instance started with", async () => {
    const reports: unknown[] = [];
    const t = scenario(camunda("event-sub-process-data.bpmn"), (a) => {
      a.task("Pick items", (ctx) => void (ctx.data.picked = 3));
      a.task("Report progress", (ctx) => void reports.push(ctx.data.picked));
    });
    const run = t.run({ initialData: { picked: 0 }, ui: scriptedUi({}) });
    await until(() => t.count("Pick items") === 1);
    await t.clock.advance(3_600_000);
    await until(() => reports.length === 1);
    await t.clock.advance(2 * 3_600_000);
    const data = await run;
    expect(reports.slice(0, 2)).toEqual([3, 3]);
    expect(data.picked).toBe(3);
  });
});
