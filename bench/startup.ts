/*
 * Start-up (issue 10): wall time of whole CLI processes, next to `node -e 0`,
 * the floor no Node program goes below, the commands taking turns. adhesive runs as a user gets it:
 * bin/, dist/, examples/ and package.json copied to a temporary package
 * folder (node_modules linked to this repository's), so bin/ runs the
 * compiled dist/ as installed; a clone runs src/ through tsx instead
 * (src/source-mode.mjs), which the last two rows show: the test suite starts
 * the CLI that way hundreds of times. Builds dist/ first.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface StartupRow {
  name: string;
  times: number[];
  error?: string;
}

function timed(args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    execFile(process.execPath, args, { cwd, timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`node ${args.join(" ")}: ${stderr.trim().split("\n").pop() ?? error.message}`));
      else resolve(performance.now() - start);
    });
  });
}

/**
 * A fresh `npm run build` laid out as installed: bin/, dist/, examples/ and
 * package.json in a temporary package folder, node_modules linked to the
 * repository's. The caller removes the folder.
 */
export function installedCopy(root: string, prefix: string): string {
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "ignore" });
  const installed = mkdtempSync(join(tmpdir(), prefix));
  for (const part of ["bin", "dist", "examples", "package.json"]) cpSync(join(root, part), join(installed, part), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(installed, "node_modules"));
  return installed;
}

export async function measureStartup(root: string, reps: number): Promise<StartupRow[]> {
  const installed = installedCopy(root, "adhesive-startup-");
  try {
    const commands: Array<[string, string[], string]> = [
      ["node -e 0", ["-e", "0"], root],
      ["adhesive --version", ["bin/adhesive.js", "--version"], installed],
      ["adhesive examples/hello/_adhesive.ts", ["bin/adhesive.js", "examples/hello/_adhesive.ts"], installed],
      ["adhesive --version (repository: src/ through tsx)", ["bin/adhesive.js", "--version"], root],
      ["adhesive examples/hello/_adhesive.ts (repository: src/ through tsx)", ["bin/adhesive.js", "examples/hello/_adhesive.ts"], root],
    ];
    const rows: StartupRow[] = commands.map(([name]) => ({ name, times: [] }));
    const run = async (row: StartupRow, args: string[], cwd: string): Promise<number | undefined> => {
      if (row.error !== undefined) return undefined;
      try {
        return await timed(args, cwd);
      } catch (error) {
        row.error = (error as Error).message;
        return undefined;
      }
    };
    // a warm-up of each (file system cache, tsx's compile cache), then the repetitions interleaved: the ratios to `node -e 0` compare runs
    // made under the same load on the machine, which moved them by 20% between one command's 15 runs and the next's
    for (const [index, [, args, cwd]] of commands.entries()) await run(rows[index], args, cwd);
    for (let i = 0; i < reps; i++) {
      for (const [index, [, args, cwd]] of commands.entries()) {
        const time = await run(rows[index], args, cwd);
        if (time !== undefined) rows[index].times.push(time);
      }
    }
    for (const row of rows) process.stderr.write(`[startup] ${row.name}: ${row.error ?? `${row.times.length} runs`}\n`);
    return rows;
  } finally {
    rmSync(installed, { recursive: true, force: true });
  }
}
