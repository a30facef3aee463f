import { evaluate as evaluateFeel } from "@bpmn-io/feelin";
import { ExpressionError, describe } from "../errors.js";

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

type Evaluator = (data: Record<string, unknown>, names: ExpressionScope) => unknown;

/*
 * Expressions are user-authored code from the process file, evaluated with the
 * data keys as bare names (the original evaluated Python with the data as
 * locals). `with` is the only way to expose a dynamic set of names without
 * rewriting the expression; Function bodies are sloppy-mode so it is allowed.
 * The fixed names (data, context, ...) are the inner scope so a data key
 * named `data` cannot hide them.
 */
function compileBody(body: string): Evaluator {
  // the newline keeps a trailing // comment in a script from swallowing the closing braces
  return new Function("__data", "__names", `with (__data) { with (__names) { ${body}\n} }`) as Evaluator;
}

class JsExpression implements CompiledExpression {
  readonly text: string;
  readonly elementId: string;
  private readonly fn: Evaluator;

  constructor(text: string, elementId: string, fn: Evaluator) {
    this.text = text;
    this.elementId = elementId;
    this.fn = fn;
  }

  evaluate(scope: ExpressionScope): unknown {
    try {
      return this.fn(scope.data, scope);
    } catch (error) {
      throw new ExpressionError(this.text, this.elementId, describe(error), error);
    }
  }
}

/** Compiles a JavaScript expression once; throws ExpressionError on a syntax error. */
export function compileExpression(text: string, elementId: string): CompiledExpression {
  const source = text.trim();
  if (source.startsWith("=")) return compileFeel(source, elementId);
  try {
    return new JsExpression(source, elementId, compileBody(`return (${source}\n);`));
  } catch (error) {
    throw new ExpressionError(source, elementId, `syntax error: ${describe(error)}`, error);
  }
}

/** Compiles a script task body (statements). */
export function compileScript(text: string, elementId: string): CompiledExpression {
  try {
    return new JsExpression(text, elementId, compileBody(text));
  } catch (error) {
    throw new ExpressionError(text, elementId, `syntax error: ${describe(error)}`, error);
  }
}

/*
 * FEEL (Camunda 8 style `=expr`): feelin has no public compiled form, so the
 * text is kept and evaluated per call; the data keys are its variables.
 */
class FeelExpression implements CompiledExpression {
  readonly text: string;
  readonly elementId: string;
  private readonly body: string;

  constructor(text: string, elementId: string) {
    this.text = text;
    this.elementId = elementId;
    this.body = text.slice(1);
  }

  evaluate(scope: ExpressionScope): unknown {
    let result;
    try {
      result = evaluateFeel(this.body, { ...scope.data, data: scope.data, loop: scope.loop, taskName: scope.taskName });
    } catch (error) {
      throw new ExpressionError(this.text, this.elementId, describe(error), error);
    }
    return result.value;
  }
}

function compileFeel(source: string, elementId: string): CompiledExpression {
  return new FeelExpression(source, elementId);
}
