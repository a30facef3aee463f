/*
 * Events with several event definitions (BPMN "Multiple", §10.5): a catch
 * event, a boundary event, a process's start event and an event
 * sub-process's start event each wait for all of theirs, and whichever
 * happens first triggers them, the others being withdrawn with it (as
 * bpmn-engine's EventDefinitionExecution does). A parallel multiple event
 * (all of them), a throw event with several definitions and a multiple
 * event mixing in what is not waited for are refused when the file is read.
 */
import { describe, expect, it } from "vitest";
import { Adhesive, InvalidBpmnError, type Context } from "adhesive-bpmn";
import { fixture, gate, noop, scenario, until } from "./scenario.js";

/** A message source (bound by the event's name, as every message event is) whose messages the test sends; it ends with the run, or when `end()` is called. */
function source() {
  let send: ((event: unknown) => Promise<void>) | undefined;
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const callback = (ctx: Context, emit: (event: unknown) => Promise<void>): Promise<void> => {
    send = emit;
    ctx.signal.addEventListener("abort", () => end());
    return ended;
  };
  return { callback, end, send: (event: unknown) => send!(event), ready: () => send !== undefined };
}

describe("a catch event with a message, a timer and a condition", () => {
  function wait() {
    const payment = source();
    const t = scenario("multiple-events.bpmn", (a) => {
      a.messageCallback("Paid or an hour", payment.callback);
      noop(a, "Ship");
    });
    return { t, payment, run: (prepaid: boolean) => t.run({ process: "Process_Wait", initialData: { prepaid } }) };
  }

  it("passes on the message when it comes first, with data.event, and withdraws the timer", async () => {
    const { t, payment, run } = wait();
    const done = run(false);
    await until(() => t.clock.size === 1 && payment.ready());
    await t.clock.advance(30 * 60_000);
    expect(t.ran).toEqual([]);
    await payment.send({ amount: 42 });
    const data = await done;
    expect(t.ran).toEqual(["Ship"]);
    expect(data.event).toEqual({ amount: 42 });
    expect(t.clock.size).toBe(0);
  });

  it("passes on the timer when it comes first", async () => {
    const { t, run } = wait();
    const done = run(false);
    await until(() => t.clock.size === 1);
    await t.clock.advance(60 * 60_000 - 1);
    expect(t.ran).toEqual([]);
    await t.clock.advance(1);
    const data = await done;
    expect(t.ran).toEqual(["Ship"]);
    expect(data.event).toBeUndefined();
  });

  it("passes at once when its condition already holds", async () => {
    const { t, run } = wait();
    await run(true);
    expect(t.ran).toEqual(["Ship"]);
    expect(t.clock.size).toBe(0);
  });
});

describe("a boundary event with a timer and a signal", () => {
  it("the watchdog's signal interrupts the job before the timer is due, and the timer is withdrawn", async () => {
    const job = gate();
    const t = scenario("multiple-events.bpmn", (a) => {
      a.task("Long job", job.body);
      noop(a, "Stopped", "Watchdog");
    });
    await t.run({ process: "Process_Guard" });
    expect([...t.ran].sort()).toEqual(["Long job", "Stopped", "Watchdog"]);
    expect(t.cancelled).toEqual(["Long job"]);
    expect(t.clock.size).toBe(0);
  });

  it("the timer interrupts the job when the signal does not come first; the signal thrown later finds nothing", async () => {
    const job = gate();
    const watchdog = gate();
    const t = scenario("multiple-events.bpmn", (a) => {
      a.task("Long job", job.body);
      a.task("Watchdog", watchdog.body);
      noop(a, "Stopped");
    });
    const done = t.run({ process: "Process_Guard" });
    await until(() => t.clock.size === 1 && t.ran.length === 2);
    await t.clock.advance(10 * 60_000);
    await until(() => t.count("Stopped") === 1);
    expect(t.cancelled).toEqual(["Long job"]);
    watchdog.release();
    await done;
    expect(t.count("Stopped")).toBe(1);
  });
});

describe("a process's start event with a message, a signal and a timer", () => {
  it("starts an instance for the other pool's signal, for a message and when the timer is due", async () => {
    const order = source();
    const events: unknown[] = [];
    const t = scenario("multiple-start.bpmn", (a) => {
      a.messageCallback("Order, go or two hours", order.callback);
      a.task("Handle order", (ctx) => void events.push(ctx.data.event));
      noop(a, "Prepare");
    });
    const done = t.run();
    await until(() => t.count("Handle order") === 1 && order.ready());
    expect(t.ran).toEqual(["Prepare", "Handle order"]);
    await order.send({ id: 7 });
    await until(() => t.count("Handle order") === 2);
    await t.clock.advance(2 * 3_600_000);
    await until(() => t.count("Handle order") === 3);
    order.end();
    await done;
    expect(events).toEqual([undefined, { id: 7 }, undefined]);
    expect(t.count("Prepare")).toBe(1);
  });
});

describe("an event sub-process's start event with a message and a condition", () => {
  function review() {
    const read = gate();
    const question = source();
    const t = scenario("multiple-events.bpmn", (a) => {
      a.task("Read", read.body);
      a.messageCallback("Question or urgent", question.callback);
      noop(a, "Answer");
    });
    return { t, read, question };
  }

  it("starts it for a condition that holds as the sub-process starts, and again for each question", async () => {
    const { t, read, question } = review();
    const done = t.run({ process: "Process_Review", initialData: { urgent: true } });
    await until(() => t.count("Answer") === 1 && question.ready());
    await question.send({ text: "why?" });
    await until(() => t.count("Answer") === 2);
    read.release();
    await done;
    expect(t.count("Answer")).toBe(2);
    expect(t.count("Read")).toBe(1);
  });

  it("without the condition, only for the question", async () => {
    const { t, read, question } = review();
    const done = t.run({ process: "Process_Review", initialData: { urgent: false } });
    await until(() => t.count("Read") === 1 && question.ready());
    expect(t.count("Answer")).toBe(0);
    await question.send({ text: "why?" });
    await until(() => t.count("Answer") === 1);
    read.release();
    await done;
    expect(t.count("Answer")).toBe(1);
  });
});

describe("multiple events adhesive does not run", () => {
  it("are refused when the file is read, each named with why", async () => {
    const error = await new Adhesive().bpmnBuild(fixture("multiple-refused.bpmn")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidBpmnError);
    const problems = Object.fromEntries((error as InvalidBpmnError).problems.map((p) => [p.elementId, p.message]));
    expect(problems.Catch_Both).toBe(
      'intermediateCatchEvent "Paid and go" with messageEventDefinition, signalEventDefinition is parallel multiple (parallelMultiple="true"): waiting for all of its events is not supported; catch each with its own event after a parallel gateway',
    );
    expect(problems.Throw_Both).toContain("a throw or end event that throws several event definitions is not supported");
    expect(problems.Boundary_Mixed).toContain("a multiple event combines message, timer, signal and conditional definitions; errorEventDefinition is not one of them");
    expect(problems.Catch_Twice).toContain("a multiple event takes one definition of each kind, this one has several timer definitions");
  });
});
