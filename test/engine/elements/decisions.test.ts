/*
 * Descriptive models that code finishes: an exclusive gateway whose flows
 * carry no conditions takes the flow its implementation returns (by the
 * flow's name, its target's name or an id); a collapsed sub-process with
 * nothing inside runs as a task of its name; a loop marker without an
 * expression loops as the task()'s `loop` option says; a timer without a
 * value and a conditional event without a condition take theirs from
 * timer() and condition(); ids with spaces are fine.
 */
import { describe, expect, it } from "vitest";
import { RoutingError, StalledError, UnmappedTaskError, scriptedUi, type Adhesive } from "adhesive-bpmn";
import { fixture, noop, scenario, until } from "./scenario.js";

function contract(decide: () => unknown, setup: (a: Adhesive) => void = () => undefined) {
  return scenario("descriptive.bpmn", (a) => {
    setup(a);
    a.task("Review documents", (ctx) => void (ctx.data.reviewed = true));
    a.usertask({ name: "Sign as {loop.value}", loop: "signers" }, (_ctx, ui) => ui.addInputText("signature"));
    a.timer("Wait a day", "P1D");
    a.condition("Stock arrived", "stock > 0");
    a.gateway("Who ships?", decide);
    noop(a, "We ship", "Partner ships");
  });
}

describe("gateway decisions and descriptive models", () => {
  it("runs the drawing: collapsed sub-process as a task, the loop from task(), the timer and the condition from code, the flow the gateway returns", async () => {
    const t = contract(() => "by partner");
    const run = t.run({ initialData: { signers: ["buyer", "seller"], stock: 3 }, ui: scriptedUi((form) => ({ signature: form.taskName })) });
    await until(() => t.clock.size === 1);
    // the collapsed sub-process joins the signatures (each iteration leaves the loop on its own)
    expect(t.ran).toEqual(["Sign as buyer", "Sign as seller", "Review documents"]);
    await t.clock.advance(24 * 3_600_000 - 1);
    expect(t.ran).toHaveLength(3);
    await t.clock.advance(1);
    const data = await run;
    expect(t.ran).toEqual(["Sign as buyer", "Sign as seller", "Review documents", "Who ships?", "Partner ships"]);
    expect(data).toMatchObject({ reviewed: true, signature: "Sign as seller" });
  });

  it("a conditional event drawn without a condition waits for condition()'s; when nothing can meet it, the run says where it waits", async () => {
    const t = contract(() => "by partner");
    const outcome = t.run({ initialData: { signers: [], stock: 0 } }).catch((e: unknown) => e);
    await until(() => t.clock.size === 1);
    await t.clock.advance(24 * 3_600_000);
    expect(await outcome).toBeInstanceOf(StalledError);
    expect(((await outcome) as Error).message).toContain('"Stock arrived" (Stock)');
  });

  it("takes the flow named by its name, its target's name or its id", async () => {
    for (const [choice, expected] of [["ourselves", "We ship"], ["Partner ships", "Partner ships"], ["f_us", "We ship"], ["Task_Partner", "Partner ships"]]) {
      const t = contract(() => choice);
      const run = t.run({ initialData: { signers: [], stock: 1 } });
      await until(() => t.clock.size === 1);
      await t.clock.advance(24 * 3_600_000);
      await run;
      expect(t.ran.at(-1), choice).toBe(expected);
      expect(t.ran.at(-2)).toBe("Who ships?");
    }
  });

  it("fails the token naming the choices when the implementation returns none of them", async () => {
    const t = contract(() => "by drone");
    const outcome = t.run({ initialData: { signers: [], stock: 1 } }).catch((e: unknown) => e);
    await until(() => t.clock.size === 1);
    await t.clock.advance(24 * 3_600_000);
    const error = await outcome;
    expect((error as { cause: unknown }).cause).toBeInstanceOf(RoutingError);
    expect(((error as { cause: RoutingError }).cause).code).toBe("ADHESIVE_NO_ROUTE");
    expect((error as Error).message).toContain(`exclusive gateway "Who ships?" (Gateway_Who) in ${fixture("descriptive.bpmn")}: its implementation returned "by drone", which is none of "ourselves" (f_us), "by partner" (f_partner)`);
  });

  it("reports every missing decision, loop, timer and condition before anything runs, the way it reports a missing task", async () => {
    const t = scenario("descriptive.bpmn", (a) => a.usertask("Sign as {loop.value}", () => undefined));
    const error = await t.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnmappedTaskError);
    const problems = (error as UnmappedTaskError).problems.map((p) => [p.elementId, p.kind, p.message]);
    expect(problems).toEqual([
      ["Review documents", "task", 'no implementation matches; add task("Review documents", async (ctx) => { ... })'],
      ["Sign", "user task", 'no implementation matches; add usertask({ name: "Sign as {loop.value}", loop: "items" }, (ctx, ui) => { ... })'],
      ["Wait", "timer", 'no implementation matches; add timer("Wait a day", "PT5M")'],
      ["Stock", "condition", 'no implementation matches; add condition("Stock arrived", "approved === true")'],
      ["Gateway_Who", "decision", 'no implementation matches; add gateway("Who ships?", (ctx) => "the name of the flow to take")'],
      ["Task_Us", "task", 'no implementation matches; add task("We ship", async (ctx) => { ... })'],
      ["Task_Partner", "task", 'no implementation matches; add task("Partner ships", async (ctx) => { ... })'],
    ]);
    expect(t.ran).toEqual([]);
  });
});
