/*
 * A CLI killed with kill -9 runs no cleanup code: its supervisor
 * (src/processes/supervisor.ts) kills the command groups it left running,
 * the one ignoring SIGTERM too, and removes its secret file; a command over
 * ssh dies with the connection. Every check looks at the real process table.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSshd, type TestSshd } from "../workspaces/sshd.js";
import { fakeBin, killStarted, processesOf, startStubborn, stubbornSsh, waitFor, workspaceOf } from "./stubborn-cli.js";

afterEach(killStarted);

describe("kill -9 of the CLI", () => {
  it("its supervisor kills the commands, the one ignoring SIGTERM too, within a few seconds, and removes the secret", async () => {
    const cli = await startStubborn();
    const secret = join(await workspaceOf(cli.tempFolder), "token.txt");
    expect(existsSync(secret)).toBe(true);
    // this CLI's own (other tests and other projects' suites may run CLIs with supervisors at the same time)
    const supervisors = () =>
      execFileSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" })
        .split("\n")
        .filter((line) => line.includes("adhesive-supervisor") && Number(line.trim().split(/\s+/)[1]) === cli.child.pid);
    // it names itself once its node has started, which on a loaded machine can be after the commands have
    await waitFor(() => supervisors().length > 0, () => "no adhesive-supervisor process");
    cli.child.kill("SIGKILL");
    expect(await cli.exited).toBe(137);
    await waitFor(() => processesOf(cli.mark).length === 0, () => processesOf(cli.mark).join("\n"));
    await waitFor(() => !existsSync(secret), () => `${secret} is still there`);
  });

  it("commands run through the docker CLI die too (the fake docker exec and what it started)", async () => {
    const cli = await startStubborn({ VIA: "docker", PATH: `${fakeBin}:${process.env.PATH ?? ""}` });
    expect(execFileSync("ps", ["-eo", "args="], { encoding: "utf8" })).toContain(`fake-cli.mjs docker exec`);
    cli.child.kill("SIGKILL");
    await cli.exited;
    await waitFor(() => processesOf(cli.mark).length === 0, () => processesOf(cli.mark).join("\n"));
  });
});

describe("kill -9 of a CLI running a command over ssh", () => {
  let sshd: TestSshd | undefined;
  let startError: unknown;
  beforeAll(async () => {
    // kept for the test to fail with: an error in beforeAll alone would only mark it skipped
    sshd = await startSshd().catch((error: unknown) => void (startError = error));
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it("the remote command dies when the connection drops, the one ignoring SIGTERM too", async () => {
    if (sshd === undefined) throw startError;
    const server = sshd;
    const cli = await startStubborn({ SSH_PORT: String(server.port), SSH_USER: server.username, SSH_KEY: server.keyFile }, stubbornSsh);
    cli.child.kill("SIGKILL");
    await cli.exited;
    await waitFor(() => processesOf(cli.mark).length === 0, () => processesOf(cli.mark).join("\n"));
  });
});
