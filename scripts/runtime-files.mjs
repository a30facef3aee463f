/*
 * The files the package loads at run time that tsc does not emit: a worker
 * thread's entry, the supervisor process, the live view's page. The code
 * names each of them by URL (`new URL("./x.mjs", import.meta.url)`), so the
 * list is read from the compiled code itself, not kept by hand: a file added
 * to src/ and loaded that way is in the package without anyone remembering
 * to list it, and one that is not there fails the build instead of a user's
 * run (a FEEL sandbox that never starts, commands that outlive a kill -9).
 *
 * Every .js/.mjs file under dist/ and bin/ is read for
 *   new URL("<path>" or `<path>${...}`, import.meta.url)
 *   import "<path>", ... from "<path>", import("<path>")
 * A relative path must exist in the package: under dist/ (copied from the
 * same place under src/ when tsc did not emit it, then read in turn: a copied
 * worker entry loads further files), or package.json and the "files" entries
 * beside it. A template's fixed start names a folder (`./page/${name}`) or
 * the start of a file name (`./format-hook${extension}`). A bare import must
 * be a Node built-in or a dependency: a devDependency is not installed for
 * the user.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { basename, dirname, join, relative, resolve, sep } from "node:path";

/*
 * Files of src/ that the code looks for but the package must not have:
 * src/source-mode.mjs is what tells bin/adhesive.js and the worker entry that
 * they run in a clone of the repository, from the TypeScript sources; in
 * dist/ it would make the installed package run src/ through tsx.
 */
const SOURCE_ONLY = new Set(["source-mode.mjs"]);

const BY_URL = /new URL\(\s*(["'`])((?:\\.|(?!\1)[^\\])*)\1\s*,\s*import\.meta\.url\s*\)/g;
const IMPORTS = /(?:^|[\s;})])(?:import|export)\s*(?:[\w$*{},\s]+?\s*from\s*)?(["'])([^"'\n]+)\1|\bimport\(\s*(["'])([^"'\n]+)\3\s*\)/g;

export class RuntimeFileError extends Error {
  code = "ADHESIVE_BUILD_RUNTIME_FILE";
}

/**
 * Copies into dist/ what the compiled code loads by URL from src/; throws a
 * RuntimeFileError listing every path the package would miss.
 * Returns the copied paths, relative to `root`.
 */
export function copyRuntimeFiles(packageFolder) {
  const root = resolve(packageFolder);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const dist = join(root, "dist");
  const src = join(root, "src");
  const packaged = ["package.json", ...pkg.files].map((entry) => join(root, entry));
  const dependencies = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies }));
  const copied = [];
  const problems = [];
  const queue = [...codeFiles(dist), ...codeFiles(join(root, "bin"))];
  const seen = new Set(queue);

  /* a module Node loads (`load`) is read in turn for what it loads; a page's file is only served */
  const copy = (from, to, load) => {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    copied.push(relative(root, to));
    if (load && isCode(to) && !seen.has(to)) {
      seen.add(to);
      queue.push(to);
    }
  };

  while (queue.length > 0) {
    const file = queue.shift();
    const text = readFileSync(file, "utf8");
    const where = relative(root, file);
    for (const [, quote, path] of text.matchAll(BY_URL)) {
      const [fixed, ...dynamic] = path.split("${");
      const problem = checkPath(file, fixed, dynamic.length > 0);
      if (problem) problems.push(`${where}: new URL(${quote}${path}${quote}, import.meta.url): ${problem}`);
    }
    for (const match of text.matchAll(IMPORTS)) {
      const specifier = match[2] ?? match[4];
      if (/^\.\.?\//.test(specifier)) {
        const problem = checkPath(file, specifier, false);
        if (problem) problems.push(`${where}: imports ${specifier}: ${problem}`);
      } else if (!isBuiltin(specifier) && !dependencies.has(packageName(specifier))) {
        problems.push(`${where}: imports ${specifier}, which is not in the package's dependencies`);
      }
    }
  }
  if (problems.length > 0) throw new RuntimeFileError(`the package would miss what its code loads at run time:\n  ${problems.join("\n  ")}`);
  return copied;

  /**
   * Why `path` (relative to `file`; with `named`, the fixed start of a path
   * whose end is computed) would not be found in the installed package, or
   * undefined. What dist/ lacks is copied from src/ first.
   */
  function checkPath(file, path, named) {
    const target = resolve(dirname(file), path);
    const folder = path.endsWith("/");
    if (!(target === dist || target.startsWith(dist + sep))) {
      // bin/ looks for src/ to tell a clone of the repository from the package
      if (target.startsWith(src + sep) && file.startsWith(join(root, "bin") + sep)) return undefined;
      // the package's own folder (../ from bin/) holds it all
      if (target !== root && !packaged.some((entry) => target === entry || target.startsWith(entry + sep))) return `${relative(root, target)} is not in the package`;
      return found(target, named && !folder) ? undefined : `${relative(root, target)} does not exist`;
    }
    const source = join(src, relative(dist, target));
    if (SOURCE_ONLY.has(relative(src, source))) return existsSync(target) ? `${relative(root, target)} must not be in the package (see scripts/runtime-files.mjs)` : undefined;
    if (named && folder) {
      // files of this folder are loaded by a name computed at run time: all of them are
      for (const name of existsSync(source) ? readdirSync(source, { recursive: true }) : []) {
        if (!isTypeScript(name) && !statSync(join(source, name)).isDirectory() && !existsSync(join(target, name))) copy(join(source, name), join(target, name), false);
      }
    } else if (named) {
      for (const name of existsSync(dirname(source)) ? readdirSync(dirname(source)) : []) {
        const to = join(dirname(target), name);
        if (name.startsWith(basename(source)) && !isTypeScript(name) && !existsSync(to)) copy(join(dirname(source), name), to, true);
      }
    } else if (!existsSync(target) && existsSync(source) && statSync(source).isFile() && !isTypeScript(source)) {
      copy(source, target, true);
    }
    return found(target, named && !folder) ? undefined : `neither ${relative(root, target)} nor ${relative(root, source)} exists`;
  }
}

/** Whether `path` exists; with `prefix`, whether a file in its folder has a name starting with it. */
function found(path, prefix) {
  if (!prefix) return existsSync(path);
  return existsSync(dirname(path)) && readdirSync(dirname(path)).some((name) => name.startsWith(basename(path)));
}

function isTypeScript(name) {
  return /\.[cm]?tsx?$/.test(name);
}

function codeFiles(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && isCode(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

function isCode(name) {
  return /\.[cm]?js$/.test(name);
}

function isBuiltin(specifier) {
  return specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]);
}

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}
