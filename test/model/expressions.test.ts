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
import { MAX_STEPS } from "../../src/model/js-steps.js";

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
    // a million steps each: one run more than a shared budget would allow
    for (let run = 0; run <= MAX_STEPS / 1_000_000; run++) {
      const data: Data = {};
      sum.evaluate(scope(data));
      expect(data.total).toBe(499999500000);
    }
    expect(compileExpression("items.map((x) => ({ x })).filter(function (y) { 'use strict'; return y.x > 1; }).length", "f").evaluate(scope({ items: [1, 2, 3] }))).toBe(2);
    expect(compileExpression('route === "fast"', "f").evaluate(scope({ route: "fast" }))).toBe(true);
  });
});

describe("a JavaScript regular expression that backtracks catastrophically", () => {
  const text = `${"a".repeat(64)}b`;

  it("fails its token naming the flow and the time bound; the next run is not held up", async () => {
    const adhesive = new Adhesive().task(["All A", "Other"], (ctx) => void (ctx.data.took = ctx.taskName));
    const error = await failure(adhesive.bpmnBuild(fixture("backtracking-condition.bpmn"), { initialData: { text } }));
    expect(error.cause).toBeInstanceOf(ExpressionError);
    expect((error.cause as ExpressionError).code).toBe("ADHESIVE_EXPRESSION");
    expect((error.cause as ExpressionError).elementId).toBe("toAll");
    expect(error.message).toContain("its regular expressions did not finish within 1000 ms");
    expect(await adhesive.bpmnBuild(fixture("backtracking-condition.bpmn"), { initialData: { text: "aaaa" } })).toMatchObject({ took: "All A" });
  });

  it("is bounded however it is made: a literal, RegExp, a string pattern, a RegExp from the data", () => {
    for (const expression of ["/^(a+)+$/.test(text)", 'new RegExp("^(a+)+$").test(text)', 'text.match("^(a+)+$")', "text.replace(/^(a+)+$/, 'x')", "text.split(/(a+)+$/)", "pattern.test(text)"]) {
      expect(() => compileExpression(expression, "flow").evaluate(scope({ text, pattern: /^(a+)+$/ })), expression).toThrow(/regular expressions did not finish within 1000 ms/);
    }
  });

  it("cannot swallow the bound with a try/catch inside a loop: once its time is used up, every further match fails at once", () => {
    const script = compileScript("data.rounds = 0; data.failed = 0; for (let i = 0; i < 50; i++) { try { /^(a+)+$/.test(text); } catch { data.failed++; } data.rounds++; }", "script");
    const data: Data = { text };
    script.evaluate(scope(data));
    expect(data).toMatchObject({ rounds: 50, failed: 50 });
  });

  it("matches exactly as JavaScript does", () => {
    const data = { s: "aab, ab,ba", re: /ab/g, amount: 30 };
    const expressions = [
      "/^a+$/.test(s)",
      "s.match(/a(?<x>b)?/)",
      "s.match(/a/g)",
      's.replace(/a/g, "[$&]")',
      "s.replace(/(a)(b)?/g, (m, a, b, offset) => m + offset)",
      "s.split(/,\\s*/)",
      "s.split(/(,)/, 2)",
      '[...s.matchAll(/a(b)?/g)].map((m) => m.index + ":" + m[0])',
      "s.search(/b/)",
      's.match("a+")',
      's.search("b")',
      'new RegExp("^" + "a").test(s)',
      'RegExp("b", "g").exec(s)',
      's.replaceAll(/a/g, "x")',
      "(() => { const r = /a/g; const out = []; let m; while ((m = r.exec(s)) !== null) out.push(m.index, r.lastIndex); return out; })()",
      "/a(?<k>b)/d.exec(s).indices",
      "re.test(s) && re.lastIndex",
      "s.match(re)",
      '"x,y".split(",")',
      "s?.match(/b/)?.[0]",
      "/x/ instanceof RegExp",
      "amount / 2 > 10",
    ];
    for (const expression of expressions) {
      const plain = new Function("s", "re", "amount", `return (${expression})`)(data.s, /ab/g, data.amount) as unknown;
      // twice: the second answer of a repeated match comes from the kept answers
      for (let round = 0; round < 2; round++) {
        expect(compileExpression(expression, "f").evaluate(scope({ ...data, re: /ab/g })), expression).toEqual(plain);
      }
    }
  });

  it("fails a call that cannot be made with JavaScript's own words for the code as written", () => {
    const data = { servers: 5, nothing: null, s: "abc" };
    for (const expression of ['servers.split(",")', "nothing.match(/a/)", 's.test("x")', '(s + 1).exec("x")']) {
      const plain = (() => {
        try {
          return new Function("data", `with (data) { return (${expression}) }`)(data) as unknown;
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(() => compileExpression(expression, "f").evaluate(scope(data)), expression).toThrow(`failed: ${String(plain)}`);
    }
    expect(compileExpression("nothing?.match(/a/)", "f").evaluate(scope(data))).toBeUndefined();
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
