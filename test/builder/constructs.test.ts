/*
 * Every construct of the builder, each as a scenario run twice (both-ways.ts):
 * as built, and from its exported file, to the same tasks in the same order
 * and the same data; the file opens cleanly in bpmn-js. Call activities are
 * in call-activities.test.ts.
 */
import { describe, expect, it } from "vitest";
import { Adhesive, SimulatedClock, scriptedUi } from "../../src/index.js";
import { bounded, until } from "../waiting.js";
import { bothWays, minutes, recorder, tasks, waiting } from "./both-ways.js";
import { openInModeler } from "./modeler.js";


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

  it("shows each condition in the modeler, on the flow it guards", async () => {
    const xml = await notify(new Adhesive()).toBpmnXml();
    const view = await openInModeler(xml);

    expect(xml).toMatch(/<bpmn:sequenceFlow id="flow_\d+" name="email" sourceRef="inclusive_1" targetRef="task_1">\s*<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">email<\/bpmn:conditionExpression>/);
    expect(xml).toMatch(/<bpmn:sequenceFlow id="flow_\d+" name="sms" sourceRef="inclusive_1" targetRef="task_2">\s*<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">sms<\/bpmn:conditionExpression>/);
    expect([...view.drawn.values()]).toEqual(expect.arrayContaining(["Channels", "email", "sms"]));
  });
});

