/*
 * Signals are broadcast to the whole run: a signal thrown in one pool
 * moves the tokens waiting at signal catch events, interrupts tasks with a
 * signal boundary event, and starts an instance of a process with a signal
 * start event, in every pool.
 */
import { describe, expect, it } from "vitest";
import { gate, noop, scenario } from "./scenario.js";

describe("signal events", () => {
  it("one throw reaches the catch event, the boundary event and the start event of the other pools", async () => {
    const idle = gate();
    const t = scenario("signals.bpmn", (a) => {
      a.task("Idle", idle.body);
      noop(a, "Prepare", "After go", "Work on go", "Stop idling", "After idle", "Started by go");
    });
    await t.run();
    expect(t.ran.slice(0, 2).sort()).toEqual(["Idle", "Prepare"]);
    expect(t.ran.slice(2).sort()).toEqual(["After go", "Started by go", "Stop idling", "Work on go"]);
    expect(t.cancelled).toEqual(["Idle"]);
    expect(t.count("After idle")).toBe(0);
  });

  it("a signal start event alone does not start its process: nothing threw the signal before the run ended", async () => {
    const t = scenario("signals.bpmn", (a) => noop(a, "Prepare", "After go", "Work on go", "Idle", "Stop idling", "After idle", "Started by go"));
    await t.run({ process: "Process_Late" });
    expect(t.ran).toEqual([]);
  });
});
