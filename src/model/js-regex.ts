import type { Node } from "acorn";
import type MagicString from "magic-string";
import { FEEL_LIMITS, regexBounded, type RegexReply, type RegexRequest } from "./feel-sandbox.js";

/*
 * Regular expressions in JavaScript expressions and scripts, bounded in time.
 *
 * V8 matches with backtracking, and a pattern like /^(a+)+$/ on "aaa…ab"
 * takes exponential time inside one native call: the step counting of
 * js-steps.ts never gets a say, and neither do SIGINT handlers, which need the
 * event loop. So the matching itself runs in the sandbox thread of
 * feel-sandbox.ts (the one FEEL's regular expressions run in), which is
 * terminated when an expression's regular expressions took more than
 * REGEX_LIMIT_MS in one evaluation; the token fails with an ExpressionError.
 *
 * The instrumentation (instrument() in js-steps.ts calls rewriteRegexes())
 * makes every regular expression an expression creates a BoundedRegExp: a
 * RegExp subclass whose exec() runs in the sandbox thread. test, match,
 * matchAll, search, replace and split all call exec() (RegExpExec in the
 * spec), so they are bounded with it; split, a global match and a replace
 * with a string run whole in the thread instead of one exec() per position.
 * What is rewritten:
 *   /re/flags                    -> R.literal(/re/flags)
 *   new RegExp(…), RegExp(…)     -> new R.RegExp(…), R.RegExp(…)
 *   x.match(…) and the like      -> R.receiver(x, "match").match(…)
 * receiver() turns a string pattern given to match/matchAll/search (which
 * String.prototype would compile into a plain RegExp) and a plain RegExp
 * from the data (test/exec on it, or given to a string method) into a
 * BoundedRegExp; every other receiver is returned as it is, so a method of
 * that name on anything else runs unchanged.
 *
 * Why not a library: re2 (linear-time matching) is a native addon that
 * downloads a prebuilt binary or builds with node-gyp at install; re2js, its
 * pure JavaScript port, has RE2 syntax and semantics (no lookaround or
 * backreferences, other Unicode rules), so expressions would match
 * differently than JavaScript says. Running V8's own matcher in a thread
 * that can be terminated keeps the semantics exactly.
 */

/** How long the regular expressions of one evaluation of an expression may take in all. */
export const REGEX_LIMIT_MS = FEEL_LIMITS.timeoutMs;

/** The name instrumented code reaches the helpers by (a constant of the compiled function, see expression.ts). */
export const REGEX = "__adhesive_regex__";

/** A regular expression of an expression used up its time; evaluate() turns it into an ExpressionError. */
export class RegexLimitReached extends Error {
  constructor() {
    super(`its regular expressions did not finish within ${REGEX_LIMIT_MS} ms (a pattern that backtracks catastrophically, such as (a+)+ on a long input?)`);
  }
}

/* Milliseconds left to the evaluation under way; undefined outside an evaluation (a BoundedRegExp kept in the data and used by a task gets the whole limit per operation). */
let budget: number | undefined;

/** Gives the evaluation about to start the whole time; returns the enclosing one's, for restoreRegexBudget(). */
export function freshRegexBudget(): number | undefined {
  const outer = budget;
  budget = REGEX_LIMIT_MS;
  return outer;
}

export function restoreRegexBudget(outer: number | undefined): void {
  budget = outer;
}

function run(request: RegexRequest, input: string): RegexReply {
  const allowed = budget ?? REGEX_LIMIT_MS;
  // once used up, every further operation fails: a catch inside a loop cannot swallow the bound
  if (allowed <= 0) throw new RegexLimitReached();
  const started = performance.now();
  let reply: (RegexReply & { error?: string }) | undefined;
  try {
    reply = regexBounded(request, input, allowed);
  } finally {
    if (budget !== undefined) budget -= performance.now() - started;
  }
  if (reply === undefined) {
    if (budget !== undefined) budget = 0;
    throw new RegexLimitReached();
  }
  if (reply.error !== undefined) throw new Error(reply.error);
  return reply;
}

/*
 * A condition such as /^release\//.test(branch) runs per token, and a trip to
 * the thread takes some 50 µs: the answers of exec() without g or y (which
 * depend on nothing but the pattern, the flags and the input) are kept for
 * short inputs, per pattern, a bounded number of them.
 */
