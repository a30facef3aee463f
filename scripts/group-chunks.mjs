/*
 * esbuild splits dist/ into a chunk for every set of entries and lazy
 * imports that share code: a CLI run of a process file loaded 68 files of
 * dist/, half of them under 1 KB, and Node spends about 0.4 ms on each
 * module it resolves, reads, links and runs besides its code (issue 20's
 * start-up: the same code as one file loaded in 36 ms against 63 ms as its
 * 68 chunks). esbuild has no say in how chunks are cut, so rollup regroups
 * its output into a few chunks by what loads them (GROUPS): --version's,
 * the configuration's, the module hooks', what the commands that run
 * nothing share with a run (two: the BPMN reading of lint and types is a
 * chunk of its own), and the run's (the API and the CLI's run of a process
 * file). Chunks of no group, the ones only lazy imports elsewhere
 * load, stay as they are, and a lazy import stays lazy. Every module keeps
 * one instance, and code moves only between files of dist/chunks/, so what
 * it finds by `new URL(..., import.meta.url)` (bundle-sources.mjs) is where
 * it was.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { rollup } from "rollup";

/*
 * The groups, each one chunk: the modules of dist/chunks/ that the entries
 * and lazy imports of `roots` load before they run (their static imports),
 * less those of the groups before it. A group's modules then import only
 * their own group's and earlier groups' modules: each group loads no later
 * one. `with`: only those also loaded by these roots.
 */
const RUN = ["src/index.ts", "src/cli/run-file.ts", "src/live/live-run.ts"];
const GROUPS = [
  /* what --version and --help load besides cli/main.js */
  { name: "cli", roots: ["src/cli/main.ts"] },
  /* the configuration, which every other command reads */
  { name: "config", roots: ["src/config/load.ts"] },
  /* the module hooks' code, which runs in the hooks' own thread too */
  { name: "hooks", roots: ["src/loader/format-hook.ts", "src/loader/typescript-hooks.ts", "src/cli/plugin-resolver.ts"] },
  /* what the commands that run nothing share with a run (the runs list, clean, send, a failure's report): they would otherwise load the run's 420 KB besides */
  {
    name: "common",
    roots: [
      "src/cli/clean.ts",
      "src/cli/runs.ts",
      "src/cli/inbox-commands.ts",
      "src/cli/failure.ts",
      "src/runs/resume-target.ts",
      "src/store/resume-target.ts",
      "src/cli/live-view.ts",
      "src/web/live-view.ts",
    ],
    with: RUN,
  },
  /* the reading of BPMN files, which lint and types share with a run besides the common chunk */
  { name: "bpmn", roots: ["src/cli/lint.ts", "src/cli/types-file.ts"], with: RUN },
  /* the API, which the process file imports, and the CLI's run of it */
  { name: "run", roots: RUN },
];
/* esbuild's output: `import ... from "./x.js"`, `import "./x.js"`, `export ... from "./x.js"` at the start of a line */
const STATIC_IMPORT = /^(?:import|export)\b[^;"]*?(?:from\s*)?"(\.{1,2}\/[^"]+)"/gm;

/**
 * Regroups the chunks under dist/ (see above); `metafile`: esbuild's, which names
 * the output file of each entry and lazily imported module.
 */
export async function groupChunks(root, metafile) {
  const dist = join(root, "dist");
  const outputOf = new Map();
  for (const [output, info] of Object.entries(metafile.outputs)) if (info.entryPoint !== undefined) outputOf.set(info.entryPoint, join(root, output));
  const closure = (sources) => staticClosure(sources.map((source) => outputOfSource(outputOf, source)));
  const groupOf = new Map();
  for (const group of GROUPS) {
    const also = group.with === undefined ? undefined : closure(group.with);
    for (const file of closure(group.roots)) {
      if (inFolder(file, join(dist, "chunks")) && !groupOf.has(file) && (also === undefined || also.has(file))) groupOf.set(file, group.name);
    }
  }
  const files = readdirSync(dist, { recursive: true }).filter((name) => name.endsWith(".js")).map((name) => join(dist, name));
  const kept = files.filter((file) => !groupOf.has(file));
  const nameOf = new Map(kept.map((file) => [file, relative(dist, file).split(sep).join("/").replace(/\.js$/, "")]));
  const bundle = await rollup({
    // every file that is in no group is an entry, so it keeps its place, its name and its exports
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
    // a chunk of its own for each file that stays: rollup would otherwise move what a group imports into the group too
    manualChunks: (id) => groupOf.get(id) ?? nameOf.get(id),
  });
  await bundle.close();
  for (const file of groupOf.keys()) rmSync(file);
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
