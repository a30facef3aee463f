/*
 * A module resolve hook (node:module register) for the `plugins` config key:
 * a bare import that Node cannot resolve from the process file is looked up
 * in the plugin folders, the way the original added them to Python's path.
 * Node's ESM resolver ignores NODE_PATH, so this cannot be done by settings.
 */
import { pathToFileURL } from "node:url";
import { pluginModule } from "../loader/plugin-module.js";

interface ResolveContext {
  parentURL?: string;
  conditions?: string[];
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<{ url: string }>;

/* module state of the hooks thread, set once by initialize(): this file is that thread's program, not a switch of the CLI's */
let folders: readonly string[] = [];

export function initialize(data: { folders: readonly string[] }): void {
  folders = data.folders;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string }> {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!isBare(specifier)) throw error;
    const file = pluginModule(specifier, folders);
    if (file !== undefined) return next(pathToFileURL(file).href, context);
    throw error;
  }
}

function isBare(specifier: string): boolean {
  return !/^(\.{0,2}\/|[a-z]+:)/i.test(specifier);
}