const CACHED_INPUT_LENGTH = 1000;
const CACHED_ANSWERS = 1000;
type Match = NonNullable<RegexReply["match"]>;
const answers = new Map<string, Map<string, Match | null>>();
let cachedAnswers = 0;

function execBounded(regex: BoundedRegExp, input: string): Match | null {
  const moves = regex.global || regex.sticky;
  const key = moves || input.length > CACHED_INPUT_LENGTH ? undefined : `${regex.flags}/${regex.source}`;
  const known = key === undefined ? undefined : answers.get(key)?.get(input);
  if (known !== undefined) return known;
  const reply = run({ op: "exec", source: regex.source, flags: regex.flags, lastIndex: regex.lastIndex }, input);
  if (moves) regex.lastIndex = reply.lastIndex as number;
  const match = reply.match ?? null;
  if (key !== undefined) {
    if (cachedAnswers >= CACHED_ANSWERS) {
      answers.clear();
      cachedAnswers = 0;
    }
    let ofPattern = answers.get(key);
    if (ofPattern === undefined) answers.set(key, (ofPattern = new Map()));
    ofPattern.set(input, match);
    cachedAnswers++;
  }
  return match;
}

/** A RegExp whose matching runs in the sandbox thread, bounded in time. */
export class BoundedRegExp extends RegExp {
  override exec(string: string): RegExpExecArray | null {
    const input = String(string);
    const match = execBounded(this, input);
    if (match === null) return null;
    // a new array each time: the caller may change it (and the kept answer must not change)
    const { index, groups, indices } = match;
    const found = Object.assign([...match.values], { index, input, groups: nullPrototype(groups) }) as RegExpExecArray;
    if (indices !== undefined) {
      const pairs = indices.groups === undefined ? undefined : Object.fromEntries(Object.entries(indices.groups).map(([name, pair]) => [name, pair && [...pair]]));
      Object.assign(found, { indices: Object.assign(indices.values.map((pair) => pair && [...pair]), { groups: nullPrototype(pairs) }) });
    }
    return found;
  }

  override [Symbol.match](string: string): RegExpMatchArray | null {
    if (!this.global) return super[Symbol.match](string);
    const reply = run({ op: "match", source: this.source, flags: this.flags, lastIndex: this.lastIndex }, String(string));
    this.lastIndex = reply.lastIndex as number;
    return reply.value as RegExpMatchArray | null;
  }

  override [Symbol.replace](string: string, replaceValue: string | ((substring: string, ...args: any[]) => string)): string {
    // a function is called per match, here: exec() per match is bounded one by one
    if (typeof replaceValue === "function") return super[Symbol.replace](string, replaceValue);
    const reply = run({ op: "replace", source: this.source, flags: this.flags, lastIndex: this.lastIndex, replacement: String(replaceValue) }, String(string));
    if (this.global || this.sticky) this.lastIndex = reply.lastIndex as number;
    return reply.value as string;
  }

  override [Symbol.split](string: string, limit?: number): string[] {
    return run({ op: "split", source: this.source, flags: this.flags, lastIndex: this.lastIndex, limit }, String(string)).value as string[];
  }
}

function nullPrototype<T extends object>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : Object.assign(Object.create(null) as T, value);
}

/* A plain RegExp (from the data, or made by String.prototype) as a bounded copy; its lastIndex is copied back after the operation. */
function withBoundedCopy<T>(plain: RegExp, operate: (bounded: BoundedRegExp) => T): T {
  const bounded = new BoundedRegExp(plain.source, plain.flags);
  bounded.lastIndex = plain.lastIndex;
  try {
    return operate(bounded);
  } finally {
    plain.lastIndex = bounded.lastIndex;
  }
}

const isPlainRegExp = (value: unknown): value is RegExp => value instanceof RegExp && !(value instanceof BoundedRegExp);

/* String methods that compile a string pattern into a RegExp (the flags it gets). */
const COMPILING: Record<string, string | undefined> = { match: "", search: "", matchAll: "g" };
const STRING_METHODS = new Set(["match", "matchAll", "search", "replace", "replaceAll", "split"]);

