/*
 * The supervisor (src/processes/adhesive-supervisor.sh, a /bin/sh script)
 * hears of secret files as octal escapes of their bytes: a path holding a
 * space, a newline and a non-ASCII character is removed byte for byte once
 * its runner is killed with kill -9, and a file taken off the list before is
 * left alone. The runner is a real node process using the Supervisor class.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "./stubborn-cli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

const RUNNER = `
import { Supervisor } from ${JSON.stringify(join(root, "src", "processes", "supervisor.ts"))};
const supervisor = new Supervisor(2000);
supervisor.addFile(process.env.ODD_FILE);
supervisor.addFile(process.env.KEPT_FILE);
supervisor.removeFile(process.env.KEPT_FILE);
console.log(\`ready \${supervisor.pid}\`);
setInterval(() => undefined, 1000);
`;

const runners: Array<{ kill(signal: NodeJS.Signals): boolean }> = [];
afterEach(() => {
  for (const runner of runners.splice(0)) runner.kill("SIGKILL");
});

/* a zombie is gone too: the orphaned supervisor's new parent may never reap it (an init in a container) */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "";
  return !/\) Z /.test(stat);
}

describe("kill -9 of a runner with secret files", () => {
  it("its supervisor removes the file whose path holds a space, a newline and é, and not the one taken off its list", async () => {
    const dir = await mkdtemp(join(tmpdir(), "adhesive-supervisor-files-"));
    const odd = join(dir, "a secret\nfile é.txt");
    const kept = join(dir, "kept.txt");
    writeFileSync(odd, "token");
    writeFileSync(kept, "token");
    const runner = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", RUNNER], { cwd: root, env: { ...process.env, ODD_FILE: odd, KEPT_FILE: kept }, stdio: ["ignore", "pipe", "pipe"] });
    runners.push(runner);
    let stdout = "";
    let stderr = "";
    runner.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    runner.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => /ready \d+\n/.test(stdout), () => `the runner never started its supervisor; stderr: ${stderr}`);
    const supervisor = Number(/ready (\d+)/.exec(stdout)![1]);
    expect(existsSync(odd)).toBe(true);

    runner.kill("SIGKILL");
    // it exits once it has removed what was listed (no command groups to wait for)
    await waitFor(() => !alive(supervisor), () => `supervisor ${supervisor} is still running`);
    expect(existsSync(odd)).toBe(false);
    expect(existsSync(kept)).toBe(true);
  });
});
