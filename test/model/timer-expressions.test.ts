/*
 * Timers whose value is an expression, evaluated on the token's data when
 * the timer is armed: Camunda 7's ${...}, Camunda 8's FEEL (duration(),
 * date and time()), adhesive's JavaScript; and Camunda 7's Quartz cron.
 * Time is the scenario's SimulatedClock.
 */
import { describe, expect, it } from "vitest";
import { ExpressionError } from "adhesive-bpmn";
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

  it("a value that is no duration fails the run naming the timer and its expression", async () => {
    const t = scenario(camunda("c8-timers.bpmn"), (a) => {
      a.task({ type: "remind" }, () => undefined);
      a.task({ type: "escalate" }, () => undefined);
    });
    const error = await t.run({ initialData: { graceHours: "a few", dueDate: "2026-01-02T12:00:00Z" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).elementId).toBe("Timer_Grace");
    expect((error as Error).message).toContain('=duration("PT" + string(graceHours) + "H")');
  });
});
