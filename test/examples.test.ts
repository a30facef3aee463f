/*
 * The examples as a user runs them: the real CLI in a child process
 * (`node bin/adhesive.js examples/<x>/_adhesive.ts`), bounded in time, checking
 * the exit code and the summary line the example prints.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runExample(name: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/adhesive.js", `examples/${name}/_adhesive.ts`],
      { cwd: root, env: { ...process.env, NO_COLOR: "1" }, timeout: 20_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

describe("examples", () => {
  it("examples/messages: a burst of pushes, each repository built at most once at a time, the newest waiting push wins", async () => {
    const { code, signal, stdout, stderr } = await runExample("messages");

    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(stdout).toContain("summary: 9 push events, 6 builds (api@1 api@4 docs@1 docs@2 web@1 web@3), 3 superseded while waiting\n");
    // one task line per build: api built twice, never three times
    expect(stdout.match(/^done +Build api /gm)).toHaveLength(2);
  });

  it("examples/timers: an interrupting PT2S timer cancels the slow step, a non-interrupting R3/PT1S cycle sends 3 reminders", async () => {
    const { code, signal, stdout, stderr } = await runExample("timers");

    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(stdout).toContain("summary: smoke tests timed out after PT2S, 3 reminders sent, signed off: yes\n");
    expect(stdout).toMatch(/^stop +Run Smoke Tests \(cancelled\)$/m);
    expect(stdout.match(/^done +Send Reminder /gm)).toHaveLength(3);
  });

  it("examples/lanes: packages in the local build lane, installs over ssh in the target lane against a throw-away sshd on 127.0.0.1", async () => {
    const { code, signal, stdout, stderr } = await runExample("lanes");

    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(stdout).toMatch(/^summary: app 1\.4\.2 running on \S+$/m);
    // the check ran remotely, in the ssh workspace's own folder
    expect(stdout).toMatch(/^\[Report\] deployed: app 1\.4\.2 running on \S+ \(remote folder \/tmp\/adhesive-[\w-]+\)$/m);
    for (const task of ["Package App", "Upload Package", "Install Package", "Check Installation", "Report"]) {
      expect(stdout).toMatch(new RegExp(`^done +${task} `, "m"));
    }
  });
});
