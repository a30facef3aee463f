/*
 * A signal reaches every signal catch armed in the same step as its throw,
 * whatever the order of the elements in the file: a parallel split whose
 * first branch throws "Go" at once still reaches the catch event, the
 * boundary event, the event-based gateway and the event sub-process the
 * other branches arm in that step. A catch armed after the throw (the
 * thrower's own path) does not get it.
 */
import { describe, expect, it } from "vitest";
import { gate, noop, scenario, until } from "./scenario.js";

const ALL = ["Caught its own signal", "Did not catch its own signal", "Caught by the catch event", "Work done", "Interrupted by the signal", "Caught after the gateway", "Timed out", "Heard in the sub-process"];

describe("a signal thrown in the same step as its catches are armed", () => {
  it("reaches the catch event, the boundary event, the event-based gateway and the event sub-process of the other branches, not the thrower's own later catch", async () => {
    const watch = gate();
    const t = scenario("signal-same-step.bpmn", (a) => {
      a.task(["Long work", "Watch work"], watch.body);
      noop(a, ...ALL);
    });
    const run = t.run();
    await until(() => t.count("Heard in the sub-process") === 1 && t.count("Watch work") === 1);
    expect(t.ran.filter((name) => name !== "Watch work").sort()).toEqual(["Caught after the gateway", "Caught by the catch event", "Heard in the sub-process", "Interrupted by the signal"]);
    // the thrower's path waits a minute: its own catch was armed after the throw
    await t.clock.advance(60_000);
    watch.release();
    await run;
    expect(t.count("Did not catch its own signal")).toBe(1);
    expect(t.ran).not.toContain("Caught its own signal");
    expect(t.ran).not.toContain("Long work");
    expect(t.cancelled).toEqual([]);
    expect(t.ran).not.toContain("Timed out");
  });
});
