/*
 * npm run build: the package as published (npm pack/publish need it first:
 * .npmrc's ignore-scripts=true also skips prepack).
 *
 * - dist/**.js: esbuild bundles src/ into the entries the package is loaded
 *   by (the API, the CLI, the worker thread's main module, the two module
 *   hooks), at src/'s paths, and shared chunks under dist/chunks/: one
 *   module instance of everything the entries share, lazy imports still
 *   lazy. A run loaded about 275 modules of tsc's one-file-per-module
 *   output; each costs Node a resolve, a read and a link (issue 20's
 *   start-up). What a module looks for by URL (`new URL("./page/x",
 *   import.meta.url)`) is rewritten to be found from the chunk the code
 *   landed in, at the place it had under src/ (own-urls.mjs). rollup then
 *   regroups esbuild's many small chunks into a few by what loads them
 *   (group-chunks.mjs): each file costs Node about 0.4 ms besides its code.
 *   What is not bundled (plain JavaScript entries of threads and processes,
 *   the live view's page) is copied from src/ as the code names it
 *   (runtime-files.mjs), and a file it names that is missing fails the build.
 * - dist/index.d.ts and dist/index.d.cts: tsc's declarations (TypeScript 7), bundled into
 *   one self-contained file (rollup-plugin-dts), the same text twice: a
 *   CommonJS project needs a .d.cts, because TypeScript refuses (TS1479) a
 *   CommonJS file whose types import an ES module. Only the public API is in
 *   it; internal types that the API mentions are inlined, and nothing is
 *   imported from dependencies (bpmn-moddle, ssh2, zod ... have no types or
 *   are not the user's business).
 * - dist/index.cjs: `require("adhesive-bpmn")` loads the very same ES module
 *   (Node's require(esm)), so the CLI and a CommonJS process file share one
 *   default registry and one set of error classes.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";
import { bundleSources } from "./bundle-sources.mjs";
import { copyRuntimeFiles } from "./runtime-files.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
/* the live view's diagram viewer: bpmn-js is a devDependency (see src/web/static-files.ts) */
const VENDORED = ["bpmn-js/dist/bpmn-navigated-viewer.production.min.js", "bpmn-js/dist/assets/diagram-js.css", "bpmn-js/dist/assets/bpmn-js.css", "bpmn-js/LICENSE"];
const at = (path) => `${root}${path}`;
const require = createRequire(import.meta.url);

rmSync(at("dist"), { recursive: true, force: true });
rmSync(at("build/types"), { recursive: true, force: true });
/* TypeScript 7's native compiler writes the declarations in a sixth of 5.9's CPU time; rollup-plugin-dts and typedoc still need 5.9's JavaScript API (package "typescript") */
const nativeTsc = join(dirname(require.resolve("typescript7/package.json")), "bin/tsc");
execFileSync(process.execPath, [nativeTsc, "-p", at("tsconfig.build.json"), "--emitDeclarationOnly"], { stdio: "inherit" });
await bundleSources(root);
copyVendored();
const copied = copyRuntimeFiles(root);

const bundle = await rollup({
  input: at("build/types/index.d.ts"),
  plugins: [dts()],
  onwarn(warning) {
    throw new Error(`declaration bundle: ${warning.message}`);
  },
});
const { output } = await bundle.generate({ format: "es" });
await bundle.close();
// the API mentions Node's types (AbortSignal, Buffer, streams): @types/node is a dependency
const declarations = `/// <reference types="node" />\n${output[0].code}`;
if (/^import\b|\bimport\(/m.test(declarations)) throw new Error("declaration bundle: it imports another package's types");
writeFileSync(at("dist/index.d.ts"), declarations);
writeFileSync(at("dist/index.d.cts"), declarations);
writeFileSync(at("dist/index.cjs"), '"use strict";\n// One module instance for import and require (see scripts/build.mjs).\nmodule.exports = require("./index.js");\n');
rmSync(at("build"), { recursive: true, force: true });

/* files of devDependencies the package serves as they are (src/web/static-files.ts), with their licence */
function copyVendored() {
  for (const path of VENDORED) {
    const to = at(`dist/web/vendor/${path}`);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(require.resolve(path), to);
  }
}

const { version } = JSON.parse(readFileSync(at("package.json"), "utf8"));
console.log(`built adhesive-bpmn ${version} into dist/, with ${copied.join(", ")} from src/`);
