/**
 * The local workspace's commands and copies. Commands run through /bin/sh,
 * another shell, or none; a failure says why with the end of the output. A
 * project folder holds more than files: the run's own control socket
 * (`.adhesive/runs/<id>/control.sock`), FIFOs a tool left behind. Copying
 * the project into a workspace must not fail on them, nor copy adhesive's
 * own state along.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CommandError } from "../../src/workspaces/command-error.js";
import { LocalWorkspace } from "../../src/workspaces/local.js";

let root: string;
let servers: Server[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "adhesive-local-copy-"));
  servers = [];
});

afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(root, { recursive: true, force: true });
});

/** a listening unix socket at `path`, as a run's inbox has */
async function listeningSocket(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(path, resolve));
}

/** a project with files, a symbolic link, an executable, a FIFO, and a run's control socket under .adhesive */
async function project(): Promise<string> {
  const folder = join(root, "project");
  await mkdir(join(folder, "src"), { recursive: true });
  await mkdir(join(folder, ".adhesive", "runs", "run-1"), { recursive: true });
  await mkdir(join(folder, ".adhesive", "secrets"), { recursive: true });
  await writeFile(join(folder, "package.json"), "{}\n");
  await writeFile(join(folder, "src", "build.sh"), "#!/bin/sh\necho built\n");
  await chmod(join(folder, "src", "build.sh"), 0o755);
  await symlink("src/build.sh", join(folder, "build"));
  await writeFile(join(folder, ".adhesive", "secrets", "TOKEN"), "s3cret");
  await listeningSocket(join(folder, ".adhesive", "runs", "run-1", "control.sock"));
  await promisify(execFile)("mkfifo", [join(folder, "src", "pipe")]);
  return folder;
}

describe("local workspace copyToAgent", () => {
  it("copies a project that holds a run's control socket and a FIFO: both are skipped, and so is .adhesive", async () => {
    const from = await project();
    const ws = new LocalWorkspace({ id: "test", pwd: join(root, "workspace") });
    await mkdir(ws.pwd);

    await ws.copyToAgent(from, "checkout");

    const copy = join(ws.pwd, "checkout");
    expect(await readFile(join(copy, "package.json"), "utf8")).toBe("{}\n");
    expect((await stat(join(copy, "src", "build.sh"))).mode & 0o777).toBe(0o755);
    expect((await lstat(join(copy, "build"))).isSymbolicLink()).toBe(true);
    expect(existsSync(join(copy, "src", "pipe"))).toBe(false);
    expect(existsSync(join(copy, ".adhesive"))).toBe(false);
  });

  it("copies the project into a workspace that lives in the project's own .adhesive folder", async () => {
    const from = await project();
    const ws = new LocalWorkspace({ id: "test", pwd: join(from, ".adhesive", "tmp", "run-1", "workspace") });
    await mkdir(ws.pwd, { recursive: true });

    await ws.copyToAgent(from, ".");

    expect(await readFile(join(ws.pwd, "package.json"), "utf8")).toBe("{}\n");
    expect(await readlink(join(ws.pwd, "build"))).toMatch(/src\/build\.sh$/);
    expect(existsSync(join(ws.pwd, ".adhesive"))).toBe(false);
  });

  it("a path named explicitly is copied, even inside .adhesive; a socket named explicitly is an error saying so", async () => {
    const from = await project();
    const ws = new LocalWorkspace({ id: "test", pwd: join(root, "workspace") });
    await mkdir(ws.pwd);

    await ws.copyToAgent(join(from, ".adhesive", "secrets"), "secrets");
    expect(await readFile(join(ws.pwd, "secrets", "TOKEN"), "utf8")).toBe("s3cret");
    await expect(ws.copyToAgent(join(from, ".adhesive", "runs", "run-1", "control.sock"), "sock")).rejects.toThrow(/socket/);
  });

  it("a single file lands at the target path, and a folder merges into an existing one", async () => {
    const from = await project();
    const ws = new LocalWorkspace({ id: "test", pwd: join(root, "workspace") });
    await mkdir(join(ws.pwd, "into"), { recursive: true });
    await writeFile(join(ws.pwd, "into", "kept.txt"), "kept");

    await ws.copyToAgent(join(from, "package.json"), "one/package.json");
    await ws.copyToAgent(join(from, "src"), "into");

    expect(await readFile(join(ws.pwd, "one", "package.json"), "utf8")).toBe("{}\n");
    expect(await readFile(join(ws.pwd, "into", "kept.txt"), "utf8")).toBe("kept");
    expect(await readFile(join(ws.pwd, "into", "build.sh"), "utf8")).toContain("echo built");
  });
});

describe("local workspace commands", () => {
  it("run through /bin/sh, a shell named, or none (the command split into words), with env and cwd", async () => {
    const ws = new LocalWorkspace({ id: "test", pwd: root, env: { FROM_WORKSPACE: "ws" } });
    await mkdir(join(root, "sub"));

    expect(await ws.runOutput('echo "$0" "$FROM_WORKSPACE" "$FROM_RUN"; pwd', { env: { FROM_RUN: "run" }, cwd: "sub" })).toBe(`/bin/sh ws run\n${join(root, "sub")}`);
    expect(await ws.runOutput('echo "$0"', { shell: "bash" })).toBe("bash");
    expect(await ws.run("printf %s|%s $HOME my\\ file", { shell: false, capture: true })).toBe("$HOME|my file");
    expect(await ws.run("echo not captured")).toBe("");
  });

  it("a failure is a CommandError: the exit code or signal and the last lines of stdout and stderr, or why it could not start", async () => {
    const ws = new LocalWorkspace({ id: "test", pwd: root });

    const failed = await ws.run("echo out; echo err >&2; exit 3").catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(CommandError);
    expect(failed).toMatchObject({ exitCode: 3, signal: undefined });
    expect((failed as CommandError).output.split("\n").sort()).toEqual(["err", "out"]);
    await expect(ws.run("kill -TERM $$")).rejects.toMatchObject({ exitCode: undefined, signal: "SIGTERM" });
    await expect(ws.run("true", { cwd: "missing" })).rejects.toThrow(`could not start: its working folder ${join(root, "missing")} does not exist`);
    await expect(ws.run("no-such-program-here", { shell: false })).rejects.toThrow(/could not start: .*ENOENT/);
  });
});
