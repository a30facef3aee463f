/*
 * Module hooks (node:module register) for a TypeScript process file that a
 * bundle cannot keep as written (bundle-process-file.ts: an import of a
 * computed path, import.meta.resolve): Node then loads the user's files one
 * by one, and these make TypeScript loadable as tsx did, without tsx and the
 * esbuild it brings with an install script.
 *
 * resolve: what Node cannot find is looked up as TypeScript resolves it: a
 * relative `./x.js` that is `./x.ts` (.tsx, .mts, .cts likewise),
 * extensionless paths and folder indexes, and the tsconfig.json's `paths`
 * (TSX_TSCONFIG_PATH's file when set, as tsx reads it). A TypeScript file's
 * format is its extension's, else its package's "type"; the format hook
 * (format-hook.ts), registered after these, then lets syntax overrule it.
 *
 * load: an ES module's types are stripped by oxc, with an inline source map
 * so stack traces name the .ts lines. CommonJS gets no source: Node's own
 * CommonJS loader runs it, through the require() of TypeScript that
 * commonjs.ts registers, so that its require("adhesive-bpmn") is the
 * instance the CLI uses.
 */
import { readFile } from "node:fs/promises";
import { createRequire, type LoadHook, type ResolveFnOutput, type ResolveHook } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ResolverFactory } from "rolldown/experimental";
import { problemOf } from "./bundle-process-file.js";
import { packageType } from "./package-type.js";

export interface TypeScriptHooksData {
  /** the tsconfig.json whose `paths` apply everywhere (TSX_TSCONFIG_PATH); undefined: each file's nearest */
  readonly tsconfig: string | undefined;
}

const TYPESCRIPT = /\.[cm]?tsx?$/;
const NOT_FOUND = new Set(["ERR_MODULE_NOT_FOUND", "ERR_UNSUPPORTED_DIR_IMPORT"]);
const rolldown = () => createRequire(import.meta.url)("rolldown/experimental") as typeof import("rolldown/experimental");

let tsconfig: string | undefined;
let resolver: ResolverFactory | undefined;

export function initialize(data: TypeScriptHooksData): void {
  tsconfig = data.tsconfig;
}

export const resolve: ResolveHook = async (specifier, context, next) => {
  const parent = context.parentURL?.startsWith("file:") === true && !context.parentURL.includes("/node_modules/") ? fileURLToPath(context.parentURL) : undefined;
  // `paths` come before node_modules, as in TypeScript
  const mapped = parent !== undefined && isBare(specifier) ? asTypeScriptResolves(specifier, parent) : undefined;
  let resolved: ResolveFnOutput;
  try {
    resolved = await next(mapped === undefined ? specifier : pathToFileURL(mapped).href, context);
  } catch (error) {
    const path = parent !== undefined && !isBare(specifier) ? asTypeScriptResolves(specifier, parent) : undefined;
    if (path === undefined || !NOT_FOUND.has((error as { code?: string }).code ?? "")) throw error;
    resolved = await next(pathToFileURL(path).href, context);
  }
  if (!resolved.url.startsWith("file:") || !TYPESCRIPT.test(new URL(resolved.url).pathname)) return resolved;
  return { ...resolved, format: await formatOf(fileURLToPath(resolved.url)) };
};

export const load: LoadHook = async (url, context, next) => {
  if (!url.startsWith("file:") || !TYPESCRIPT.test(new URL(url).pathname)) return next(url, context);
  const file = fileURLToPath(url);
  const format = context.format ?? (await formatOf(file));
  if (format === "commonjs") return { format, shortCircuit: true };
  return { format: "module", source: compile(file, await readFile(file, "utf8")), shortCircuit: true };
};

/* a file by TypeScript's rules, or by the tsconfig.json's `paths`; packages are Node's to find (no node_modules here) */
function asTypeScriptResolves(specifier: string, parent: string): string | undefined {
  resolver ??= new (rolldown().ResolverFactory)({
    tsconfig: tsconfig === undefined ? "auto" : { configFile: tsconfig },
    modules: [],
    extensions: [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json"],
    extensionAlias: { ".js": [".ts", ".tsx", ".js"], ".jsx": [".tsx", ".jsx"], ".mjs": [".mts", ".mjs"], ".cjs": [".cts", ".cjs"] },
  });
  return resolver.resolveFileSync(parent, specifier).path;
}

function isBare(specifier: string): boolean {
  return !/^(?:\.{0,2}\/|[a-z]+:)/i.test(specifier);
}

async function formatOf(file: string): Promise<"module" | "commonjs"> {
  if (/\.mtsx?$/.test(file)) return "module";
  if (/\.ctsx?$/.test(file)) return "commonjs";
  return packageType(file);
}

function compile(file: string, text: string): string {
  const result = rolldown().transformSync(file, text, { sourcemap: true, sourceType: "module" });
  if (result.errors.length > 0) throw new SyntaxError(`${file} cannot be compiled:\n  ${result.errors.map(problemOf).join("\n  ")}`);
  const map = Buffer.from(JSON.stringify({ ...result.map, sources: [pathToFileURL(file).href] })).toString("base64");
  return `${result.code}\n//# sourceMappingURL=data:application/json;base64,${map}\n`;
}
