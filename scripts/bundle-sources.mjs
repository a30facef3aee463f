/*
 * src/ bundled into dist/ by esbuild (see build.mjs for why): the modules the
 * package is entered by keep src/'s paths, and what they share goes into
 * chunks under dist/chunks/.
 *
 * `import.meta.url` in a source is where that source would be (dist/web/
 * static-files.js for src/web/static-files.ts), wherever the bundle put its
 * code: runtime files are copied from src/ to those places, and `new URL
 * ("../../package.json", import.meta.url)` keeps meaning the package's file.
 * The sources' `import.meta.url` becomes a marker naming that place, and each
 * output file replaces the markers it holds by URLs relative to itself:
 *   new URL("./page/", <marker>)  ->  new URL("../web/page/", import.meta.url)
 *   <marker>                      ->  new URL("../web/static-files.js", import.meta["url"]).href
 * The first form is what runtime-files.mjs reads as a file to ship; the
 * second says where the code is, not a file to load, so it is spelled
 * import.meta["url"], which that scan does not read.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, posix, relative, sep } from "node:path";
import { groupChunks } from "./group-chunks.mjs";

/* what the package is loaded by: its API, bin/'s CLI, a worker thread's main module, the module hooks registered by URL */
const ENTRIES = ["index.ts", "cli/main.ts", "workers/worker-main.ts", "loader/format-hook.ts", "loader/typescript-hooks.ts", "cli/plugin-resolver.ts"];
const MARKER = "ADHESIVE_OWN_URL";
const BY_URL = new RegExp(String.raw`new URL\(\s*(["'\x60])((?:\\.|(?!\1)[^\\])*?)\1\s*,\s*${MARKER}\("([^"]+)"\)\s*\)`, "g");
const BARE = new RegExp(String.raw`${MARKER}\("([^"]+)"\)`, "g");

export async function bundleSources(root) {
  const { build } = createRequire(import.meta.url)("esbuild");
  const src = join(root, "src");
  const dist = join(root, "dist");
  const result = await build({
    absWorkingDir: root,
    entryPoints: ENTRIES.map((entry) => join(src, entry)),
    outbase: src,
    outdir: dist,
    entryNames: "[dir]/[name]",
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    tsconfig: join(root, "tsconfig.build.json"),
    // error classes and task functions are shown by name: a bundle renames what collides
    keepNames: true,
    write: false,
    metafile: true,
    logLevel: "warning",
    plugins: [markOwnUrls(src)],
  });
  for (const file of result.outputFiles) {
    const place = relative(dist, file.path).split(sep).join("/");
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, resolveMarkers(file.text, place));
  }
  await groupChunks(root, result.metafile);
}

function markOwnUrls(src) {
  return {
    name: "adhesive-own-urls",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const place = relative(src, args.path).split(sep).join("/").replace(/\.ts$/, ".js");
        return { contents: text.replaceAll("import.meta.url", `${MARKER}(${JSON.stringify(place)})`), loader: "ts" };
      });
    },
  };
}

/* `place`: the output file's path under dist/; the markers name their sources' places there */
function resolveMarkers(text, place) {
  const from = posix.dirname(place);
  const relativeTo = (path, keepSlash) => {
    const target = posix.relative(from, path) + (keepSlash ? "/" : "");
    return target.startsWith(".") ? target : `./${target}`;
  };
  const out = text
    .replace(BY_URL, (_, quote, path, source) => {
      const fixedEnd = path.indexOf("${");
      const fixed = fixedEnd === -1 ? path : path.slice(0, fixedEnd);
      const rest = fixedEnd === -1 ? "" : path.slice(fixedEnd);
      const target = posix.join(posix.dirname(source), fixed);
      return `new URL(${quote}${relativeTo(target, fixed.endsWith("/"))}${rest}${quote}, import.meta.url)`;
    })
    .replace(BARE, (_, source) => `new URL(${JSON.stringify(relativeTo(source, false))}, import.meta["url"]).href`);
  if (out.includes(MARKER)) throw new Error(`dist/${place}: an import.meta.url the build could not place`);
  return out;
}
