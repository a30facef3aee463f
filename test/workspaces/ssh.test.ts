/**
 * The ssh workspace against a real OpenSSH server on 127.0.0.1 (started by
 * ./sshd.ts with throw-away keys). sshd runs on this machine, so the tests
 * also look at the remote side directly: its files and its process table.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ssh, CommandError } from "../../src/index.js";
import { clearSecrets, REDACTED, registerSecret } from "../../src/secrets/redact.js";
import { LocalWorkspace } from "../../src/workspaces/local.js";
import { connectSsh, SshConnectError, type SshOptions, type SshWorkspace } from "../../src/workspaces/ssh.js";
import { freePort, processTable, startSshd, type TestSshd } from "./sshd.js";
import { bounded, until, WAIT_LIMIT_MS } from "../waiting.js";

const run = promisify(execFile);

let sshd: TestSshd;
let local: string;
let parent: LocalWorkspace;
let ws: SshWorkspace;
let startError: unknown;

function options(extra: Partial<SshOptions> = {}): SshOptions {
  return { host: sshd.host, port: sshd.port, username: sshd.username, keyFile: sshd.keyFile, ...extra };
}

beforeAll(async () => {
  local = await mkdtemp(join(tmpdir(), "adhesive-ssh-test-"));
  parent = new LocalWorkspace({ id: `ssh-test-${process.pid}`, pwd: local });
  try {
    sshd = await startSshd();
    ws = await connectSsh(parent, options());
  } catch (error) {
    startError = error;
  }
});

// without sshd every test FAILS with the reason (an error in beforeAll alone would only mark them skipped)
beforeEach(() => {
  if (startError) throw startError;
});

afterAll(async () => {
  await ws?.close();
  await sshd?.stop();
  if (local) await rm(local, { recursive: true, force: true });
});

/** the running processes whose command line contains `marker`, as "pid args" */
async function processesWith(marker: string): Promise<string[]> {
  return (await processTable()).filter((row) => row.args.includes(marker)).map((row) => `${row.pid} ${row.args}`);
}

/** the running `sleep` processes whose command line contains `marker` (not the shells around them) */
async function sleepsWith(marker: string): Promise<string[]> {
  return (await processesWith(marker)).filter((line) => /^\d+ sleep /.test(line));
}



