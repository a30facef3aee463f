/* A terminate end event ends its scope instance: the rest of it is cancelled, the scope around goes on. */
import { describe, expect, it } from "vitest";
import { gate, noop, scenario } from "./scenario.js";

describe("terminate end events", () => {
  it("in a sub-process: cancel the slow branch; the process goes on after the sub-process", async () => {
    const slow = gate();
    const watch = gate();
    const t = scenario("terminate.bpmn", (a) => {
      a.task("Fast", (ctx) => void (ctx.data.fast = true));
      a.task("Slow", slow.body);
      a.task("Watch", watch.body);
      noop(a, "After slow", "Report");
    });
    const data = await t.run();
    // the branches of each fork start together
    expect(t.ran.slice(0, 2).sort()).toEqual(["Fast", "Slow"]);
    expect(t.ran.slice(2).sort()).toEqual(["Report", "Watch"]);
    // the sub-process's terminate stops Slow; the process's own stops Watch, which was started beside Report
    expect(t.cancelled).toEqual(["Slow", "Watch"]);
    expect(slow.signals[0].aborted).toBe(true);
    expect(watch.signals[0].aborted).toBe(true);
    expect(t.count("After slow")).toBe(0);
    expect(data.fast).toBe(true);
  });
});
