/* The real CLI in a child process, built as it is published (../built-package.ts): exit code, stdout and stderr. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { builtCli } from "../built-package.js";

export const root = fileURLToPath(new URL("../../", import.meta.url));
/** the CLI: run it as `node <bin> [args]` */
export const bin = await builtCli();
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function adhesive(args: string[], env: Record<string, string> = {}, cwd = root): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}
