/*
 * Loads a process file as its author wrote it: .ts .mts .cts .js .mjs .cjs,
 * an ES module (top-level await allowed) or CommonJS, in a "type": "module"
 * or "commonjs" project or in a folder without package.json. A .js or .ts
 * file's syntax decides, not its package's "type" (syntax.ts). TypeScript
 * needs no build step: an ES module is bundled by rolldown
 * (bundle-process-file.ts), and goes through adhesive's module hooks
 * (typescript-hooks.ts) only when a bundle cannot keep it as written;
 * rolldown loads only for TypeScript.
 */
import { readFile } from "node:fs/promises";
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { bundledProcessFile } from "./bundle-process-file.js";
import { registerTypeScriptRequire, requireProcessFile } from "./commonjs.js";
import type { FormatHookData } from "./format-hook.js";
import type { TypeScriptHooksData } from "./typescript-hooks.js";
import { packageType } from "./package-type.js";
import { isModule } from "./syntax.js";

const TYPESCRIPT = /\.[cm]?tsx?$/;
const AMBIGUOUS = /\.[jt]sx?$/;
/* set once TypeScript hooks are registered in this thread: adhesive's, or tsx's by src/source-mode.mjs */
const HOOKS_REGISTERED = Symbol.for("adhesive-bpmn.typescript-hooks");
/* src/ when run from the sources, dist/ when installed */
const OWN_CODE = new URL("../", import.meta.url);
const OWN_EXTENSION = import.meta.url.slice(import.meta.url.lastIndexOf("."));

let formatHookRegistered = false;

/** Runs the file's top-level code; resolves when it has finished (its top-level awaits included). */
export async function importProcessFile(file: string, pluginFolders: readonly string[] = []): Promise<void> {
  const typeScript = TYPESCRIPT.test(file);
  // also for an ES module: the CommonJS .ts files it imports load through require
  if (typeScript) registerTypeScriptRequire();
  if (await isCommonJs(file)) return requireProcessFile(file);
  if (typeScript && !hooksRegistered()) {
    const bundled = await bundledProcessFile(file, pluginFolders);
    if (bundled !== undefined) {
      await import(bundled);
      return;
    }
  }
  // an ES module .js/.ts outside a "type": "module" package is loaded by that hook; .mjs/.mts need none
  const formatHook = AMBIGUOUS.test(file) && (await packageType(file)) !== "module";
  if (typeScript) registerTypeScriptHooks();
  const url = pathToFileURL(file).href;
  if (formatHook) registerFormatHook(url);
  await import(url);
}

async function isCommonJs(file: string): Promise<boolean> {
  if (/\.c[jt]sx?$/.test(file)) return true;
  if (/\.m[jt]sx?$/.test(file)) return false;
  return !(await isModule(await readFile(file, "utf8"), file));
}

/* in a clone of the repository, tsx sends "adhesive-bpmn" to src/ (src/source-mode.mjs): a bundle would import dist/ */
function hooksRegistered(): boolean {
  return (globalThis as { [HOOKS_REGISTERED]?: boolean })[HOOKS_REGISTERED] === true;
}

function registerTypeScriptHooks(): void {
  if (hooksRegistered()) return;
  (globalThis as { [HOOKS_REGISTERED]?: boolean })[HOOKS_REGISTERED] = true;
  const data: TypeScriptHooksData = { tsconfig: process.env.TSX_TSCONFIG_PATH || undefined };
  register(new URL(`./typescript-hooks${OWN_EXTENSION}`, import.meta.url), { data });
}

/* after the TypeScript hooks, so that this load hook runs first and hands them the format to compile to */
function registerFormatHook(processFile: string): void {
  if (formatHookRegistered) return;
  formatHookRegistered = true;
  const data: FormatHookData = { skip: [OWN_CODE.href], modules: [processFile] };
  register(new URL(`./format-hook${OWN_EXTENSION}`, import.meta.url), { data });
}
