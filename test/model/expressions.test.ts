/*
 * Expressions written by whoever drew the process: an endless JavaScript
 * loop or a FEEL expression that builds millions of items fails its token
 * with an error naming the element and the bound, instead of freezing or
 * killing the runner; a misspelt FEEL name fails instead of reading as null.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, ExpressionError, TaskError, type Data } from "../../src/index.js";
import { compileExpression, compileScript } from "../../src/model/expression.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/hostile/${name}`, import.meta.url));

const scope = (data: Data) => ({ data, context: { data }, task: {}, taskName: "t", loop: undefined, lane: undefined });

async function failure(run: Promise<unknown>): Promise<TaskError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TaskError);
  return error as TaskError;
}

describe("a JavaScript condition that never ends", () => {
  it("fails its token naming the flow and the step bound; the runner goes on", async () => {
    const adhesive = new Adhesive().task(["Spin", "Other"], () => undefined);
    const error = await failure(adhesive.bpmnBuild(fixture("endless-condition.bpmn")));
    expect(error.cause).toBeInstanceOf(ExpressionError);
    expect((error.cause as ExpressionError).elementId).toBe("toSpin");
    expect(error.message).toContain("did not finish within 10,000,000 steps (loop iterations and function calls)");
  });

  it("cannot swallow the bound with a try/catch inside its loop", () => {
    const expression = compileExpression("(() => { for (;;) { try { while (true) {} } catch {} } })()", "flow");
    expect(() => expression.evaluate(scope({}))).toThrow(/did not finish within 10,000,000 steps/);
  });

  it("stops endless recursion and endless loops in scripts, with or without braces", () => {
    for (const text of ["const f = (n) => f(n + 1); f(0);", "let i = 0; while (i >= 0) i++;", "do ; while (true)", "for (const x of (function* () { for (;;) yield 1; })()) {}"]) {
      expect(() => compileScript(text, "script").evaluate(scope({})), text).toThrow(ExpressionError);
    }
  });

  it("leaves plain and finite code as written, and gives each evaluation a fresh budget", () => {
    const sum = compileScript("data.total = 0; for (let i = 0; i < 1000000; i++) data.total += i;", "script");
    for (let run = 0; run < 20; run++) {
      const data: Data = {};
      sum.evaluate(scope(data));
      expect(data.total).toBe(499999500000);
    }
    expect(compileExpression("items.map((x) => ({ x })).filter(function (y) { 'use strict'; return y.x > 1; }).length", "f").evaluate(scope({ items: [1, 2, 3] }))).toBe(2);
    expect(compileExpression('route === "fast"', "f").evaluate(scope({ route: "fast" }))).toBe(true);
  });
});

describe("FEEL conditions", () => {
  const run = (pick: string, data: Data = {}) => new Adhesive().task(["Huge", "Plain", "Typo", "Missing", "None"], (ctx) => void (ctx.data.took = ctx.taskName)).bpmnBuild(fixture("feel-conditions.bpmn"), { initialData: { pick, ...data } });

  it("a for over 3000 x 3000 fails its token naming the flow and the time and memory bound, and the runner survives", async () => {
    const error = await failure(run("huge"));
    expect((error.cause as ExpressionError).elementId).toBe("toHuge");
    expect(error.message).toContain("did not finish within 1000 ms and 128 MB");
    // the next evaluation gets a fresh sandbox
    expect(await run("plain", { amount: 150 })).toMatchObject({ took: "Plain" });
  });

  it("a misspelt name fails naming it, where a null test of a missing value still works", async () => {
    const error = await failure(run("typo", { amount: 150 }));
    expect((error.cause as ExpressionError).elementId).toBe("toTypo");
    expect(error.message).toContain("Variable 'amonut' not found (data has: pick, amount)");
    expect(await run("missing")).toMatchObject({ took: "Missing" });
  });

  it("a FEEL loop over a few items runs in the sandbox and gives its value", () => {
    const doubled = compileExpression("= for x in items return x * 2", "loop");
    expect(doubled.evaluate(scope({ items: [1, 2, 3] }))).toEqual([2, 4, 6]);
    expect(compileExpression('= matches(name, "^a+$")', "f").evaluate(scope({ name: "aaa" }))).toBe(true);
  });

  it("an unknown function fails", () => {
    expect(() => compileExpression("= frobnicate(1)", "f").evaluate(scope({}))).toThrow(/no such FEEL function: Variable 'frobnicate' not found/);
  });
});