describe("builder: user tasks", () => {
  it("asks the user task's form and goes on with the answer", async () => {
    const approval = (adhesive: Adhesive) => adhesive.processStart().task("Build").usertask("Approve?").task("Deploy", { when: "data.approver === 'alice'" }).processEnd();
    const setup = () => {
      const r = tasks("Build", "Deploy")();
      r.adhesive.usertask("Approve?", (_ctx, ui) => ui.addInputText("approver", { title: "Who approves?" }));
      return r;
    };
    const { order, data } = await bothWays(approval, setup, () => ({ ui: scriptedUi({ approver: "alice" }) }));

    expect(order).toEqual(["Build", "Deploy"]);
    expect(data).toEqual({ Build: true, approver: "alice", Deploy: true });
    expect(await approval(new Adhesive()).toBpmnXml()).toMatch(/<bpmn:userTask id="userTask_1" name="Approve\?">/);
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

describe("builder: boundary events", () => {
  const charge = (adhesive: Adhesive) =>
    adhesive
      .processStart()
      .task("Charge")
      .onError("CARD_DECLINED", (b) => b.task("Notify"))
      .task("Ship")
      .processEnd();

  it("runs the error path when the task fails with the caught code, and skips the rest", async () => {
    const { order: ran, data } = await bothWays(charge, () => recorder(["Charge", "Notify", "Ship"], { Charge: "CARD_DECLINED" }));

    expect(ran).toEqual(["Charge", "Notify"]);
    expect(data).toMatchObject({ Notify: true, _error: { code: "CARD_DECLINED", task: "Charge" } });
    expect(data).not.toHaveProperty("Ship");
  });

  it("goes on as usual when the task succeeds", async () => {
    expect((await bothWays(charge, tasks("Charge", "Notify", "Ship"))).order).toEqual(["Charge", "Ship"]);
  });

  it("catches every error with onError() without a code, on a sub-process too", async () => {
    const any = (adhesive: Adhesive) =>
      adhesive.processStart().subProcessStart({ name: "Payment" }).task("Charge").subProcessEnd().onError((b) => b.task("Refund")).task("Ship").processEnd();
    expect((await bothWays(any, () => recorder(["Charge", "Refund", "Ship"], { Charge: "ANYTHING" }))).order).toEqual(["Charge", "Refund"]);
  });

  it("cancels a task whose timer fires and runs the timer's path", async () => {
    const approval = (adhesive: Adhesive) =>
      adhesive.processStart().task("Wait for approval").onTimer("PT5M", (b) => b.task("Escalate")).task("Deploy").processEnd();
    const setup = () => {
      const r = recorder(["Escalate", "Deploy"]);
      waiting(r.adhesive, "Wait for approval", r.order);
      return r;
    };
    const { order: ran } = await bothWays(approval, setup, () => ({ clock: new SimulatedClock() }), async (start, order, options) => {
      const running = start();
      await until(() => order.includes("Wait for approval"), "the task to start");
      await (options.clock as SimulatedClock).advance(minutes(4));
      expect(order).toEqual(["Wait for approval"]);
      await (options.clock as SimulatedClock).advance(minutes(1));
      return bounded(running, "the run after the timer");
    });

    expect(ran).toEqual(["Wait for approval", "Escalate"]);
  });

  it("runs a non-interrupting timer's path while the task goes on", async () => {
    const reminder = (adhesive: Adhesive) =>
      adhesive.processStart().task("Review").onTimer("PT1H", (b) => b.task("Remind"), { interrupting: false }).task("Merge").processEnd();
    let review = { release: () => undefined as void };
    const setup = () => {
      const r = recorder(["Remind", "Merge"]);
      review = waiting(r.adhesive, "Review", r.order);
      return r;
    };
    const { order: ran } = await bothWays(reminder, setup, () => ({ clock: new SimulatedClock() }), async (start, order, options) => {
      const running = start();
      await until(() => order.includes("Review"), "the review to start");
      await (options.clock as SimulatedClock).advance(minutes(60));
      await until(() => order.includes("Remind"), "the reminder");
      review.release();
      return bounded(running, "the run after the review");
    });

    expect(ran).toEqual(["Review", "Remind", "Merge"]);
  });

  it("cancels a task when its message arrives and runs the message's path with the message's data", async () => {
    const order = (adhesive: Adhesive) => adhesive.processStart().task("Pack").onMessage("Cancel order", (b) => b.task("Refund")).task("Ship").processEnd();
    const setup = () => {
      const r = recorder(["Refund", "Ship"]);
      waiting(r.adhesive, "Pack", r.order);
      r.adhesive.message("Cancel order", async function* () {
        await until(() => r.order.includes("Pack"), "the packing to start");
        yield { reason: "changed my mind" };
      });
      return r;
    };
    const { order: ran, data } = await bothWays(order, setup);

    expect(ran).toEqual(["Pack", "Refund"]);
    expect(data).toMatchObject({ reason: "changed my mind", Refund: true });
  });

  it("refuses a boundary event that follows no task, naming the call", () => {
    expect(() => new Adhesive().processStart().onError("X")).toThrow(/onError\("X"\) must follow a task\(\), usertask\(\), callActivity\(\) or subProcessEnd\(\)/);
    expect(() => new Adhesive().processStart().exclusive((g) => g.when("a")).onTimer("PT1M")).toThrow(/onTimer\("PT1M"\) must follow/);
  });
});

describe("builder: start events", () => {
  it("starts an instance per event of the message() source a message start names, with the event's data", async () => {
    const orders = (adhesive: Adhesive) => adhesive.processStart({ message: "Order placed" }).task("Confirm {id}").processEnd();
    const setup = () => {
      const adhesive = new Adhesive();
      const order: string[] = [];
      adhesive.task("Confirm {id}", (ctx) => void order.push(ctx.taskName));
      adhesive.message("Order placed", function* () {
        yield { id: "A" };
        yield { id: "B" };
      });
      return { adhesive, order };
    };
    const { order: ran } = await bothWays(orders, setup);

    expect(ran.sort()).toEqual(["Confirm A", "Confirm B"]);
    expect((await orders(new Adhesive()).toBpmnXml())).toMatch(/<bpmn:startEvent id="start" name="Order placed">[\s\S]*?<bpmn:messageEventDefinition/);
  });

  it("starts the process when a timer start's duration has passed", async () => {
    const nightly = (adhesive: Adhesive) => adhesive.processStart({ timer: "PT5M" }).task("Clean up").processEnd();
    const { order: ran } = await bothWays(nightly, tasks("Clean up"), () => ({ clock: new SimulatedClock() }), async (start, order, options) => {
      const clock = options.clock as SimulatedClock;
      const running = start();
      await until(() => clock.size > 0, "the start timer to be set");
      await clock.advance(minutes(4));
      expect(order).toEqual([]);
      await clock.advance(minutes(1));
      return bounded(running, "the run after the start timer");
    });

    expect(ran).toEqual(["Clean up"]);
  });

  it("refuses a process started both by message and by timer, and unknown options", () => {
    expect(() => new Adhesive().processStart({ message: "A", timer: "PT1M" })).toThrow(/by message or by timer, not both/);
    expect(() => new Adhesive().processStart({ nmae: "x" } as never)).toThrow(/unknown option nmae/);
    expect(() => new Adhesive().processStart({ id: "has space" })).toThrow(/not a valid XML id/);
  });
});

describe("builder: event-based gateways", () => {
  const payment = (adhesive: Adhesive) =>
    adhesive
      .processStart()
      .task("Book")
      .eventBased("Paid in time?", (g) => g.message("Paid", (b) => b.task("Ship")).timer("P7D", (b) => b.task("Cancel")))
      .task("Close")
      .processEnd();

  function setup(pays: boolean) {
    const r = recorder(["Book", "Ship", "Cancel", "Close"]);
    r.adhesive.message("Paid", async function* (ctx) {
      await until(() => r.order.includes("Book"), "the booking");
      if (pays) yield { amount: 10 };
      else await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    });
    return r;
  }

  it("takes the message's path when the message comes first", async () => {
    const { order: ran, data } = await bothWays(payment, () => setup(true), () => ({ clock: new SimulatedClock() }));

    expect(ran).toEqual(["Book", "Ship", "Close"]);
    expect(data).toMatchObject({ amount: 10, Ship: true, Close: true });
  });

  it("takes the timer's path when the timer fires first", async () => {
    const { order: ran } = await bothWays(payment, () => setup(false), () => ({ clock: new SimulatedClock() }), async (start, order, options) => {
      const clock = options.clock as SimulatedClock;
      const running = start();
      await until(() => order.includes("Book") && clock.size > 0, "the gateway's timer to be set");
      await clock.advance(minutes(7 * 24 * 60));
      return bounded(running, "the run after the timer");
    });

    expect(ran).toEqual(["Book", "Cancel", "Close"]);
  });
});

describe("builder: usage errors of gateways and paths", () => {
  const start = () => new Adhesive().processStart();

  it("refuses a gateway without a when() path, a second otherwise(), and a path that is not a function", () => {
    expect(() => start().exclusive((g) => g.otherwise())).toThrow(/exclusive\(\): a gateway needs at least one when\(condition, \.\.\.\) path/);
    expect(() => start().inclusive("Who?", (g) => g.when("a").otherwise().otherwise())).toThrow(/inclusive\("Who\?"\): otherwise\(\) given twice/);
    expect(() => start().exclusive((g) => g.when("a", "Review" as never))).toThrow(/a path is a function/);
    expect(() => start().eventBased((g) => g.message("Paid"))).toThrow(/at least two events, got 1/);
  });

  it("refuses a path that leaves a branch open or ends the process", () => {
    expect(() => start().exclusive((g) => g.when("a", (b) => b.branchStart().task("A")))).toThrow(/the path leaves branchStart\(\) open; close it with branchEnd\(\) inside the path/);
    expect(() => start().task("A").onError((b) => b.processEnd())).toThrow(/processEnd\(\) inside a path function/);
    expect(() => start().exclusive((g) => g.when("a", (b) => b.branchEnd()))).toThrow(/branchEnd\(\) without a matching branchStart\(\)/);
  });
});
