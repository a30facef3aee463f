/*
 * A module resolve hook (node:module register) for the `plugins` config key:
 * a bare import that Node cannot resolve from the process file is looked up
 * in the plugin folders, the way the original added them to Python's path.
 * Node's ESM resolver ignores NODE_PATH, so this cannot be done by settings.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

interface ResolveContext {
  parentURL?: string;
  conditions?: string[];
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<{ url: string }>;

/* module state of the hooks thread, set once by initialize(): this file is that thread's program, not a switch of the CLI's */
let folders: readonly string[] = [];

const SUFFIXES = ["", ".ts", ".mts", ".js", ".mjs", "/index.ts", "/index.mts", "/index.js", "/index.mjs"];

export function initialize(data: { folders: readonly string[] }): void {
  folders = data.folders;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string }> {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!isBare(specifier)) throw error;
    for (const folder of folders) {
      for (const suffix of SUFFIXES) {
        const file = join(folder, specifier + suffix);
        // a folder itself is no module: Node refuses directory imports, so its index file is tried next
        if (isFile(file)) return next(pathToFileURL(file).href, context);
      }
    }
    throw error;
  }
}

/* a path through a file (ENOTDIR) or an unreadable folder is no module either: Node's own "cannot find" error is what the user should see */
function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

function isBare(specifier: string): boolean {
  return !/^(\.{0,2}\/|[a-z]+:)/i.test(specifier);
}
