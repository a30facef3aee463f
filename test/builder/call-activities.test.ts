/*
 * Call activities built in code, each scenario run twice (both-ways.ts): as
 * built, and from the exported file, which holds the calling process and
 * every process it calls, each in a pool, and opens in bpmn-js with all of
 * them drawn.
 */
import { describe, expect, it } from "vitest";
import { Adhesive, type Context } from "../../src/index.js";
import { bothWays, recorder, tasks } from "./both-ways.js";
import { expectOpensCleanly } from "./modeler.js";

/** A payment process that charges the amount the caller has, and an order process that calls it between taking and shipping the order. */
const payment = (adhesive: Adhesive) => adhesive.processStart({ id: "payment", name: "Payment" }).task("Charge").task("Send receipt").processEnd();
const orders = (adhesive: Adhesive) => adhesive.processStart({ id: "orders", name: "Orders" }).task("Take order").callActivity(payment(adhesive)).task("Ship").processEnd();

function charging() {
  const r = recorder(["Take order", "Send receipt", "Ship"]);
  r.adhesive.task("Charge", (ctx: Context) => {
    r.order.push(ctx.taskName);
    ctx.data.charged = ctx.data.amount;
  });
  return r;
}

describe("builder: call activities", () => {
  it("runs the called process with the caller's data; the caller goes on with the data it ends with", async () => {
    const { order, data } = await bothWays(orders, charging, { initialData: { amount: 30 } });

    expect(order).toEqual(["Take order", "Charge", "Send receipt", "Ship"]);
    expect(data).toEqual({ amount: 30, charged: 30, "Take order": true, "Send receipt": true, Ship: true });
  });

  it("writes every called process into the file, each in a pool of its own, and names the call after the process", async () => {
    const xml = await orders(new Adhesive()).toBpmnXml();
    const view = await expectOpensCleanly(xml);

    expect(xml).toMatch(/<bpmn:callActivity id="call_1" name="Payment" calledElement="payment">\s*<bpmn:extensionElements>\s*<camunda:in variables="all" \/>\s*<camunda:out variables="all" \/>/);
    expect(xml).toMatch(/<bpmn:process id="payment" name="Payment" isExecutable="true">/);
    expect(view.drawn.get("orders_pool")).toBe("Orders");
    expect(view.drawn.get("payment_pool")).toBe("Payment");
    expect(view.drawn.get("payment_task_1")).toBe("Charge");
  });

  it("runs a process that calls another one, and a process called twice, which the file holds once", async () => {
    const tax = (adhesive: Adhesive) => adhesive.processStart({ id: "tax", name: "Tax" }).subProcessStart({ name: "Rates" }).task("Add tax").subProcessEnd().processEnd();
    const invoice = (adhesive: Adhesive) => adhesive.processStart({ id: "invoice", name: "Invoice" }).callActivity(tax(adhesive)).task("Print").processEnd();
    const twice = (adhesive: Adhesive) => {
      const called = invoice(adhesive);
      return adhesive.processStart({ id: "month" }).callActivity(called, { name: "First invoice" }).callActivity(called, { name: "Second invoice" }).processEnd();
    };
    const { order } = await bothWays(twice, tasks("Add tax", "Print"));
    const built = twice(new Adhesive());

    expect(order).toEqual(["Add tax", "Print", "Add tax", "Print"]);
    expect(built.definition.processes!.map((called) => called.id)).toEqual(["invoice", "tax"]);
    const xml = await built.toBpmnXml();
    expect(xml.match(/<bpmn:process /g)).toHaveLength(3);
    // the called process's sub-process has a plane of its own, which bpmn-js opens with the file
    expect((await expectOpensCleanly(xml)).drawn.get("tax_subprocess_1")).toBe("Rates");
  });

  it("catches an error thrown in the called process with onError() on the call", async () => {
    const declined = (adhesive: Adhesive) =>
      adhesive.processStart({ id: "shop" }).callActivity(payment(adhesive), { name: "Pay" }).onError("CARD_DECLINED", (b) => b.task("Tell the customer")).task("Ship").processEnd();
    const { order, data } = await bothWays(declined, () => recorder(["Charge", "Send receipt", "Tell the customer", "Ship"], { Charge: "CARD_DECLINED" }));

    expect(order).toEqual(["Charge", "Tell the customer"]);
    expect(data).toMatchObject({ "Tell the customer": true, _error: { code: "CARD_DECLINED" } });
  });

  it("skips the call when its `when` is false, and runs a called process with lanes in its own lanes", async () => {
    const laned = (adhesive: Adhesive) => {
      const deploy = adhesive.processStart({ id: "deploy", name: "Deploy" }).task("Migrate", { lane: "db" }).task("Restart", { lane: "web" }).processEnd();
      return adhesive.processStart({ id: "release" }).task("Build").callActivity(deploy, { when: "data.approved === true" }).processEnd();
    };
    const setup = () => {
      const r = tasks("Build", "Migrate", "Restart")();
      r.adhesive.lane(["db", "web"], async function* (ctx) {
        yield ctx.workspace;
      });
      return r;
    };

    expect((await bothWays(laned, setup, { initialData: { approved: false } })).order).toEqual(["Build"]);
    expect((await bothWays(laned, setup, { initialData: { approved: true } })).order).toEqual(["Build", "Migrate", "Restart"]);
    const view = await expectOpensCleanly(await laned(new Adhesive()).toBpmnXml());
    expect([...view.drawn.values()]).toEqual(expect.arrayContaining(["db", "web", "Deploy"]));
  });

  it("refuses what is not a built process, a process started by message, and two processes under one id, naming the call", () => {
    const adhesive = new Adhesive();
    const start = () => adhesive.processStart({ id: "main" });

    expect(() => start().callActivity("payment" as never)).toThrow(/callActivity\(\) needs the process it calls, as processStart\(...\)...processEnd\(\) returns it/);
    expect(() => adhesive.processStart().callActivity(adhesive.processStart().task("A").processEnd())).toThrow(/the called process has the id "process", as the calling one does; give one of them another with processStart\(\{ id \}\)/);
    expect(() => start().callActivity(adhesive.processStart({ id: "paid", message: "Paid" }).task("A").processEnd())).toThrow(/process "paid" starts by message; a called process starts when it is called/);
    const one = adhesive.processStart({ id: "sub" }).task("A").processEnd();
    const other = adhesive.processStart({ id: "sub" }).task("B").processEnd();
    expect(() => start().callActivity(one).callActivity(other)).toThrow(/two different processes have the id "sub"/);
  });
});
