/*
 * esbuild splits dist/ into a chunk for every set of entries and lazy
 * imports that share code: a CLI run of a process file loaded 68 files of
 * dist/, half of them under 1 KB, and Node spends about 0.4 ms on each
 * module it resolves, reads, links and runs besides its code (issue 20's
 * start-up: the same code as one file loaded in 36 ms against 63 ms as its
 * 68 chunks). esbuild has no say in how chunks are cut, so rollup regroups
 * its output. The chunks that the API (dist/index.js) and a CLI run (the
 * lazy run-file and live-run modules) load become two: chunks/common-*.js,
 * the part that the commands which run nothing (lint, runs, clean, send,
 * a failure's report ...) load too, and chunks/run-*.js, the rest; those
 * commands would otherwise load the whole run's code, 670 KB, for their
 * 20-250 KB. Left as they are: what --version and --help load (cli/main.js's
 * static imports), the configuration every other command reads, and the
 * module hooks' code, which runs in the hooks' own thread; a lazy import
 * elsewhere stays lazy. Every module keeps one instance, and code moves only
 * between files of dist/chunks/, so what it finds by `new URL(...,
 * import.meta.url)` (bundle-sources.mjs) is where it was.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { rollup } from "rollup";

/* the modules a run loads (besides dist/index.js, the API the process file imports), by source */
const RUN_ROOTS = ["src/cli/run-file.ts", "src/live/live-run.ts"];
/* entries whose static imports stay out of the merged chunk: --version, every command's configuration, the module hooks */
const LEAN_ROOTS = ["src/cli/main.ts", "src/config/load.ts", "src/loader/format-hook.ts", "src/loader/typescript-hooks.ts", "src/cli/plugin-resolver.ts"];
/* the commands that run nothing: what they share with a run is the common chunk */
const LIGHT_ROOTS = [
  "src/cli/lint.ts",
  "src/cli/clean.ts",
  "src/cli/runs.ts",
  "src/cli/inbox-commands.ts",
  "src/cli/failure.ts",
  "src/cli/types-file.ts",
  "src/runs/resume-target.ts",
  "src/store/resume-target.ts",
  "src/cli/live-view.ts",
  "src/web/live-view.ts",
];
/* esbuild's output: `import ... from "./x.js"`, `import "./x.js"`, `export ... from "./x.js"` at the start of a line */
const STATIC_IMPORT = /^(?:import|export)\b[^;"]*?(?:from\s*)?"(\.{1,2}\/[^"]+)"/gm;

/**
 * Regroups dist/'s chunks (see above); `metafile`: esbuild's, which names
 * the output file of each entry and lazily imported module.
 */
export async function mergeRunChunks(root, metafile) {
  const dist = join(root, "dist");
  const outputOf = new Map();
  for (const [output, info] of Object.entries(metafile.outputs)) if (info.entryPoint !== undefined) outputOf.set(info.entryPoint, join(root, output));
  const closure = (sources) => staticClosure(sources.map((source) => outputOfSource(outputOf, source)));
  const lean = closure(LEAN_ROOTS);
  const merged = new Set([...closure(["src/index.ts", ...RUN_ROOTS])].filter((file) => !lean.has(file) && inFolder(file, join(dist, "chunks"))));
  // a static closure: common's modules import none of run's, so the light commands never load run's chunk
  const light = closure(LIGHT_ROOTS);
  const groupOf = (file) => (merged.has(file) ? (light.has(file) ? "common" : "run") : undefined);
  const files = readdirSync(dist, { recursive: true }).filter((name) => name.endsWith(".js")).map((name) => join(dist, name));
  const kept = files.filter((file) => !merged.has(file));
  const nameOf = new Map(kept.map((file) => [file, relative(dist, file).split(sep).join("/").replace(/\.js$/, "")]));
  const bundle = await rollup({
    // every file that is not merged is an entry, so it keeps its place, its name and its exports
    input: Object.fromEntries([...nameOf].map(([file, name]) => [name, file])),
    external: (id) => !id.startsWith(".") && !id.startsWith("/"),
    preserveEntrySignatures: "strict",
    // esbuild's output is the program as it is: nothing to drop
    treeshake: false,
    onwarn(warning) {
      throw new Error(`merging dist/'s chunks: ${warning.message}`);
    },
  });
  const { output } = await bundle.generate({
    format: "es",
    entryFileNames: "[name].js",
    chunkFileNames: "chunks/[name]-[hash].js",
    importAttributesKey: "with",
    // a chunk of its own for each file that stays: rollup would otherwise move the merged chunk's imports into it too
    manualChunks: (id) => groupOf(id) ?? nameOf.get(id),
  });
  await bundle.close();
  for (const file of merged) rmSync(file);
  for (const chunk of output) {
    if (chunk.type !== "chunk") throw new Error(`merging dist/'s chunks: unexpected asset ${chunk.fileName}`);
    writeFileSync(join(dist, chunk.fileName), chunk.code);
  }
}

function outputOfSource(outputOf, source) {
  const file = outputOf.get(source);
  if (file === undefined) throw new Error(`merging dist/'s chunks: esbuild made no file for ${source}`);
  return file;
}

/* the files the given ones load before they run: their static imports, transitively */
function staticClosure(files) {
  const seen = new Set();
  const pending = [...files];
  while (pending.length > 0) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(STATIC_IMPORT)) pending.push(join(file, "..", match[1]));
  }
  return seen;
}

function inFolder(file, folder) {
  const path = relative(folder, file);
  return path !== "" && !path.startsWith("..") && !posix.isAbsolute(path);
}
