import { createRequire } from "node:module";

/* acorn is required by the first JUEL expression: most files have none */
const require = createRequire(import.meta.url);
const acorn = (): typeof import("acorn") => require("acorn") as typeof import("acorn");

/*
 * Camunda 7 files write expressions in JUEL, `${...}` (or `#{...}`).
 * adhesive runs the part of JUEL that is also, word for word or nearly, a
 * JavaScript expression over the data: names and property paths (`a.b`,
 * `a['b']`), string, number, boolean and null literals, comparisons
 * (`== != < > <= >=` and `eq ne lt gt le ge`), logic (`&& || !` and
 * `and or not`), arithmetic (`+ - * / %` and `div mod`), `?:` and
 * parentheses. The word operators become their JavaScript symbols; the rest
 * is left as written. What is outside that subset (`empty`, method calls on
 * Camunda's `execution` or on beans) is refused when the file is loaded,
 * naming the expression, rather than failing later at run time.
 */

const WORD_OPERATORS: ReadonlyMap<string, string> = new Map([
  ["and", "&&"],
  ["or", "||"],
  ["not", "!"],
  ["eq", "=="],
  ["ne", "!="],
  ["lt", "<"],
  ["gt", ">"],
  ["le", "<="],
  ["ge", ">="],
  ["div", "/"],
  ["mod", "%"],
]);

/* names JUEL resolves through Camunda 7's engine, which adhesive has not, and JUEL words JavaScript has no counterpart for */
const CAMUNDA_ONLY: ReadonlyMap<string, string> = new Map([
  ["execution", "Camunda 7's execution object"],
  ["authenticatedUserId", "Camunda 7's authenticated user"],
]);
const UNSUPPORTED_WORDS: ReadonlyMap<string, string> = new Map([
  ["empty", "the JUEL operator empty"],
  ["instanceof", "the JUEL operator instanceof"],
]);

/*
 * A whole-string wrapper around a brace-free body (`${items}`,
 * `${route == "fast"}`); FEEL `=...` is no JUEL.
 */
const JUEL_WRAPPER = /^[$#]\{([^{}]*)\}$/;

/** What is inside a whole-string `${...}` / `#{...}` (trimmed), or undefined when the text is not one. */
export function juelBody(text: string): string | undefined {
  return JUEL_WRAPPER.exec(text.trim())?.[1].trim();
}

export type JuelTranslation = { js: string } | { error: string };

/** The JavaScript of a JUEL expression's body (what is inside `${...}`), or why it is outside the subset adhesive runs. */
export function juelToJavaScript(body: string): JuelTranslation {
  const tokens = tokenize(body);
  // adhesive writes `${...}` around its own JavaScript (toBpmnXml): what already is JavaScript stays as written
  if (javaScriptSyntaxError(body) === undefined) {
    const foreign = typeof tokens === "string" ? undefined : freeName(tokens, CAMUNDA_ONLY);
    return foreign === undefined ? { js: body } : { error: `uses ${foreign}, which adhesive does not have; ${SUBSET}` };
  }
  if (typeof tokens === "string") return { error: tokens };
  const unsupported = freeName(tokens, CAMUNDA_ONLY) ?? freeName(tokens, UNSUPPORTED_WORDS);
  if (unsupported !== undefined) return { error: `uses ${unsupported}, which adhesive does not run; ${SUBSET}` };
  let js = "";
  tokens.forEach((token, i) => {
    const property = i > 0 && tokens[i - 1] === ".";
    js += property || token === "." || i === 0 ? "" : " ";
    js += property ? token : (WORD_OPERATORS.get(token) ?? token);
  });
  const syntax = javaScriptSyntaxError(js);
  if (syntax !== undefined) return { error: `is not a JUEL expression adhesive can run (${syntax}); ${SUBSET}` };
  return { js };
}

/* what the first name of `names` that is not a property (`a.execution`) means */
function freeName(tokens: readonly string[], names: ReadonlyMap<string, string>): string | undefined {
  const found = tokens.find((token, i) => names.has(token) && (i === 0 || tokens[i - 1] !== "."));
  return found === undefined ? undefined : names.get(found);
}

const SUBSET =
  "adhesive runs names and paths (a.b, a['b']), literals, == != < > <= >= (eq ne lt gt le ge), && || ! (and or not), + - * / % (div mod), ?: and parentheses";

/** undefined when `text` is one complete JavaScript expression. */
export function javaScriptSyntaxError(text: string): string | undefined {
  try {
    const node = acorn().parseExpressionAt(text, 0, { ecmaVersion: "latest" });
    if (text.slice(node.end).trim() !== "") return `unexpected ${JSON.stringify(text.slice(node.end).trim().slice(0, 20))}`;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const PUNCTUATION = ["===", "!==", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", ".", ",", "?", ":", "<", ">", "!", "+", "-", "*", "/", "%"];

/* JUEL's lexical grammar, enough to tell words from strings: a word inside quotes is never an operator */
function tokenize(body: string): string[] | string {
  const tokens: string[] = [];
  let i = 0;
  while (i < body.length) {
    const char = body[i];
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (char === "'" || char === '"') {
      const end = closingQuote(body, i);
      if (end < 0) return `has a string that never ends (${body.slice(i, i + 20)}...)`;
      tokens.push(body.slice(i, end + 1));
      i = end + 1;
      continue;
    }
    const word = /^(?:[A-Za-z_$][\w$]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(body.slice(i))?.[0];
    if (word !== undefined) {
      tokens.push(word);
      i += word.length;
      continue;
    }
    const symbol = PUNCTUATION.find((candidate) => body.startsWith(candidate, i));
    if (symbol === undefined) return `has "${char}", which is not part of the JUEL adhesive runs; ${SUBSET}`;
    tokens.push(symbol);
    i += symbol.length;
  }
  return tokens;
}

function closingQuote(body: string, start: number): number {
  for (let i = start + 1; i < body.length; i++) {
    if (body[i] === "\\") i++;
    else if (body[i] === body[start]) return i;
  }
  return -1;
}
