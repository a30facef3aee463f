/*
 * A parallel gateway with one incoming flow is activated by each token
 * that comes down it (BPMN §13.4.1: one token per incoming flow), so a
 * token does not wait there for a later one on the same flow; bpmn-engine
 * splits each too. Tasks keep adhesive's implicit join (SPEC, "Implicit
 * join"): with waitTasks, the default, the tasks after the split merge the
 * two tokens instead.
 */
import { describe, expect, it } from "vitest";
import { gate, noop, scenario, until } from "./scenario.js";

function deploy() {
  const deploying = gate();
  const t = scenario("split-in-series.bpmn", (a) => {
    a.task("Deploy", deploying.body);
    noop(a, "Mail", "Chat");
  });
  return { t, deploying };
}

describe("a parallel split with one incoming flow", () => {
  it("splits the timer's token as it comes, and the task's token again when it ends (waitTasks: false)", async () => {
    const { t, deploying } = deploy();
    const run = t.run({ waitTasks: false });
    await until(() => t.count("Deploy") === 1 && t.clock.size === 1);
    await t.clock.advance(5_000);
    await until(() => t.count("Mail") === 1 && t.count("Chat") === 1);
    deploying.release();
    await run;
    expect(t.count("Mail")).toBe(2);
    expect(t.count("Chat")).toBe(2);
  });

  it("with waitTasks, the tasks after it merge the two tokens: each runs once, after the deployment", async () => {
    const { t, deploying } = deploy();
    const run = t.run();
    await until(() => t.count("Deploy") === 1 && t.clock.size === 1);
    await t.clock.advance(5_000);
    expect(t.count("Mail")).toBe(0);
    deploying.release();
    await run;
    expect(t.count("Mail")).toBe(1);
    expect(t.count("Chat")).toBe(1);
  });
});
