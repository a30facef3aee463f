/* The real CLI (bin/adhesive.js) in a child process, as a user runs it: exit code, stdout and stderr. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], cwd = root): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [`${root}bin/adhesive.js`, ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}
