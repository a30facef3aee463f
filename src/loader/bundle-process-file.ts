/*
 * A TypeScript process file that is an ES module, compiled by esbuild into
 * one ES module with the user's own files inside and every package left to
 * Node, then imported from a private cache. Not through tsx's module hooks:
 * on Node 20 those start a hooks thread and send every later import through
 * it, which was about 40% of the hello example's start-up CPU.
 *
 * Packages are imported by the file URL esbuild resolves for them, with
 * Node's conditions (import, node, default; no "module", no "browser"), so
 * `adhesive-bpmn` is the very module the CLI has loaded: one instance.
 * `import.meta.url`, `dirname` and `filename` are the source file's, as
 * under tsx; source maps make stack traces (and so the folder relative BPMN
 * paths resolve against, call-site.ts) name the .ts files and their lines.
 *
 * What a bundle cannot keep as the author meant (an import whose path is
 * computed, `import.meta.resolve`) returns undefined: the caller loads the
 * file through tsx then, as before.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { basename, dirname, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { BuildFailure, Message, Plugin, PluginBuild } from "esbuild";
import { AdhesiveError } from "../errors.js";
import { pluginModule } from "./plugin-module.js";

/** A TypeScript process file (or a file it imports) that cannot be compiled: each problem with its file, line and column. */
export class ProcessFileCompileError extends AdhesiveError {
  constructor(file: string, problems: readonly string[], options?: { cause?: unknown }) {
    super("ADHESIVE_PROCESS_FILE", `${file} cannot be compiled:\n  ${problems.join("\n  ")}`, options);
  }
}

/* compiled files nobody has used for this long are removed when a new one is written */
const PRUNE_AFTER_MS = 30 * 24 * 3600 * 1000;
const OWN_SOURCE = /\.[cm]?[jt]sx?$/;
/* what Node can import itself; a package whose entry is TypeScript (a linked workspace) is compiled into the bundle instead */
const NODE_LOADS = /\.(?:[cm]?js|json|node)$/;
const FROM_RESOLVE = Symbol("adhesive-bpmn.resolve");

/** The file URL of `file` compiled, ready to import; undefined when only tsx can load it as written. */
export async function bundledProcessFile(file: string, pluginFolders: readonly string[] = []): Promise<string | undefined> {
  const folder = cacheFolder();
  if (folder === undefined) return undefined;
  // per file, tsconfig override and copy of adhesive: each may resolve the file's imports elsewhere
  const key = createHash("sha256").update(`${file}\0${process.env.TSX_TSCONFIG_PATH ?? ""}\0${import.meta.url}\0${pluginFolders.join("\0")}`).digest("hex");
  const manifestFile = join(folder, `${key.slice(0, 16)}.json`);
  const cached = unchanged(manifestFile, folder);
  if (cached !== undefined) return pathToFileURL(cached).href;
  const { build } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  let bundleable = true;
  const packages: string[] = [];
  const safeName = basename(file).replace(/\W/g, "_");
  const result = await build({
    absWorkingDir: dirname(file),
    entryPoints: [file],
    outfile: join(folder, `${safeName}.mjs`),
    metafile: true,
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: `node${process.versions.node}`,
    // tsx's own override of the tsconfig.json (its `paths` included), which a project may rely on
    tsconfig: process.env.TSX_TSCONFIG_PATH || undefined,
    conditions: [],
    mainFields: ["main"],
    sourcemap: "inline",
    sourcesContent: false,
    logLevel: "silent",
    plugins: [packagesToNode(packages, pluginFolders), ownSources(() => (bundleable = false))],
  }).catch((error: unknown) => {
    const messages = (error as Partial<BuildFailure>).errors;
    if (messages === undefined) throw error;
    throw new ProcessFileCompileError(file, messages.map((message) => problemOf(message, dirname(file))), { cause: error });
  });
  if (!bundleable || result.warnings.some((warning) => /will not be bundled|cannot be bundled|not a string literal/i.test(warning.text))) return undefined;
  const code = result.outputFiles[0]!.contents;
  const name = `${safeName}-${createHash("sha256").update(file).update(code).digest("hex").slice(0, 16)}.mjs`;
  const target = join(folder, name);
  if (!existsSync(target)) {
    writeAtomically(target, code);
    prune(folder, name);
  }
  const inputs = Object.keys(result.metafile!.inputs).map((input) => resolve(dirname(file), input));
  writeAtomically(manifestFile, JSON.stringify({ output: name, files: [...inputs, ...packages].map((path) => [path, ...stamp(path)]) } satisfies Manifest));
  return pathToFileURL(target).href;
}

