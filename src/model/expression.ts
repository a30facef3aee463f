import { ExpressionError, ProcessExitError, describe } from "../errors.js";
import { compileFeel } from "./feel.js";
import { freshRegexBudget, REGEX, regexHelpers, restoreRegexBudget, type RegexHelpers } from "./js-regex.js";
import { freshSteps, instrument, restoreSteps, STEP, STEP_PARAMETER, step } from "./js-steps.js";

/** What an expression can see besides the data's own top-level keys. */
export interface ExpressionScope {
  data: Record<string, unknown>;
  context: unknown;
  task: unknown;
  taskName: string;
  loop: unknown;
  lane: string | undefined;
}

export interface CompiledExpression {
  readonly text: string;
  readonly elementId: string;
  evaluate(scope: ExpressionScope): unknown;
}

type Evaluator = (data: Record<string, unknown>, names: ExpressionScope, countStep: () => void, regexes: RegexHelpers) => unknown;

/* The parameter that brings the regex helpers in (read once into the REGEX constant, like STEP_PARAMETER). */
const REGEX_PARAMETER = "__adhesive_regex_helpers__";

/*
 * Expressions are user-authored code from the process file, evaluated with the
 * data keys as bare names (the original evaluated Python with the data as
 * locals). `with` is the only way to expose a dynamic set of names without
 * rewriting the expression; Function bodies are sloppy-mode so it is allowed.
 * The fixed names (data, context, ...) are the inner scope so a data key
 * named `data` cannot hide them. Loops and functions in the code count steps
 * (js-steps.ts), so an endless loop fails its token instead of freezing the
 * runner, and regular expressions match in a thread with a time limit
 * (js-regex.ts), so a backtracking one fails its token too.
 */
function compileBody(body: string): { fn: Evaluator; counted: boolean } {
  let instrumented;
  try {
    instrumented = instrument(body);
  } catch (error) {
    // V8's own message for the code as written (acorn's positions would count the `return (` around an expression)
    evaluator(body);
    throw error;
  }
  if (instrumented === undefined) return { fn: evaluator(body), counted: false };
  const constants = `const ${STEP} = ${STEP_PARAMETER}, ${REGEX} = ${REGEX_PARAMETER};`;
  return { fn: evaluator(`${constants} ${instrumented.code}`), counted: true };
}

function evaluator(body: string): Evaluator {
  // the newline keeps a trailing // comment in a script from swallowing the closing braces
  return new Function("__data", "__names", STEP_PARAMETER, REGEX_PARAMETER, `with (__data) { with (__names) { ${body}\n} }`) as Evaluator;
}

let evaluating = 0;

/** Whether a JavaScript expression or script is being evaluated right now (process.exit() there fails it). */
export function insideExpression(): boolean {
  return evaluating > 0;
}

class JsExpression implements CompiledExpression {
  readonly text: string;
  readonly elementId: string;
  private readonly fn: Evaluator;
  private readonly counted: boolean;

  constructor(text: string, elementId: string, body: string) {
    this.text = text;
    this.elementId = elementId;
    ({ fn: this.fn, counted: this.counted } = compileBody(body));
  }

  evaluate(scope: ExpressionScope): unknown {
    evaluating++;
    try {
      return this.counted ? this.evaluateCounted(scope) : this.fn(scope.data, scope, step, regexHelpers);
    } catch (error) {
      if (error instanceof ProcessExitError) throw error;
      throw new ExpressionError(this.text, this.elementId, describe(error), error);
    } finally {
      evaluating--;
    }
  }

  private evaluateCounted(scope: ExpressionScope): unknown {
    if (STEP_PARAMETER in scope.data) throw new Error(`the data key ${STEP_PARAMETER} is reserved: loops in expressions count their steps with it`);
    if (REGEX_PARAMETER in scope.data) throw new Error(`the data key ${REGEX_PARAMETER} is reserved: expressions bound their regular expressions with it`);
    // no closure per evaluation: this runs per token
    const outer = freshSteps();
    const outerRegexBudget = freshRegexBudget();
    try {
      return this.fn(scope.data, scope, step, regexHelpers);
    } finally {
      restoreSteps(outer);
      restoreRegexBudget(outerRegexBudget);
    }
  }
}

/** Compiles a JavaScript expression once; throws ExpressionError on a syntax error. */
export function compileExpression(text: string, elementId: string): CompiledExpression {
  const source = text.trim();
  if (source.startsWith("=")) return compileFeel(source, elementId);
  try {
    return new JsExpression(source, elementId, `return (${source}\n);`);
  } catch (error) {
    throw new ExpressionError(source, elementId, `syntax error: ${describe(error)}`, error);
  }
}

/** Compiles a script task body (statements). */
export function compileScript(text: string, elementId: string): CompiledExpression {
  try {
    return new JsExpression(text, elementId, text);
  } catch (error) {
    throw new ExpressionError(text, elementId, `syntax error: ${describe(error)}`, error);
  }
}
