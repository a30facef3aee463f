/*
 * The real CLI in a child process, as a user runs it: exit code, stdout and
 * stderr. The built one (built-package.ts) unless `bin` says otherwise:
 * sourceBin runs the sources, as a clone of the repository does.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { builtCli } from "./built-package.js";

export const root = fileURLToPath(new URL("../", import.meta.url));
/** bin/adhesive.js of the repository, which runs src/ through tsx (src/source-mode.mjs) */
export const sourceBin = `${root}bin/adhesive.js`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runCli(args: readonly string[], cwd = root, bin?: string): Promise<CliResult> {
  const command = bin ?? (await builtCli());
  return new Promise((resolve) => {
    execFile(process.execPath, [command, ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}