describe("ssh workspace (real OpenSSH server on 127.0.0.1)", () => {
  it("logs in with a key into a fresh folder under the remote temp dir, named after the parent, removed on close", async () => {
    const own = await connectSsh(parent, options());
    // the remote's temp dir: the test's sshd gives its sessions this process's TMPDIR (sshd.ts)
    expect(own.pwd).toMatch(new RegExp(`^${tmpdir()}/adhesive-ssh-test-${process.pid}-`));
    expect(own.pwd).not.toBe(ws.pwd);
    expect(own.id).toBe(parent.id);
    expect(await own.runOutput("pwd")).toBe(own.pwd);
    expect(await own.runOutput("id -un")).toBe(sshd.username);
    expect(existsSync(own.pwd)).toBe(true);
    await own.close();
    expect(existsSync(own.pwd)).toBe(false);
    await own.close(); // idempotent
    await expect(own.run("true")).rejects.toMatchObject({ code: "ADHESIVE_SSH_CLOSED" });

    const kept = await connectSsh(parent, options({ keep: true }));
    await kept.close();
    expect(existsSync(kept.pwd)).toBe(true);
    await rm(kept.pwd, { recursive: true });

    const given = join(local, "given folder");
    const explicit = await connectSsh(parent, options({ pwd: given }));
    expect(explicit.pwd).toBe(given);
    await explicit.writeFile("x.txt", "x");
    await explicit.close();
    expect(await readFile(join(given, "x.txt"), "utf8")).toBe("x"); // a folder the user named is never removed
  });

  it("runs commands with capture, env, cwd and the shell option, quoting everything", async () => {
    await ws.mkdir("sub dir/deeper");
    expect(await ws.runOutput("pwd", { cwd: "sub dir/deeper" })).toBe(join(ws.pwd, "sub dir/deeper"));
    const tricky = `it's a "test" with $HOME, \`backticks\`, \\ and\nnew lines`;
    expect(await ws.run('printf %s "$GREETING"', { capture: true, env: { GREETING: tricky } })).toBe(tricky);
    expect(await ws.run("echo visible; echo hidden >&2", { capture: true })).toBe("visible\n");
    expect(await ws.run("echo not captured")).toBe("");
    expect(await ws.runOutput(`printf '%s\\n' "it's"; printf '%s' '$NOT_EXPANDED'`)).toBe("it's\n$NOT_EXPANDED");
    expect(await ws.runOutput("echo ${BASH_VERSION:+bash}", { shell: "bash" })).toBe("bash");
    expect(await ws.runOutput("printf %s $HOME", { shell: false })).toBe("$HOME");
    expect(await ws.runOutput("echo $0")).toBe("/bin/sh");
    await expect(ws.run("true", { env: { "BAD NAME": "x" } })).rejects.toMatchObject({ code: "ADHESIVE_USAGE" });
  });

  it("streams output to the task's OutputSink while the command runs", async () => {
    const chunks: string[] = [];
    const task = ws.forTask({ signal: undefined, output: { write: (text) => chunks.push(text) } });
    let settled = false;
    // the command goes on only once the test has written the file: the first line must arrive before that
    const go = join(ws.pwd, "go");
    const running = task.run(`echo first; while [ ! -e '${go}' ]; do sleep 0.05; done; echo second >&2`).finally(() => (settled = true));
    await until(() => chunks.join("").includes("first\n"), "the first line");
    expect(settled).toBe(false);
    await writeFile(go, "");
    await running;
    expect(chunks.join("")).toBe("first\nsecond\n");
  });

  it("masks a secret printed in two pieces on stdout and stderr (interleaved) in the streamed output and the CommandError", async () => {
    const secret = "ssh-split-secret-value-1234";
    registerSecret(secret);
    try {
      await ws.writeFile("split.txt", secret);
      const chunks: string[] = [];
      const task = ws.forTask({ signal: undefined, output: { write: (text) => chunks.push(text) } });
      const command = "head -c 10 split.txt; head -c 4 split.txt >&2; sleep 0.3; tail -c +11 split.txt; tail -c +5 split.txt >&2; exit 2";
      const error = (await task.run(command).catch((e: unknown) => e)) as CommandError;
      expect(error).toBeInstanceOf(CommandError);
      expect(chunks.join("").split(REDACTED)).toHaveLength(3);
      expect(error.output.split(REDACTED)).toHaveLength(3);
      for (const text of [chunks.join(""), error.output, error.message]) {
        expect(text).not.toContain(secret.slice(0, 10));
        expect(text).not.toContain(secret.slice(10));
      }
    } finally {
      clearSecrets();
    }
  });

  it("throws a CommandError with exit code, command and the last output lines", async () => {
    const command = "for i in $(seq 1 30); do echo line $i; done; echo oops >&2; exit 3";
    const error = await ws.run(command).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    const failure = error as CommandError;
    expect(failure.code).toBe("ADHESIVE_COMMAND_FAILED");
    expect(failure.exitCode).toBe(3);
    expect(failure.command).toBe(command);
    expect(failure.output).toContain("line 30");
    expect(failure.output).toContain("oops");
    expect(failure.output).not.toContain("line 5\n");
    expect(failure.message).toContain("exited with code 3");
    await expect(ws.run("true", { cwd: "no such folder" })).rejects.toBeInstanceOf(CommandError);
  });

  it("cancellation kills the remote command and everything it started, and the connection stays usable", async () => {
    const marker = `9${Math.floor(Math.random() * 1000)}.${process.pid}`;
    const controller = new AbortController();
    const task = ws.forTask({ get signal() { return controller.signal; }, output: undefined });
    // the sleeps last hours (1<marker> and 2<marker> seconds): only the cancellation ends them
    const running = task.run(`sleep 1${marker} & sleep 2${marker}; echo never`).catch((e: unknown) => e);
    await until(async () => (await sleepsWith(marker)).length === 2, "both remote sleeps to start", WAIT_LIMIT_MS, 50);
    controller.abort(new Error("cancelled by the test"));
    const outcome = await bounded(running, "the cancelled command to settle");
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe("cancelled by the test");
    // not only the sleeps: the shells and the wrapper around them are gone too
    await until(async () => (await processesWith(marker)).length === 0, "the remote processes to be gone", WAIT_LIMIT_MS, 50);
    expect(await ws.runOutput("echo still here")).toBe("still here");
    await expect(task.run("echo too late")).rejects.toThrow("cancelled by the test");
  });

  it("closing the workspace while a command runs stops the command on the server", async () => {
    const own = await connectSsh(parent, options());
    const marker = `8${Math.floor(Math.random() * 1000)}.${process.pid}`;
    const running = own.run(`sleep 3${marker}`).catch((e: unknown) => e);
    await until(async () => (await sleepsWith(marker)).length === 1, "the remote sleep to start", WAIT_LIMIT_MS, 50);
    await own.close();
    const outcome = await bounded(running, "the command cut off by close() to settle");
    expect(outcome).toBeInstanceOf(CommandError);
    expect((outcome as Error).message).toContain("the ssh connection to");
    await until(async () => (await processesWith(marker)).length === 0, "the remote processes to be gone", WAIT_LIMIT_MS, 50);
  });

  it("copies files and folders both ways over SFTP, keeping modes and symbolic links", async () => {
    const source = join(local, "source");
    await mkdir(join(source, "sub", "deeper"), { recursive: true });
    await mkdir(join(source, "empty"));
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    await writeFile(join(source, "it's a file.txt"), "hello\n");
    await writeFile(join(source, "sub", "data.bin"), binary);
    await writeFile(join(source, "sub", "deeper", "run.sh"), "#!/bin/sh\necho ran\n");
    await chmod(join(source, "sub", "deeper", "run.sh"), 0o755);
    await symlink("sub/data.bin", join(source, "link"));

    await ws.copyToAgent(source, "up/copy");
    const remote = join(ws.pwd, "up", "copy");
    expect(await ws.runOutput("./up/copy/sub/deeper/run.sh")).toBe("ran");
    expect(await ws.readFile("up/copy/it's a file.txt")).toBe("hello\n");
    expect(Buffer.compare(await readFile(join(remote, "sub", "data.bin")), binary)).toBe(0);
    expect(await readlink(join(remote, "link"))).toBe("sub/data.bin");
    expect((await stat(join(remote, "empty"))).isDirectory()).toBe(true);

    await ws.run("echo made remotely > up/copy/sub/remote.txt");
    const back = join(local, "back", "copy");
    await ws.copyFromAgent("up/copy", back);
    expect(await readFile(join(back, "it's a file.txt"), "utf8")).toBe("hello\n");
    expect(await readFile(join(back, "sub", "remote.txt"), "utf8")).toBe("made remotely\n");
    expect(Buffer.compare(await readFile(join(back, "sub", "data.bin")), binary)).toBe(0);
    expect((await stat(join(back, "sub", "deeper", "run.sh"))).mode & 0o777).toBe(0o755);
    expect((await lstat(join(back, "link"))).isSymbolicLink()).toBe(true);
    expect((await stat(join(back, "empty"))).isDirectory()).toBe(true);

    // single files, writeFile/readFile with binary content, rm
    await ws.copyToAgent(join(source, "it's a file.txt"), "single/one.txt");
    await ws.copyFromAgent("single/one.txt", join(local, "one.txt"));
    expect(await readFile(join(local, "one.txt"), "utf8")).toBe("hello\n");
    await ws.writeFile("written/nested/bytes.bin", new Uint8Array([0, 255, 10]));
    expect(await ws.runOutput("od -An -tu1 written/nested/bytes.bin")).toBe("0 255  10");
    await ws.rm("up");
    expect(existsSync(join(ws.pwd, "up"))).toBe(false);
    await ws.rm("up"); // already gone: no error, like rm -rf
    await expect(ws.readFile("missing.txt")).rejects.toMatchObject({ code: "ADHESIVE_SSH_FILE" });
  });

  it("copying a project leaves out its .adhesive folder (a run's control socket in it) and FIFOs, as the local copy does", async () => {
    const project = join(local, "project");
    await mkdir(join(project, ".adhesive", "runs", "r1"), { recursive: true });
    await writeFile(join(project, "build.sh"), "echo built\n");
    await writeFile(join(project, ".adhesive", "config.yml"), "log_level: info\n");
    await run("mkfifo", [join(project, "pipe")]);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(project, ".adhesive", "runs", "r1", "control.sock"), resolve));
    try {
      await ws.copyToAgent(project, "checkout");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await ws.runOutput("ls -A checkout")).toBe("build.sh");
  });

  it("withTempFolder hands out a fresh folder and removes it, also when the callback throws; withChdir moves pwd", async () => {
    let folder = "";
    const inside = await ws.withTempFolder(async (temp) => {
      folder = temp.pwd;
      await temp.writeFile("a.txt", "a\n");
      return temp.runOutput("cat a.txt; pwd");
    });
    expect(inside).toBe(`a\n${folder}`);
    expect(folder.startsWith(`${ws.pwd}/`)).toBe(true);
    expect(existsSync(folder)).toBe(false);

    const failure = await ws
      .withTempFolder(async (temp) => {
        folder = temp.pwd;
        await temp.run("touch b.txt");
        throw new Error("boom");
      })
      .catch((e: unknown) => e);
    expect((failure as Error).message).toBe("boom");
    expect(existsSync(folder)).toBe(false);

    await ws.mkdir("chdir/here");
    expect(await ws.withChdir("chdir/here", (there) => there.runOutput("pwd"))).toBe(join(ws.pwd, "chdir/here"));
  });

  it("reuses one connection for every run and every task view, even past the server's session limit", async () => {
    const loginsBefore = sshd.acceptedLogins();
    const views = Array.from({ length: 16 }, () => ws.forTask({ signal: undefined, output: undefined }));
    const connections = await Promise.all(views.map((view) => view.runOutput('sleep 0.1; echo "$SSH_CONNECTION"')));
    expect(new Set(connections).size).toBe(1);
    expect(connections[0]).toMatch(/^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+$/);
    const clone = ws.clone();
    expect(await clone.runOutput('echo "$SSH_CONNECTION"')).toBe(connections[0]);
    expect(sshd.acceptedLogins()).toBe(loginsBefore);
  });

  it("runs every command through as many channels as the server's MaxSessions, although the server frees a closed session late", async () => {
    // no room left: an open right after a close meets the closed session still counted, and is refused until sshd has cleaned it up
    const tight = await connectSsh(parent, options({ maxChannels: 10 }));
    try {
      const views = Array.from({ length: 60 }, () => tight.forTask({ signal: undefined, output: undefined }));
      const outputs = await Promise.all(views.map((view, i) => view.runOutput(`echo ${i}`)));
      expect(outputs).toEqual(views.map((_, i) => `${i}`));
    } finally {
      await tight.close();
    }
  });

  it("fails a command the server keeps refusing a channel for with the server's reason, after trying again", async () => {
    // two more channels than the server's MaxSessions, ten of them held by commands that wait until cancelled
    const over = await connectSsh(parent, options({ maxChannels: 12 }));
    const holding = new AbortController();
    try {
      const held = Array.from({ length: 10 }, () => over.forTask({ signal: holding.signal, output: undefined }).runOutput("sleep 300").catch((e: unknown) => e));
      const refused = await Promise.all(Array.from({ length: 2 }, () => over.forTask({ signal: undefined, output: undefined }).runOutput("echo never").catch((e: unknown) => e)));
      for (const error of refused) expect(String((error as Error).message)).toContain("Channel open failure");
      holding.abort(new Error("the test is over"));
      await Promise.all(held);
    } finally {
      holding.abort(new Error("the test is over"));
      await over.close();
    }
  });

  it("ssh.inside connects, runs the block and always closes", async () => {
    let pwd = "";
    const result = await ssh.inside(parent, options(), async (inner) => {
      pwd = inner.pwd;
      return inner.runOutput("echo inside");
    });
    expect(result).toBe("inside");
    expect(existsSync(pwd)).toBe(false);

    const failure = await ssh
      .inside(parent, options(), async (inner) => {
        pwd = inner.pwd;
        throw new Error("block failed");
      })
      .catch((e: unknown) => e);
    expect((failure as Error).message).toBe("block failed");
    expect(existsSync(pwd)).toBe(false);
  });

  it("verifies the host key when its fingerprint is given", async () => {
    const { stdout } = await run("ssh-keygen", ["-l", "-f", join(sshd.dir, "host_ed25519.pub")]);
    const fingerprint = stdout.split(" ")[1];
    expect(fingerprint).toMatch(/^SHA256:/);
    await ssh.inside(parent, options({ hostKeySha256: fingerprint }), async () => undefined);
    const error = await connectSsh(parent, options({ hostKeySha256: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshConnectError);
    expect((error as Error).message).toContain(`the host key is ${fingerprint}`);
  });

  describe("connection errors are coded, name host, port and user, and come quickly", () => {
    /* "quickly": from the cause, not after the handshake timeout, which is set far beyond the test's wait */
    async function connectError(extra: Partial<SshOptions>): Promise<SshConnectError> {
      const error = await bounded(connectSsh(parent, options({ readyTimeoutMs: 3_600_000, ...extra })).catch((e: unknown) => e), "the connection error (not the handshake timeout)");
      expect(error).toBeInstanceOf(SshConnectError);
      const failure = error as SshConnectError;
      expect(failure.code).toBe("ADHESIVE_SSH_CONNECT");
      expect(failure.message).not.toMatch(/\n\s+at /);
      return failure;
    }

    it("closed port", async () => {
      const port = await freePort();
      const error = await connectError({ port });
      expect(error.message).toBe(`cannot connect over ssh to ${sshd.username}@127.0.0.1:${port}: connection refused`);
      expect(error).toMatchObject({ host: "127.0.0.1", port, username: sshd.username });
    });

    it("a key the server does not accept", async () => {
      const error = await connectError({ keyFile: sshd.wrongKeyFile });
      expect(error.message).toBe(
        `cannot connect over ssh to ${sshd.username}@127.0.0.1:${sshd.port}: authentication failed (tried: public key)`,
      );
    });

    it("a wrong password (password authentication is enabled on the server)", async () => {
      const error = await connectError({ keyFile: undefined, password: "not-the-password" });
      expect(error.message).toContain("authentication failed (tried: password)");
    });

    it("a key file that cannot be read, or is not a key", async () => {
      const missing = await connectError({ keyFile: join(local, "no-such-key") });
      expect(missing.message).toContain("cannot read the key file");
      const notKey = join(local, "not-a-key");
      await writeFile(notKey, "hello");
      const bad = await connectError({ keyFile: notKey });
      expect(bad.message).toContain(`${sshd.username}@127.0.0.1:${sshd.port}`);
    });
  });
});
