import { isAbsolute, relative, sep } from "node:path";

/** A path (or `path:line`) as the CLI prints it: relative to the working directory when inside it, else absolute. */
export function shortPath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const shown = relative(cwd, path);
  return shown === "" || shown === ".." || shown.startsWith(`..${sep}`) || isAbsolute(shown) ? path : shown;
}
