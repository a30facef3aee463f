import { stat } from "node:fs/promises";
import { resolve, sep } from "node:path";

/**
 * Makes a configured path absolute. Only `~` and `~/...` are expanded:
 * `~user` would need the user database, which Node cannot read portably.
 */
export function resolveUserPath(path: string, base: string, home: string): string {
  if (path === "~") return resolve(home);
  if (path.startsWith("~/") || path.startsWith(`~${sep}`)) return resolve(home, path.slice(2));
  return resolve(base, path);
}

/**
 * Why `path` cannot serve as a folder ("does not exist"), or undefined when it
 * can. A folder that does not exist yet is fine when adhesive will create it
 * (temp_folder).
 */
export async function folderProblem(path: string, mustExist: boolean): Promise<string | undefined> {
  try {
    if ((await stat(path)).isDirectory()) return undefined;
    return "is not a folder";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return mustExist ? "does not exist" : undefined;
    if (code === "ENOTDIR") return "is below a file, not a folder";
    return `cannot be checked (${code ?? (error as Error).message})`;
  }
}
