/*
 * Event sub-processes, started by an error, a timer, an escalation (in a
 * sub-process) and by a message, a signal and a condition (in the
 * process). An interrupting one cancels the rest of its scope, which ends
 * when it does; a non-interrupting one runs beside it.
 */
import { describe, expect, it } from "vitest";
import type { Adhesive } from "adhesive-bpmn";
import { gate, noop, scenario, until } from "./scenario.js";

const OTHERS = ["Pack", "Close", "Reject", "Remind", "Apologize", "Cancel order", "Log audit", "Expedite"];

function orders(setup: (a: Adhesive) => void) {
  return scenario("event-sub-process.bpmn", (a) => {
    setup(a);
    const declared = new Set(a.registry.declarations.flatMap((d) => d.names));
    noop(a, ...OTHERS.filter((name) => !declared.has(name)));
    // a source for the cancel message that sends none: it stops when the run ends
    if (!declared.has("Cancel")) a.messageCallback("Cancel", (ctx) => new Promise((resolve) => ctx.signal.addEventListener("abort", resolve)));
  });
}

describe("event sub-processes", () => {
  it("none triggers on the plain path but the signal the process throws at its end and the condition its data meets", async () => {
    const t = orders((a) => a.task("Validate", (ctx) => void (ctx.data.urgent = true)));
    const data = await t.run();
    expect(t.ran.filter((name) => name !== "Expedite")).toEqual(["Validate", "Pack", "Close", "Log audit"]);
    // the condition became true when Validate set `urgent`: once, beside the rest
    expect(t.count("Expedite")).toBe(1);
    expect(data.urgent).toBe(true);
  });

  it("an error event sub-process catches the task's error: the sub-process ends with it, and the process goes on", async () => {
    const t = orders((a) =>
      a.task("Validate", () => {
        throw Object.assign(new Error("no address"), { code: "invalid" });
      }),
    );
    const data = await t.run();
    expect(t.ran).toEqual(["Validate", "Reject", "Close", "Log audit"]);
    expect((data._error as { message: string }).message).toBe("no address");
  });

  it("a non-interrupting timer event sub-process fires every hour while the sub-process runs", async () => {
    const validate = gate();
    const t = orders((a) => a.task("Validate", validate.body));
    const run = t.run();
    await until(() => t.count("Validate") === 1);
    await t.clock.advance(2 * 3_600_000 + 1);
    expect(t.count("Remind")).toBe(2);
    validate.release();
    await run;
    expect(t.ran.filter((name) => name !== "Remind")).toEqual(["Validate", "Pack", "Close", "Log audit"]);
    expect(t.clock.size).toBe(0);
  });

  it("a non-interrupting escalation event sub-process runs beside the path that escalated", async () => {
    const t = orders((a) => a.task("Validate", (ctx) => void (ctx.data.late = true)));
    await t.run();
    expect(t.count("Apologize")).toBe(1);
    expect(t.ran.filter((name) => name !== "Apologize")).toEqual(["Validate", "Pack", "Close", "Log audit"]);
  });

  it("an interrupting message event sub-process of the process cancels everything else, and the run ends with it", async () => {
    const validate = gate();
    let emit: ((event: unknown) => Promise<void>) | undefined;
    const t = orders((a) => {
      a.task("Validate", validate.body);
      a.messageCallback("Cancel", (_ctx, send) => {
        emit = send;
        return new Promise<void>(() => undefined);
      });
    });
    const run = t.run();
    await until(() => t.count("Validate") === 1 && emit !== undefined);
    await emit!({ reason: "changed my mind" });
    const data = await run;
    expect(t.ran).toEqual(["Validate", "Cancel order"]);
    expect(t.cancelled).toEqual(["Validate"]);
    expect(validate.signals[0].aborted).toBe(true);
    expect(data.event).toEqual({ reason: "changed my mind" });
  });
});
