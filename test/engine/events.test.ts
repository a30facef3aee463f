/*
 * Timers and messages: boundary events (interrupting or not), catch events
 * and event-based gateways. Time is a SimulatedClock, so nothing waits.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, BpmnError, SimulatedClock, type Context, type Data, type RunOptions } from "../../src/index.js";
import { until as waitUntil } from "../waiting.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/engine/events/${name}`, import.meta.url));

/** A task body that runs until `release()` is called or its token is cancelled. */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  const signals: AbortSignal[] = [];
  const body = (ctx: Context) => {
    signals.push(ctx.signal);
    return new Promise<void>((resolve) => {
      void opened.then(resolve);
      ctx.signal.addEventListener("abort", () => resolve());
    });
  };
  return { body, release, signals };
}

/** Waits (bounded) for the run to reach a state; file reading and setup come first. */
const until = (condition: () => boolean) => waitUntil(condition, condition.toString());

function scenario(file: string, setup: (adhesive: Adhesive) => void) {
  const adhesive = new Adhesive();
  const ran: string[] = [];
  const cancelled: string[] = [];
  const events: unknown[] = [];
  const reporter: RunOptions["reporter"] = {
    taskStarted: (ctx) => void ran.push(ctx.taskName),
    taskCancelled: (ctx) => void cancelled.push(ctx.taskName),
  };
  const record = (ctx: Context) => void events.push(ctx.data.event);
  setup(adhesive);
  for (const name of ["On Timer", "Normal Path", "Roll Back", "Deployed", "After Wait", "Cancel Order", "Ship Order", "Cancelled", "Note Comment", "Approved", "Place Order"]) {
    if (!adhesive.registry.declarations.some((d) => d.names.includes(name))) adhesive.task(name, record);
  }
  const clock = new SimulatedClock();
  // a task waiting for its boundary event holds a pool slot: leave room for the paths the events start,
  // however few CPUs the default pool size counts (taskset)
  const start = (options: RunOptions = {}) => adhesive.bpmnBuild(fixture(file), { clock, reporter, poolSize: 4, ...options });
  /* the run reads its file before it arms anything: wait for the first timer before moving time */
  const armed = (on: SimulatedClock = clock) => until(() => on.size > 0);
  const count = (name: string) => ran.filter((n) => n === name).length;
  return { clock, ran, cancelled, events, start, count, armed };
}

