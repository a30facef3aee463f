/*
 * Whether a .js/.ts file is an ES module, told by its syntax, the rule Node
 * applies to files whose package has no "type": import, export, import.meta
 * or top-level await make an ES module. esbuild tells (its metafile records
 * each input's format); it reads the text from stdin so that the package's
 * "type" does not count. A scan for the words first spares esbuild for the
 * files that cannot be ES modules.
 */
const ESM_WORDS = /\b(?:import|export|await)\b/;
const COMMONJS_WORDS = /\b(?:require|module|exports)\b/;

type Loader = "js" | "jsx" | "ts" | "tsx";

/** undefined when the text does not parse: whoever loads the file then reports the error with its line */
export async function hasModuleSyntax(text: string, file: string): Promise<boolean | undefined> {
  if (!ESM_WORDS.test(text)) return false;
  const { build } = await import("esbuild");
  try {
    const loader = file.slice(file.lastIndexOf(".") + 1) as Loader;
    const result = await build({ stdin: { contents: text, loader }, write: false, metafile: true, logLevel: "silent" });
    return Object.values(result.metafile.inputs)[0]?.format === "esm";
  } catch {
    return undefined;
  }
}

/** Without the esbuild round trip when the words settle it: a file with no CommonJS word is taken as an ES module. */
export async function isModule(text: string, file: string): Promise<boolean> {
  if (!COMMONJS_WORDS.test(text)) return true;
  return (await hasModuleSyntax(text, file)) ?? true;
}
