/*
 * Whether a .js/.ts file is an ES module, told by its syntax, the rule Node
 * applies to files whose package has no "type": import, export, import.meta
 * or top-level await make an ES module. oxc's parser tells (rolldown brings
 * it). A scan for the words first spares the parse for the files that cannot
 * be ES modules.
 */
import { createRequire } from "node:module";

const ESM_WORDS = /\b(?:import|export|await)\b/;
const COMMONJS_WORDS = /\b(?:require|module|exports)\b/;

/** undefined when the text does not parse: whoever loads the file then reports the error with its line */
export async function hasModuleSyntax(text: string, file: string): Promise<boolean | undefined> {
  if (!ESM_WORDS.test(text)) return false;
  // required, not imported: the format hook's thread asks this for every user file it loads
  const { parseSync } = createRequire(import.meta.url)("rolldown/experimental") as typeof import("rolldown/experimental");
  // the file's own extension decides the language: types in a .ts, JSX in a .tsx
  const result = parseSync(file, text, { sourceType: "unambiguous" });
  if (result.errors.length > 0) return undefined;
  return result.module.hasModuleSyntax;
}

/** Without the parse when the words settle it: a file with no CommonJS word is taken as an ES module. */
export async function isModule(text: string, file: string): Promise<boolean> {
  if (!COMMONJS_WORDS.test(text)) return true;
  return (await hasModuleSyntax(text, file)) ?? true;
}