describe("timer boundary events", () => {
  it("an interrupting duration timer cancels the task when it is due, and only then", async () => {
    const long = gate();
    const t = scenario("timeout.bpmn", (a) => a.task("Long Task", long.body));
    const run = t.start();
    await t.armed();
    await t.clock.advance(29_999);
    expect(t.count("On Timer")).toBe(0);
    await t.clock.advance(1);
    await run;
    expect(long.signals[0].aborted).toBe(true);
    expect(t.cancelled).toEqual(["Long Task"]);
    expect(t.count("On Timer")).toBe(1);
    expect(t.count("Normal Path")).toBe(0);
  });

  it("is withdrawn when the task finishes first", async () => {
    const long = gate();
    const t = scenario("timeout.bpmn", (a) => a.task("Long Task", long.body));
    const run = t.start();
    await t.armed();
    await t.clock.advance(10_000);
    long.release();
    await run;
    expect(t.clock.size).toBe(0);
    await t.clock.advance(60_000);
    expect(t.ran).toEqual(["Long Task", "Normal Path"]);
  });

  it("a non-interrupting R3/PT10S cycle forks a token three times while the task goes on", async () => {
    const long = gate();
    const t = scenario("reminders.bpmn", (a) => a.task("Long Task", long.body));
    const run = t.start();
    await t.armed();
    await t.clock.advance(45_000);
    expect(t.count("On Timer")).toBe(3);
    expect(long.signals[0].aborted).toBe(false);
    long.release();
    await run;
    expect(t.count("Normal Path")).toBe(1);
  });

  it("an endless R/PT1S cycle fires every second until the task ends", async () => {
    const long = gate();
    const t = scenario("heartbeat.bpmn", (a) => a.task("Long Task", long.body));
    const run = t.start();
    await t.armed();
    await t.clock.advance(5_000);
    long.release();
    await run;
    expect(t.count("On Timer")).toBe(5);
    expect(t.clock.size).toBe(0);
  });

  it("a cron cycle fires at the cron times", async () => {
    const long = gate();
    const t = scenario("cron.bpmn", (a) => a.task("Long Task", long.body));
    const run = t.start();
    await t.armed();
    await t.clock.advance(31 * 60_000); // the clock starts at 00:00: fires at 00:15 and 00:30
    long.release();
    await run;
    expect(t.count("On Timer")).toBe(2);
  });

  it("a date timer fires at the date, or at once when the date has passed", async () => {
    const long = gate();
    const t = scenario("deadline.bpmn", (a) => a.task("Long Task", long.body));
    const run = t.start();
    await t.armed();
    await t.clock.advance(4 * 60_000);
    expect(t.count("On Timer")).toBe(0);
    await t.clock.advance(60_000);
    await run;
    expect(t.count("On Timer")).toBe(1);

    const late = gate();
    const after = scenario("deadline.bpmn", (a) => a.task("Long Task", late.body));
    const clock = new SimulatedClock(Date.UTC(2026, 0, 2));
    const lateRun = after.start({ clock });
    await after.armed(clock);
    await clock.advance(0);
    await lateRun;
    expect(after.count("On Timer")).toBe(1);
  });

  it("on a sub-process, cancels every task inside it", async () => {
    const upload = gate();
    const migrate = gate();
    const t = scenario("subprocess-timeout.bpmn", (a) => a.task("Upload", upload.body).task("Migrate", migrate.body));
    const run = t.start({ initialData: { release: "1.2" } });
    await t.armed();
    await t.clock.advance(60_000);
    await run;
    expect(upload.signals[0].aborted && migrate.signals[0].aborted).toBe(true);
    expect(t.cancelled.sort()).toEqual(["Migrate", "Upload"]);
    expect(t.count("Roll Back")).toBe(1);
    expect(t.count("Deployed")).toBe(0);
  });

  it("rejects a timer value it cannot read, naming the element", async () => {
    const adhesive = new Adhesive().task(["Long Task", "On Timer", "Normal Path"], () => undefined);
    const error = await adhesive.bpmnBuild(fixture("bad-timer.bpmn")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpmnError);
    expect((error as BpmnError).problems).toEqual([
      { elementId: "timer", message: 'timer duration "soon" is not an ISO 8601 duration such as PT30S, PT5M or P1DT2H' },
    ]);
  });
});

/** A user interface whose answers the test gives, one form at a time, whenever it likes. */
function heldAnswers() {
  const open: Array<(answers: Record<string, unknown>) => void> = [];
  const ui: RunOptions["ui"] = { ask: () => new Promise((resolve) => open.push(resolve)) };
  return { ui, open, answer: (answers: Record<string, unknown>) => open.shift()!(answers) };
}

describe("non-interrupting boundary paths are not held by joins they cannot be part of", () => {
  it("reminders of an approval that joins two branches are sent when due, while it waits", async () => {
    const forms = heldAnswers();
    const t = scenario("reminders-after-join.bpmn", (a) => {
      a.task(["Run Tests", "Lint", "Send Reminder", "Release"], () => undefined);
      a.usertask("Approve", (_ctx, ui) => ui.addInputText("ok"));
    });
    const run = t.start({ ui: forms.ui });
    await until(() => forms.open.length === 1);
    for (const due of [1, 2, 3]) {
      await t.clock.advance(5_000);
      expect(t.count("Send Reminder")).toBe(due);
    }
    expect(t.count("Release")).toBe(0);
    forms.answer({ ok: "yes" });
    await run;
    expect(t.count("Send Reminder")).toBe(3);
    expect(t.count("Release")).toBe(1);
  });

  it("reminders of an approval inside a loop drawn with gateways are sent when due, in every round", async () => {
    const forms = heldAnswers();
    const t = scenario("reminders-in-loop.bpmn", (a) => {
      a.task(["Prepare", "Send Reminder"], () => undefined);
      a.usertask("Approve", (_ctx, ui) => ui.addInputText("ok"));
    });
    const run = t.start({ ui: forms.ui });
    await until(() => forms.open.length === 1);
    await t.clock.advance(5_000);
    expect(t.count("Send Reminder")).toBe(1);
    await t.clock.advance(5_000);
    expect(t.count("Send Reminder")).toBe(2);
    forms.answer({ ok: false });
    await until(() => forms.open.length === 1);
    expect(t.count("Prepare")).toBe(2);
    await t.clock.advance(5_000);
    expect(t.count("Send Reminder")).toBe(3);
    forms.answer({ ok: true });
    await run;
    expect(t.count("Send Reminder")).toBe(3);
  });
});

