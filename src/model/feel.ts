import { createRequire } from "node:module";
import { ExpressionError, describe } from "../errors.js";
import type { CompiledExpression, ExpressionScope } from "./expression.js";
import { evaluateBounded, FeelLimitReached, type FeelOutcome } from "./feel-sandbox.js";

/* feelin (with Luxon and its lezer parser) is required by the first FEEL expression: most processes have none */
const require = createRequire(import.meta.url);
let loaded: typeof import("@bpmn-io/feelin") | undefined;
const feelin = (): typeof import("@bpmn-io/feelin") => (loaded ??= require("@bpmn-io/feelin") as typeof import("@bpmn-io/feelin"));

/*
 * Constructs whose cost is not bounded by the size of the expression and the
 * data: loops, user functions (recursion) and regular expressions
 * (backtracking). Expressions with one of them run in the bounded sandbox;
 * the others, most conditions, run in this thread.
 */
const UNBOUNDED_NODES = new Set(["ForExpression", "QuantifiedExpression", "FunctionDefinition"]);
const REGEX_FUNCTIONS = new Set(["matches", "replace", "split"]);

/**
 * FEEL (Camunda 8 style `=expr`). The syntax is checked when the process is
 * compiled, so a typo is a load-time problem naming the element. feelin
 * parses with the variables in hand (names may contain spaces), so the text
 * is evaluated per call; only the check happens once.
 *
 * A name that is no variable makes feelin answer null with a warning; here
 * an expression whose value is null because of such a name fails (a typo
 * would otherwise silently route a token), while one that tests for the
 * missing value (`x = null`, `if x = null then ...`) still works. Calling a
 * function that does not exist always fails.
 */
class FeelExpression implements CompiledExpression {
  readonly text: string;
  readonly elementId: string;
  private readonly body: string;
  private readonly bounded: boolean;

  constructor(text: string, elementId: string, body: string, bounded: boolean) {
    this.text = text;
    this.elementId = elementId;
    this.body = body;
    this.bounded = bounded;
  }

  evaluate(scope: ExpressionScope): unknown {
    const names = { data: scope.data, loop: scope.loop, taskName: scope.taskName };
    let outcome: FeelOutcome;
    try {
      // the sandbox thread has the functions of its own: a function cannot be posted to it
      outcome = this.bounded ? evaluateBounded(this.body, { ...scope.data, ...names }) : feelin().evaluate(this.body, { ...CAMUNDA_FUNCTIONS, ...scope.data, ...names });
    } catch (error) {
      const reason = error instanceof FeelLimitReached ? error.message : describe(error);
      throw new ExpressionError(this.text, this.elementId, reason, error);
    }
    const unknown = unknownNames(outcome);
    if (unknown !== undefined) throw new ExpressionError(this.text, this.elementId, `${unknown} (data has: ${Object.keys(scope.data).join(", ") || "no keys"})`);
    return plainValue(outcome.value);
  }
}

/*
 * Camunda's own FEEL functions that feelin does not have. `is defined`
 * as Camunda 8.4 and later define it: false for a name that is no
 * variable (feelin evaluates it to null) and for null. The sandbox thread
 * (feel-sandbox-worker.mjs) defines the same.
 */
const CAMUNDA_FUNCTIONS: Readonly<Record<string, unknown>> = {
  "is defined": (value: unknown): boolean => value !== null && value !== undefined,
};

/* feelin's dates, times and durations (Luxon objects) as the ISO 8601 text data can hold and timers read */
function plainValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const iso = (value as { toISO?: unknown }).toISO;
  return typeof iso === "function" ? (iso as () => unknown).call(value) : value;
}

export function compileFeel(source: string, elementId: string): CompiledExpression {
  const body = source.slice(1);
  const { syntaxError, bounded } = inspect(body);
  if (syntaxError !== undefined) throw new ExpressionError(source, elementId, `FEEL syntax error: ${syntaxError}`);
  return new FeelExpression(source, elementId, body, bounded);
}

/** One walk over feelin's parse tree: the first syntax error, and whether evaluation needs the sandbox. */
function inspect(body: string): { syntaxError?: string; bounded: boolean } {
  const cursor = feelin().parseExpression(body, {}, undefined).cursor();
  let bounded = false;
  do {
    const type = cursor.type;
    if (type.isError) return { syntaxError: describeSyntaxError(body, cursor.from, cursor.node.parent?.type.name), bounded };
    if (UNBOUNDED_NODES.has(type.name)) bounded = true;
    if (type.name === "FunctionInvocation") {
      const callee = cursor.node.firstChild;
      if (callee !== null && REGEX_FUNCTIONS.has(body.slice(callee.from, callee.to).trim())) bounded = true;
    }
  } while (cursor.next());
  return { bounded };
}

/* the same words feelin uses when it meets the error while evaluating, with a 1-based column */
function describeSyntaxError(body: string, at: number, inside: string | undefined): string {
  const where = `column ${at + 1}`;
  const what = inside === undefined ? "expression" : `<${inside}>`;
  if (body.slice(at).trim() === "") return `incomplete ${what} at ${where}`;
  return `unexpected ${JSON.stringify(body.slice(at, at + 20))} in ${what} at ${where}`;
}

function unknownNames(outcome: FeelOutcome): string | undefined {
  const functions = outcome.warnings.filter((warning) => warning.type === "NO_FUNCTION_FOUND");
  const variables = outcome.warnings.filter((warning) => warning.type === "NO_VARIABLE_FOUND");
  // a call to an unknown function warns twice: its name is no variable, and null cannot be called
  if (functions.length > 0) return variables.length > 0 ? `no such FEEL function: ${variables.map((warning) => warning.message).join("; ")}` : functions[0].message;
  if (variables.length > 0 && outcome.value === null) return variables.map((warning) => warning.message).join("; ");
  return undefined;
}
