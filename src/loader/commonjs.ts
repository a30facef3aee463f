/*
 * CommonJS process files load through Node's own CommonJS loader, not
 * through import(): only there does require("adhesive-bpmn") get the ES
 * module build itself (Node's require(esm)), the instance the CLI uses. In
 * Node 20, a CommonJS file whose source a module hook supplies (tsx does so
 * for TypeScript) gets a require() that cannot load ES modules at all.
 *
 * TypeScript files (.ts .cts .tsx) have their types stripped by oxc's
 * transform (rolldown brings it) as they are required. By hand because tsx's
 * CommonJS hooks also compile every ES module .js they meet to CommonJS,
 * which loads a second copy of adhesive and breaks packages that export to
 * import only. oxc does not turn import/export into require(): a .cts
 * written with them fails as Node's own .cjs would.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Module } from "node:module";
import { pathToFileURL } from "node:url";
import { ProcessFileCompileError, problemOf } from "./bundle-process-file.js";

const TYPESCRIPT = /\.[cm]?tsx?$/;

interface CompilableModule extends NodeJS.Module {
  _compile(code: string, file: string, format?: "commonjs"): void;
}

let typeScriptRegistered = false;

/** require() of .ts, .cts and .tsx files from here on (existing handlers, tsx's or a user's, stay). */
export function registerTypeScriptRequire(): void {
  if (typeScriptRegistered) return;
  typeScriptRegistered = true;
  // the stack frames of errors then point into the TypeScript source
  process.setSourceMapsEnabled(true);
  const { extensions } = createRequire(import.meta.url);
  for (const extension of [".ts", ".cts", ".tsx"]) {
    extensions[extension] ??= (module, file) => (module as CompilableModule)._compile(compile(file), file, "commonjs");
  }
}

/**
 * Runs `file` as CommonJS, whatever its extension and package "type" (a
 * .js that only uses require() in a "type": "module" project included).
 */
export function requireProcessFile(file: string): void {
  const module = new Module(file) as CompilableModule;
  module.filename = file;
  const require = createRequire(file);
  module.paths = require.resolve.paths("adhesive-bpmn") ?? [];
  require.cache[file] = module;
  try {
    module._compile(TYPESCRIPT.test(file) ? compile(file) : readFileSync(file, "utf8"), file, "commonjs");
    module.loaded = true;
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
}

function compile(file: string): string {
  // loaded here, not at the top: only TypeScript needs it
  const { transformSync } = createRequire(import.meta.url)("rolldown/experimental") as typeof import("rolldown/experimental");
  // no lowering (its helpers would be a package to require): Node 20 runs what TypeScript users write
  const result = transformSync(file, readFileSync(file, "utf8"), { sourcemap: true, sourceType: "commonjs" });
  if (result.errors.length > 0) throw new ProcessFileCompileError(file, result.errors.map(problemOf));
  return `${result.code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify({ ...result.map, sources: [pathToFileURL(file).href] })).toString("base64")}\n`;
}
