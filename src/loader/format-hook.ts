/*
 * A module hook (node:module register): a .js or .ts file with ES module
 * syntax loads as an ES module even where its package.json says "type":
 * "commonjs" (what `npm init -y` writes), or has no "type", or there is no
 * package.json. Node and TypeScript hooks go by "type" alone there for .ts (and Node by
 * "type" for .js when it is set), so the README's `_adhesive.ts` would be
 * compiled to CommonJS: top-level await is then a syntax error, and the
 * CLI's import() of it ends in ERR_REQUIRE_CYCLE_MODULE.
 *
 * Only files outside node_modules and outside adhesive itself are looked at;
 * .mjs/.mts/.cjs/.cts say what they are. Registered after the TypeScript
 * hooks (typescript-hooks.ts, or tsx's in a clone of the repository), so
 * this load hook runs first and hands them the format to compile to.
 */
import { readFile } from "node:fs/promises";
import type { LoadHook } from "node:module";
import { fileURLToPath } from "node:url";
import { hasModuleSyntax } from "./syntax.js";

export interface FormatHookData {
  /** folders (file URLs ending in /) whose files keep the format Node gives them: adhesive's own code */
  readonly skip: readonly string[];
  /** file URLs already known to be ES modules (the process file: the CLI has looked at it) */
  readonly modules: readonly string[];
}

const AMBIGUOUS = /\.[jt]sx?$/;

let skip: readonly string[] = [];
let modules = new Set<string>();

export function initialize(data: FormatHookData): void {
  skip = data.skip;
  modules = new Set(data.modules);
}

export const load: LoadHook = async (url, context, next) => {
  if (context.format === "commonjs" && isUserFile(url) && (modules.has(url) || (await isEsm(fileURLToPath(url))))) return next(url, { ...context, format: "module" });
  return next(url, context);
};

function isUserFile(url: string): boolean {
  return url.startsWith("file:") && AMBIGUOUS.test(url) && !url.includes("/node_modules/") && !skip.some((folder) => url.startsWith(folder));
}

async function isEsm(file: string): Promise<boolean> {
  try {
    return (await hasModuleSyntax(await readFile(file, "utf8"), file)) === true;
  } catch {
    return false; // unreadable: Node reports it
  }
}
