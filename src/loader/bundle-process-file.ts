/*
 * A TypeScript process file that is an ES module, compiled by rolldown into
 * one ES module with the user's own files inside and every package left to
 * Node, then imported from a private cache. Not through module hooks: on
 * Node 20 those start a hooks thread and send every later import through it,
 * which was about 40% of the hello example's start-up CPU.
 *
 * Packages are imported by the file URL rolldown resolves for them, with
 * Node's conditions (import, node, default; no "module", no "browser"), so
 * `adhesive-bpmn` is the very module the CLI has loaded: one instance.
 * `import.meta.url`, `dirname` and `filename` are the source file's, as
 * under Node; source maps make stack traces (and so the folder relative BPMN
 * paths resolve against, call-site.ts) name the .ts files and their lines.
 *
 * What a bundle cannot keep as the author meant (an import whose path is
 * computed, `import.meta.resolve`) returns undefined: the caller loads the
 * file through adhesive's module hooks then (typescript-hooks.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin, RolldownError, RolldownLog } from "rolldown";
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

/** The file URL of `file` compiled, ready to import; undefined when only the module hooks (typescript-hooks.ts) can load it as written. */
export async function bundledProcessFile(file: string, pluginFolders: readonly string[] = []): Promise<string | undefined> {
  const folder = cacheFolder();
  if (folder === undefined) return undefined;
  // per file, tsconfig override and copy of adhesive: each may resolve the file's imports elsewhere
  const key = createHash("sha256").update(`${file}\0${process.env.TSX_TSCONFIG_PATH ?? ""}\0${import.meta.url}\0${pluginFolders.join("\0")}`).digest("hex");
  const manifestFile = join(folder, `${key.slice(0, 16)}.json`);
  const cached = unchanged(manifestFile, folder);
  if (cached !== undefined) return pathToFileURL(cached).href;
  const { rolldown } = (await import("rolldown")) as typeof import("rolldown");
  const { viteDynamicImportVarsPlugin, viteImportGlobPlugin } = (await import("rolldown/experimental")) as typeof import("rolldown/experimental");
  let bundleable = true;
  const packages: string[] = [];
  // rolldown only warns, and leaves the import to fail when the bundle loads
  const unresolved: string[] = [];
  const safeName = basename(file).replace(/\W/g, "_");
  const compiled = await (async () => {
    const bundle = await rolldown({
      input: file,
      cwd: dirname(file),
      platform: "node",
      // tsx's own override of the tsconfig.json (its `paths` included), which a project may rely on; else each file's nearest
      tsconfig: process.env.TSX_TSCONFIG_PATH || true,
      resolve: { mainFields: ["main"] },
      transform: { target: `node${process.versions.node}` },
      onLog(_level, log) {
        if (log.code === "UNRESOLVED_IMPORT") unresolved.push(problemOf({ ...log, message: `Could not resolve ${JSON.stringify(log.exporter)}` }));
      },
      // a template import of ./ or ../ bundles the files it may name, as a pattern
      plugins: [packagesToNode(packages, pluginFolders), ownSources(() => (bundleable = false)), viteDynamicImportVarsPlugin(), viteImportGlobPlugin()],
    });
    try {
      const { output } = await bundle.generate({
        format: "esm",
        dir: folder,
        codeSplitting: false,
        sourcemap: "inline",
        sourcemapExcludeSources: true,
        // the compiled file's name is only known afterwards: each source by its whole URL
        sourcemapPathTransform: (source, map) => pathToFileURL(resolve(dirname(map), source)).href,
      });
      if (unresolved.length > 0) throw Object.assign(new Error(unresolved.join("\n")), { errors: [] });
      return output[0];
    } finally {
      await bundle.close();
    }
  })().catch((error: unknown) => {
    const problems = (error as { errors?: RolldownError[] }).errors;
    if (problems === undefined) throw error;
    throw new ProcessFileCompileError(file, [...problems.map(problemOf), ...unresolved], { cause: error });
  });
  if (!bundleable) return undefined;
  const code = compiled.code;
  const name = `${safeName}-${createHash("sha256").update(file).update(code).digest("hex").slice(0, 16)}.mjs`;
  const target = join(folder, name);
  if (!existsSync(target)) {
    writeAtomically(target, code);
    prune(folder, name);
  }
  const inputs = compiled.moduleIds.filter((id) => isAbsolute(id) && !id.includes("\0"));
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
    resolveId: {
      filter: { id: /^[^./\0]/ },
      async handler(source, importer, options) {
        if (source.startsWith("node:") || isAbsolute(source)) return null;
        const resolved = await this.resolve(source, importer, { kind: options.kind, skipSelf: true });
        if (resolved === null) {
          // the `plugins` config key (plugin-module.ts); none: rolldown reports the import with its place
          const plugin = pluginModule(source, pluginFolders);
          return plugin === undefined ? null : { id: plugin };
        }
        if (resolved.external) return { id: source, external: true };
        if (!NODE_LOADS.test(resolved.id)) return resolved;
        imported.push(resolved.id);
        return { id: pathToFileURL(resolved.id).href, external: true };
      },
    },
  };
}

/** One problem rolldown or oxc reports, as `file:line:column: text` with the line's source under it. */
export function problemOf(problem: RolldownLog): string {
  const text = (problem.message.split("\n")[0] ?? "").replace(/^\[[A-Z_]+\] (?:Error: )?/, "");
  const where = problem.loc;
  if (where?.file === undefined) return text;
  const line = problem.frame?.split("\n").find((candidate) => candidate.startsWith(`${where.line}:`));
  return `${where.file}:${where.line}:${where.column + 1}: ${text}${line === undefined ? "" : `\n    ${line.slice(line.indexOf(":") + 1).trim()}`}`;
}

/*
 * Each of the user's files keeps its own import.meta (one bundle has one
 * module URL). A file that imports a path rolldown cannot follow (a variable,
 * or a template that does not start with ./ or ../, which rolldown takes as
 * a pattern of files to bundle) would look for it beside the compiled file.
 */
function ownSources(notBundleable: () => void): Plugin {
  return {
    name: "adhesive-own-sources",
    load: {
      filter: { id: OWN_SOURCE },
      handler(id) {
        if (id.split(sep).includes("node_modules") || !isAbsolute(id)) return null;
        let text = readFileSync(id, "utf8");
        if (/\b(?:import|require)\s*\(\s*(?!["']|`\.\.?\/|\))/.test(text)) notBundleable();
        if (!text.includes("import.meta")) return null;
        const url = pathToFileURL(id).href;
        text = text
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(id))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(id)));
        // import.meta.resolve, or import.meta as a value: only the file's own module has them
        if (text.includes("import.meta")) notBundleable();
        return { code: text, moduleType: moduleTypeOf(id) };
      },
    },
  };
}

function moduleTypeOf(path: string): "ts" | "tsx" | "js" | "jsx" {
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