describe("catch events and event-based gateways", () => {
  it("a timer catch event holds the token until it is due", async () => {
    const t = scenario("wait.bpmn", () => undefined);
    const run = t.start();
    await t.armed();
    await t.clock.advance(59 * 60_000);
    expect(t.ran).toEqual([]);
    await t.clock.advance(60_000);
    await run;
    expect(t.ran).toEqual(["After Wait"]);
  });

  it("takes the message when it comes first, with data.event, and withdraws the timer", async () => {
    let emit: (event: unknown) => void = () => undefined;
    const t = scenario("event-gateway.bpmn", (a) => a.messageCallback("Payment Received", (_ctx, e) => void (emit = e)));
    const run = t.start();
    await t.armed();
    await t.clock.advance(60_000);
    emit({ amount: 42 });
    const data: Data = await run;
    expect(t.ran).toEqual(["Place Order", "Ship Order"]);
    expect(t.events).toEqual([undefined, { amount: 42 }]);
    expect(data.event).toEqual({ amount: 42 });
    expect(t.clock.size).toBe(0);
  });

  it("takes the timer when it comes first and ignores the late message", async () => {
    let emit: (event: unknown) => void = () => undefined;
    const t = scenario("event-gateway.bpmn", (a) => a.messageCallback("Payment Received", (_ctx, e) => void (emit = e)));
    const run = t.start();
    await t.armed();
    await t.clock.advance(5 * 60_000);
    await run;
    emit({ amount: 1 });
    expect(t.ran).toEqual(["Place Order", "Cancel Order"]);
  });
});

describe("message boundary events", () => {
  it("a non-interrupting one forks per message; an interrupting one cancels the task, each with data.event", async () => {
    const approval = gate();
    const emitters: Record<string, (event: unknown) => void> = {};
    const t = scenario("message-boundary.bpmn", (a) => {
      a.task("Wait For Approval", approval.body);
      a.messageCallback("Cancel Request", (_ctx, emit) => void (emitters.cancel = emit));
      a.messageCallback("Comment", (_ctx, emit) => void (emitters.comment = emit));
    });
    const run = t.start();
    await until(() => approval.signals.length > 0);
    emitters.comment("first");
    emitters.comment("second");
    await until(() => t.count("Note Comment") === 2);
    expect(approval.signals[0].aborted).toBe(false);
    emitters.cancel({ by: "ana" });
    await run;
    expect(approval.signals[0].aborted).toBe(true);
    expect(t.count("Approved")).toBe(0);
    expect(t.events).toEqual(["first", "second", { by: "ana" }]);
  });

  it("needs a message source for every message event, reported before the run", async () => {
    const adhesive = new Adhesive().task(["Wait For Approval", "Cancelled", "Note Comment", "Approved"], () => undefined);
    const error = await adhesive.bpmnBuild(fixture("message-boundary.bpmn")).catch((e: unknown) => e);
    expect((error as Error).message).toContain('message event "Cancel Request" (cancelRequest): no implementation matches; add message("Cancel Request"');
    expect((error as Error).message).toContain('message event "Comment" (comment)');
  });
});
