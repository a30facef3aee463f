/*
 * The `plugins` config key: a bare import nothing else provides is a module
 * of a plugin folder, the way the original added them to Python's path. One
 * lookup for the resolve hook (cli/plugin-resolver.ts) and the rolldown bundle of
 * a process file (bundle-process-file.ts).
 */
import { statSync } from "node:fs";
import { join } from "node:path";

const SUFFIXES = ["", ".ts", ".mts", ".js", ".mjs", "/index.ts", "/index.mts", "/index.js", "/index.mjs"];

/** The file of the first plugin folder that has `specifier`, as a file or a folder's index; undefined when none has. */
export function pluginModule(specifier: string, folders: readonly string[]): string | undefined {
  for (const folder of folders) {
    for (const suffix of SUFFIXES) {
      const file = join(folder, specifier + suffix);
      // a folder itself is no module: Node refuses directory imports, so its index file is tried next
      if (isFile(file)) return file;
    }
  }
  return undefined;
}

/* a path through a file (ENOTDIR) or an unreadable folder is no module either: Node's own "cannot find" error is what the user should see */
function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}
