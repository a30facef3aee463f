/*
 * Escalations go up to the boundary events of the sub-process around the
 * throw: a non-interrupting one starts a path beside the sub-process, an
 * interrupting one (here from an escalation end event) ends it.
 */
import { describe, expect, it } from "vitest";
import { noop, scenario } from "./scenario.js";

function build(failing: boolean) {
  return scenario("escalation.bpmn", (a) => {
    a.task("Test", (ctx) => void (ctx.data.failing = failing));
    noop(a, "Compile", "Report warnings", "Report failure", "Deploy");
  });
}

describe("escalation events", () => {
  it("an intermediate throw reaches the non-interrupting boundary: warnings are reported and the build goes on", async () => {
    const t = build(false);
    await t.run();
    expect(t.ran.filter((name) => name !== "Report warnings")).toEqual(["Compile", "Test", "Deploy"]);
    expect(t.count("Report warnings")).toBe(1);
    expect(t.count("Report failure")).toBe(0);
  });

  it("an escalation end event reaches the interrupting boundary: the sub-process ends there and Deploy never runs", async () => {
    const t = build(true);
    const data = await t.run();
    expect(t.count("Report failure")).toBe(1);
    expect(t.count("Report warnings")).toBe(1);
    expect(t.count("Deploy")).toBe(0);
    // the boundary goes on with the data the sub-process started with
    expect(data.failing).toBeUndefined();
  });
});
