/*
 * Stopping the CLI from outside: SIGINT, SIGTERM and SIGHUP cancel the run
 * and the CLI exits only once its commands are dead, its secrets removed and
 * its lanes torn down; a second signal exits at once. (kill -9 leaves the
 * commands and the secret file to the supervisor: test/processes/supervisor.test.ts.)
 * Every check looks at the real process table.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killStarted, processesOf, startStubborn, waitFor, workspaceOf } from "../processes/stubborn-cli.js";

afterEach(killStarted);

describe("a stop signal", () => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    it(`${signal}: kills every command (one ignores SIGTERM), removes the secret, tears the lane down, then exits ${code}`, async () => {
      const cli = await startStubborn();
      const workspace = await workspaceOf(cli.tempFolder);
      expect(existsSync(join(workspace, "token.txt"))).toBe(true);
      cli.child.kill(signal);
      expect(await cli.exited).toBe(code);
      // nothing is waited for after the exit: it all happened before
      expect(processesOf(cli.mark)).toEqual([]);
      expect(existsSync(join(workspace, "token.txt"))).toBe(false);
      expect(existsSync(join(workspace, "..", "lane-torn-down"))).toBe(true);
      expect(cli.stderr()).toContain(`${signal}: cancelling the running tasks`);
      expect(cli.stderr()).toContain(`interrupted: run interrupted: ${signal} received`);
    });
  }

  it("a second one exits at once, and still no command is left running nor the secret left behind", async () => {
    const cli = await startStubborn();
    const secret = join(await workspaceOf(cli.tempFolder), "token.txt");
    cli.child.kill("SIGTERM");
    await waitFor(() => cli.stderr().includes("SIGTERM: cancelling"), () => cli.stderr());
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(143);
    // SIGKILL went to every command group before the exit; the kernel may take a moment to reap them
    await waitFor(() => processesOf(cli.mark).length === 0, () => processesOf(cli.mark).join("\n"));
    // the supervisor removes it once the CLI is gone
    await waitFor(() => !existsSync(secret), () => `${secret} is still there`);
  });
});