/** String methods with a bounded pattern: only called for those methods of a string. */
function stringMethod(text: string, method: string): (pattern: unknown, ...rest: unknown[]) => unknown {
  const native = (String.prototype as unknown as Record<string, (...args: unknown[]) => unknown>)[method];
  return (pattern, ...rest) => {
    if (isPlainRegExp(pattern)) return withBoundedCopy(pattern, (bounded) => native.call(text, bounded, ...rest));
    const flags = COMPILING[method];
    // a custom matcher (an object with Symbol.match and the like) or a BoundedRegExp already: as given
    const custom = pattern instanceof RegExp || (pattern !== null && typeof pattern === "object" && Symbol.match in pattern);
    if (flags === undefined || custom) return native.call(text, pattern, ...rest);
    return native.call(text, new BoundedRegExp(pattern === undefined ? "(?:)" : String(pattern), flags), ...rest);
  };
}

/** The helpers instrumented code calls (see the comment at the top). */
export const regexHelpers = {
  literal(plain: RegExp): BoundedRegExp {
    return new BoundedRegExp(plain.source, plain.flags);
  },
  /* callable with and without new, like RegExp */
  RegExp: function boundedRegExp(pattern?: string | RegExp, flags?: string): BoundedRegExp {
    if (pattern instanceof BoundedRegExp && flags === undefined && new.target === undefined) return pattern;
    return new BoundedRegExp(pattern as string, flags);
  } as unknown as RegExpConstructor,
  /* `written`: how the call site names the receiver, for V8's own error when there is nothing to call (undefined: an optional chain, which has no error) */
  receiver(value: unknown, method: string, written?: string): unknown {
    if (typeof value === "string" && STRING_METHODS.has(method)) return { [method]: stringMethod(value, method) };
    if (isPlainRegExp(value) && (method === "test" || method === "exec")) {
      return { [method]: (input: string) => withBoundedCopy(value, (bounded) => bounded[method as "test" | "exec"](input)) };
    }
    // V8 would name the rewritten call (R.receiver(...).split is not a function): the error it gives the code as written instead
    if (written !== undefined) {
      if (value === null || value === undefined) throw new TypeError(`Cannot read properties of ${String(value)} (reading '${method}')`);
      if (typeof (value as Record<string, unknown>)[method] !== "function") throw new TypeError(`${written}.${method} is not a function`);
    }
    return value;
  },
};

export type RegexHelpers = typeof regexHelpers;

const METHODS = new Set([...STRING_METHODS, "test", "exec"]);
/* receivers V8 prints without parentheses in "x.split is not a function" */
const SIMPLE = new Set(["Identifier", "MemberExpression", "CallExpression", "ThisExpression", "Literal", "TemplateLiteral"]);

/**
 * acorn-walk visitors that rewrite the regular expressions of a parsed body
 * (see the comment at the top), calling `edited` per change. Edits are
 * insertions only, so they nest with the step counting of js-steps.ts.
 */
export function regexVisitors(code: MagicString, edited: () => void): Record<string, (node: Node) => void> {
  const wrap = (node: Node, before: string, after: string): void => {
    code.prependRight(node.start, before);
    code.appendLeft(node.end, after);
    edited();
  };
  const constructor = (node: Node): void => {
    const callee = (node as Node & { callee: Node & { name?: string } }).callee;
    if (callee.type !== "Identifier" || callee.name !== "RegExp") return;
    code.prependRight(callee.start, `${REGEX}.`);
    edited();
  };
  return {
    Literal: (node) => {
      if ((node as Node & { regex?: unknown }).regex !== undefined) wrap(node, `${REGEX}.literal(`, ")");
    },
    NewExpression: constructor,
    CallExpression: (node) => {
      constructor(node);
      const call = node as Node & { callee: Node; optional?: boolean };
      const callee = call.callee as Node & { computed?: boolean; optional?: boolean; object?: Node & { regex?: unknown }; property?: Node & { name?: string } };
      if (callee.type !== "MemberExpression" || callee.computed || callee.property?.type !== "Identifier" || !METHODS.has(callee.property.name!)) return;
      const object = callee.object!;
      // a literal is bounded already
      if (object.type === "Super" || object.regex !== undefined) return;
      let text = code.original.slice(object.start, object.end).replace(/\s+/g, " ");
      if (!SIMPLE.has(object.type)) text = `(${text})`;
      const written = call.optional || callee.optional ? "" : `, ${JSON.stringify(text)}`;
      wrap(object, `${REGEX}.receiver(`, `, ${JSON.stringify(callee.property.name)}${written})`);
    },
  };
}

/* A cheap test first: most expressions have no regular expression, nor anything a regular expression could hide in. */
export const MAY_USE_REGEX = /\/|\bRegExp\b|\b(?:match|matchAll|search|replace|replaceAll|split|test|exec)\b/;
