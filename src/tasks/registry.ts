import { callerFrame, formatFrame } from "../call-site.js";
import { UsageError } from "../errors.js";
import { foldName } from "../model/name-template.js";
import { nameToPattern, toRegExp } from "./matcher.js";

export type DeclarationKind = "task" | "userTask" | "message" | "messageCallback" | "lane" | "timer" | "condition";

/**
 * What `task({...})` and friends accept besides a plain name or list of
 * names. `Name` and `Type` narrow the names once `adhesive types` has
 * written the process's names (see ProcessNames); regular expressions stay
 * free.
 */
export interface MatcherOptions<Name extends string = string, Type extends string = string> {
  /** the element names it implements; `{...}` placeholders match any rendering (`Build {loop.value}`) */
  name?: Name | Name[];
  /** regular expressions the names are matched with; their groups are passed to the function after `ctx` */
  re?: string | RegExp | Array<string | RegExp>;
  /**
   * The loop of a task run by build(), or of a drawn element whose loop
   * marker has no expression: an expression over the data (a collection to
   * iterate, or a condition to repeat while it holds).
   */
  loop?:
    | string
    | {
        /** the loop's expression */
        expression: string;
        /** iterations one after the other instead of at once */
        sequential?: boolean;
      };
  /** build() only: a condition on the data; the task is skipped when it does not hold */
  when?: string;
  /** build() only: the lane the task runs in */
  lane?: string;
  /** an expression over the data (`event.id`): at most one token per value runs the task at a time, and at most one waits (a newer one replaces it) */
  deduplicate?: string;
  /**
   * What happens to this task when the run was interrupted while it ran and
   * is resumed: "retry" (default) runs it again (ctx.attempt > 1); "fail"
   * fails it instead (an InterruptedTaskError an error boundary can catch),
   * for side effects that must never happen twice.
   */
  onInterrupted?: "retry" | "fail";
  /** service tasks whose job type (zeebe:taskDefinition type, camunda:topic) is one of these */
  type?: Type | Type[];
}

/** A name, a list of names, or options (`{ re }`, `{ type }`, `loop`, ...). */
export type Matcher<Name extends string = string, Type extends string = string> = Name | Name[] | MatcherOptions<Name, Type>;

/** One registered implementation. */
export interface Declaration<F = unknown> {
  kind: DeclarationKind;
  /** literal names, in declaration order (used by the linear build) */
  names: string[];
  patterns: RegExp[];
  /** a readable form of the matcher, for verify and error messages */
  label: string;
  fn: F;
  options: MatcherOptions;
  /** where it was declared (file:line), for verify */
  origin: string | undefined;
}

/** Holds the declarations of one Adhesive instance, in declaration order. */
export class Registry {
  readonly declarations: Declaration[] = [];

  add<F>(kind: DeclarationKind, matcher: Matcher, fn: F): Declaration<F> {
    if (typeof fn !== "function") throw new UsageError(`${kind}(${JSON.stringify(matcher)}): the implementation must be a function`);
    const options = normalize(matcher, kind);
    const names = toList(options.name).map(foldName);
    const patterns = [...names.map(nameToPattern), ...toList(options.re).map(toRegExp)];
    const declaration: Declaration<F> = { kind, names, patterns, label: labelOf(names, options), fn, options, origin: callerOrigin() };
    this.declarations.push(declaration);
    return declaration;
  }

  ofKind(kinds: readonly DeclarationKind[]): Declaration[] {
    return this.declarations.filter((d) => kinds.includes(d.kind));
  }
}

function normalize(matcher: Matcher, kind: string): MatcherOptions {
  const options: MatcherOptions = typeof matcher === "string" || Array.isArray(matcher) ? { name: matcher } : { ...matcher };
  if (toList(options.name).length === 0 && toList(options.re).length === 0 && toList(options.type).length === 0) {
    throw new UsageError(`${kind}() needs a name, a list of names, { re } or { type } to match process elements`);
  }
  return options;
}

function toList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function labelOf(names: string[], options: MatcherOptions): string {
  const res = toList(options.re).map((re) => (re instanceof RegExp ? re.toString() : `/${re}/`));
  const types = toList(options.type).map((type) => `type ${JSON.stringify(type)}`);
  return [...names.map((n) => JSON.stringify(n)), ...res, ...types].join(", ");
}

/** The user's file and line that declared the task, for verify and error messages. */
function callerOrigin(): string | undefined {
  const frame = callerFrame();
  return frame && formatFrame(frame);
}
