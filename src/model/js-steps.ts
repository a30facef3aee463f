import { createRequire } from "node:module";
import type { Node } from "acorn";
import type MagicString from "magic-string";
import { MAY_USE_REGEX, regexVisitors } from "./js-regex.js";

/* acorn, acorn-walk and magic-string (300 kB of code) are required by the first expression that may loop or use a regular expression: most conditions do neither */
const require = createRequire(import.meta.url);
const acorn = (): typeof import("acorn") => require("acorn") as typeof import("acorn");
const acornWalk = (): typeof import("acorn-walk") => require("acorn-walk") as typeof import("acorn-walk");
const magicString = (): typeof import("magic-string") => require("magic-string") as typeof import("magic-string");

/**
 * Loop iterations plus function calls one JavaScript expression or script
 * may take in one evaluation. Far more than any condition or script needs
 * (10 million take about 0.15 s), so only an endless loop or recursion runs
 * into it.
 */
export const MAX_STEPS = 10_000_000;

/** The name instrumented code calls. */
export const STEP = "__adhesive_step__";
/**
 * The compiled function's parameter that brings step() in. Inside `with`
 * every name is looked up in the data first, which costs about 100 ns per
 * call; a `const` declared inside the `with` blocks is found directly
 * (about 10 ns), so the parameter is read once into the STEP constant. A
 * data key with the parameter's name would hide it, and is refused.
 */
export const STEP_PARAMETER = "__adhesive_step_function__";

/** Thrown inside the expression when its steps are used up; evaluate() turns it into an ExpressionError. */
export class StepLimitReached extends Error {
  constructor() {
    super(`it did not finish within ${MAX_STEPS.toLocaleString("en")} steps (loop iterations and function calls): an endless loop or recursion?`);
  }
}

let remaining = MAX_STEPS;

/* One shared counter, reset per evaluation: no closure per call. Once used up every further step throws, so a catch inside a loop cannot swallow it. */
export function step(): void {
  if (--remaining < 0) throw new StepLimitReached();
}

/** Gives the evaluation about to start a fresh budget; returns what the enclosing one (if any) had left, for restoreSteps(). */
export function freshSteps(): number {
  const outer = remaining;
  remaining = MAX_STEPS;
  return outer;
}

export function restoreSteps(outer: number): void {
  remaining = outer;
}

/*
 * A cheap test first: most conditions (`route === "fast"`) have neither a
 * loop nor a function, need no parse and run exactly as written.
 */
const MAY_LOOP = /\b(?:for|while|do|function|class)\b|=>/;

/** A body as instrument() rewrote it: with step() calls (`steps`), with its regular expressions bounded (`regexes`, see js-regex.ts), or both. */
export interface Instrumented {
  code: string;
  steps: boolean;
  regexes: boolean;
}

/**
 * The function body with a step() call at the start of every loop body and
 * every function body and its regular expressions bounded, or undefined when
 * there is nothing to count or bound. The source is parsed with acorn and
 * edited in place with magic-string, so everything else, comments and
 * positions in error messages included, stays as written. Throws acorn's
 * SyntaxError for invalid code.
 */
export function instrument(body: string): Instrumented | undefined {
  const mayLoop = MAY_LOOP.test(body);
  const mayUseRegex = MAY_USE_REGEX.test(body);
  if (!mayLoop && !mayUseRegex) return undefined;
  const ast = acorn().parse(body, { ecmaVersion: "latest", sourceType: "script", allowReturnOutsideFunction: true });
  const code = new (magicString().default)(body);
  let steps = 0;
  let regexes = 0;
  const count = (node: Node): void => {
    countAtStart(code, node);
    steps++;
  };
  acornWalk().simple(ast, {
    ...(mayUseRegex ? regexVisitors(code, () => regexes++) : {}),
    WhileStatement: (node) => count(node.body),
    DoWhileStatement: (node) => count(node.body),
    ForStatement: (node) => count(node.body),
    ForInStatement: (node) => count(node.body),
    ForOfStatement: (node) => count(node.body),
    Function: (node) => count(node.body),
  });
  return steps === 0 && regexes === 0 ? undefined : { code: code.toString(), steps: steps > 0, regexes: regexes > 0 };
}

/* A block gets the call after its directives ("use strict" must stay first); a single statement or an arrow's expression is wrapped. */
function countAtStart(code: MagicString, body: Node): void {
  const call = `${STEP}();`;
  if (body.type === "BlockStatement") {
    const statements = (body as Node & { body: Array<Node & { directive?: string }> }).body;
    const directives = statements.filter((statement) => statement.directive !== undefined);
    const after = directives.length > 0 ? directives[directives.length - 1].end : body.start + 1;
    code.appendLeft(after, call);
  } else if (isStatement(body)) {
    code.prependRight(body.start, `{${call}`);
    code.appendLeft(body.end, "}");
  } else {
    code.prependRight(body.start, `(${STEP}(), `);
    code.appendLeft(body.end, ")");
  }
}

function isStatement(node: Node): boolean {
  return node.type.endsWith("Statement") || node.type.endsWith("Declaration");
}
