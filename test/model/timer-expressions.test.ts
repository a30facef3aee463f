/*
 * Timers whose value is an expression, evaluated on the token's data when
 * the timer is armed: Camunda 7's ${...}, Camunda 8's FEEL (duration(),
 * date and time()), adhesive's JavaScript; and Camunda 7's Quartz cron.
 * Time is the scenario's SimulatedClock.
 */
import { describe, expect, it } from "vitest";
import { ExpressionError, TaskError } from "adhesive-bpmn";
import { gate, scenario, until } from "../engine/elements/scenario.js";

const camunda = (file: string) => `../camunda/${file}`;
const HOUR = 3_600_000;

describe("timers whose value is an expression", () => {
  it("Camunda 7: ${paymentTerm} is the duration; a Quartz cycle 0/5 0/1 * 1/1 * ? fires every five seconds; 0 0 9 ? * 2 waits for Monday at nine", async () => {
    const chase = gate();
    const at: Record<string, number> = {};
    const t = scenario(camunda("c7-timers.bpmn"), (a) => {
      a.task({ type: "chase" }, chase.body);
      a.task({ type: "log" }, () => undefined);
      a.task({ type: "close" }, () => void (at.closed = t.clock.now()));
    });
    const start = t.clock.now();
    const run = t.run({ initialData: { paymentTerm: "PT2H" } });
    await until(() => t.clock.size === 1);
    await t.clock.advance(2 * HOUR - 1);
    expect(t.ran).toEqual([]);
    await t.clock.advance(1);
    await until(() => t.count("Chase payment") === 1);
    await t.clock.advance(11_000);
    expect(t.count("Log reminder")).toBe(2);
    chase.release();
    await until(() => t.clock.size === 1);
    await t.clock.advance(7 * 24 * HOUR);
    await run;
    // Quartz counts Sunday as 1: 2 is Monday, the 5th of January 2026 (the clock starts on Thursday the 1st)
    expect(new Date(at.closed)).toEqual(new Date(2026, 0, 5, 9));
    expect(start).toBe(Date.UTC(2026, 0, 1));
  });

  it("Camunda 8: =duration(\"PT\" + string(graceHours) + \"H\") and =date and time(dueDate)", async () => {
    const at: Record<string, number> = {};
    const t = scenario(camunda("c8-timers.bpmn"), (a) => {
      a.task({ type: "remind" }, () => void (at.reminded = t.clock.now()));
      a.task({ type: "escalate" }, () => void (at.escalated = t.clock.now()));
    });
    const run = t.run({ initialData: { graceHours: 3, dueDate: "2026-01-02T12:00:00Z" } });
    await until(() => t.clock.size === 1);
    await t.clock.advance(2 * 24 * HOUR);
    await run;
    expect(at).toEqual({ reminded: Date.UTC(2026, 0, 1, 3), escalated: Date.UTC(2026, 0, 2, 12) });
  });

  it("a JavaScript value: `PT${attempt * 10}M` on the token's data", async () => {
    const t = scenario(camunda("timer-javascript.bpmn"), (a) => a.task("Retry", () => undefined));
    const run = t.run({ initialData: { attempt: 2 } });
    await until(() => t.clock.size === 1);
    await t.clock.advance(20 * 60_000 - 1);
    expect(t.ran).toEqual([]);
    await t.clock.advance(1);
    await run;
    expect(t.ran).toEqual(["Retry"]);
  });

  it("a value that is no duration fails the catch event that armed it, naming the timer and its expression", async () => {
    const t = scenario(camunda("c8-timers.bpmn"), (a) => {
      a.task({ type: "remind" }, () => undefined);
      a.task({ type: "escalate" }, () => undefined);
    });
    const error = await t.run({ initialData: { graceHours: "a few", dueDate: "2026-01-02T12:00:00Z" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).elementId).toBe("Timer_Grace");
    const cause = (error as TaskError).cause;
    expect(cause).toBeInstanceOf(ExpressionError);
    expect((cause as ExpressionError).elementId).toBe("Timer_Grace");
    expect((cause as Error).message).toContain('=duration("PT" + string(graceHours) + "H")');
  });
});

/*
 * A timer's expression that fails is an error of the element that armed
 * the timer, as Camunda raises an incident on it: the activity of a timer
 * boundary event (a catch-all error boundary on it catches that, as any
 * failure of the activity), the sub-process holding an event sub-process's
 * timer start event, the catch event. Never an exception out of the run.
 */
describe("timers whose expression fails", () => {
  const failures = (data: Record<string, unknown>) => {
    const t = scenario(camunda("timer-failures.bpmn"), (a) => {
      a.task(["Collect payment", "Send reminder", "Tell the admin", "Ship goods", "Apologize", "Fix shipping"], () => undefined);
    });
    return { t, run: () => t.run({ initialData: { reminderIn: "PT1H", shipWithin: "PT1H", closeAfter: "PT1M", ...data } }) };
  };

  it("a timer boundary's value fails the activity before it starts: its catch-all error boundary takes over, data._error names the timer and its expression", async () => {
    const { t, run } = failures({ reminderIn: "soon" });
    const data = await run();
    expect(t.ran).toEqual(["Tell the admin"]);
    expect(data._error).toMatchObject({ elementId: "Task_Collect", task: "Collect payment", code: "ADHESIVE_EXPRESSION" });
    expect((data._error as { message: string }).message).toBe(
      'expression `${reminderIn}` on Timer_Remind failed: its value "soon" is no timer duration: "soon" is not an ISO 8601 duration such as PT30S, PT5M or P1DT2H',
    );
  });

  it("an event sub-process's timer start event fails the sub-process that holds it, whose error boundary catches it", async () => {
    const { t, run } = failures({ shipWithin: "later" });
    const data = await run();
    expect(t.ran).toEqual(["Collect payment", "Fix shipping"]);
    expect(data._error).toMatchObject({ elementId: "Sub_Ship", task: "Ship" });
    expect((data._error as { message: string }).message).toContain("expression `${shipWithin}` on Timer_Late failed");
  });

  it("a catch event's value fails the run with a TaskError naming the catch event", async () => {
    const { t, run } = failures({ closeAfter: "never" });
    const error = await run().catch((e: unknown) => e);
    expect(t.ran).toEqual(["Collect payment", "Ship goods"]);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as Error).message).toBe(
      'task "Close after" (Timer_Close) failed: expression `${closeAfter}` on Timer_Close failed: its value "never" is no timer duration: "never" is not an ISO 8601 duration such as PT30S, PT5M or P1DT2H',
    );
  });
});