/* what a compiled file was made from: its files (the user's, and the packages' entries it imports) with their modification time and size */
interface Manifest {
  output: string;
  files: Array<[path: string, mtimeMs: number, size: number]>;
}

/* the compiled file when none of what it was made from changed since: no esbuild process to start (about a fifth of the hello example's start-up) */
function unchanged(manifestFile: string, folder: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    for (const [path, mtimeMs, size] of manifest.files) {
      const [nowMtime, nowSize] = stamp(path);
      if (nowMtime !== mtimeMs || nowSize !== size) return undefined;
    }
    const output = join(folder, basename(manifest.output));
    return existsSync(output) ? output : undefined;
  } catch {
    return undefined;
  }
}

function stamp(path: string): [number, number] {
  const stat = statSync(path);
  return [stat.mtimeMs, stat.size];
}

/* concurrent runs of one file write the same bytes: whichever rename lands last, the file is whole */
function writeAtomically(path: string, content: string | Uint8Array): void {
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, content, { mode: 0o600 });
  renameSync(partial, path);
}

/* bare imports stay imports, of the file Node would load; the build's error names the importing file and line when none resolves */
function packagesToNode(imported: string[], pluginFolders: readonly string[]): Plugin {
  return {
    name: "adhesive-packages-to-node",
    setup(build: PluginBuild) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === FROM_RESOLVE || args.path.startsWith("node:")) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: FROM_RESOLVE });
        if (resolved.errors.length > 0) {
          // the `plugins` config key (plugin-module.ts)
          const plugin = pluginModule(args.path, pluginFolders);
          return plugin === undefined ? { errors: resolved.errors } : { path: plugin };
        }
        if (resolved.external) return { path: args.path, external: true };
        if (!NODE_LOADS.test(resolved.path)) return { path: resolved.path };
        imported.push(resolved.path);
        return { path: pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
}

function problemOf(message: Message, folder: string): string {
  const where = message.location;
  const plugin = message.pluginName === "" ? "" : ` (${message.pluginName})`;
  if (where === null) return `${message.text}${plugin}`;
  return `${resolve(folder, where.file)}:${where.line}:${where.column + 1}: ${message.text}${plugin}\n    ${where.lineText.trim()}`;
}

/*
 * Each of the user's files keeps its own import.meta (one bundle has one
 * module URL). A file that imports a path esbuild cannot follow (a variable,
 * or a template that does not start with ./ or ../, which esbuild takes as a
 * pattern of files to bundle) would look for it beside the compiled file.
 */
function ownSources(notBundleable: () => void): Plugin {
  return {
    name: "adhesive-own-sources",
    setup(build: PluginBuild) {
      build.onLoad({ filter: OWN_SOURCE }, (args) => {
        if (args.path.split(sep).includes("node_modules")) return undefined;
        let text = readFileSync(args.path, "utf8");
        if (/\b(?:import|require)\s*\(\s*(?!["']|`\.\.?\/|\))/.test(text)) notBundleable();
        if (!text.includes("import.meta")) return undefined;
        const url = pathToFileURL(args.path).href;
        text = text
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)));
        // import.meta.resolve, or import.meta as a value: only the file's own module has them
        if (text.includes("import.meta")) notBundleable();
        return { contents: text, loader: loaderOf(args.path) };
      });
    },
  };
}

function loaderOf(path: string): "ts" | "tsx" | "js" | "jsx" {
  if (/\.[cm]?tsx$/.test(path)) return "tsx";
  if (/\.[cm]?ts$/.test(path)) return "ts";
  return path.endsWith("x") ? "jsx" : "js";
}

/*
 * The user's own folder in the system's temporary folder: code imported from
 * there runs, so it must be nobody else's to write (created 0700, and found
 * so). Undefined when it is not: tsx compiles in memory instead.
 */
function cacheFolder(): string | undefined {
  const uid = process.getuid?.();
  const folder = join(tmpdir(), `adhesive-bpmn-${uid ?? userInfo().username}`, "compiled");
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    for (const path of [join(folder, ".."), folder]) {
      const stat = lstatSync(path);
      if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) return undefined;
    }
    return folder;
  } catch {
    return undefined;
  }
}

/* one file per version of a process file: without this the folder would keep every edit ever run */
function prune(folder: string, keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(folder)) {
    if (name === keep) continue;
    const path = join(folder, name);
    try {
      if (now - statSync(path).atimeMs > PRUNE_AFTER_MS) rmSync(path, { force: true });
    } catch {
      // another run removed or replaced it meanwhile
    }
  }
}
