/**
 * The docker workspace against a FAKE docker CLI (test/fixtures/bin/docker):
 * there is no docker engine here. These tests check the exact argument
 * vectors the workspace hands to `docker` (through the parent workspace's
 * shell, so quoting is exercised for real) and its error handling. The fake
 * runs `docker exec` commands on this machine, so command output and exit
 * codes are real; what is not tested is a real engine's behaviour.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AdhesiveError } from "../../src/errors.js";
import { withSecret } from "../../src/secrets/secrets.js";
import { CommandError } from "../../src/workspaces/command-error.js";
import { docker } from "../../src/index.js";
import { bindMount, dockerInside, dockerLane, DockerWorkspace, startDocker } from "../../src/workspaces/docker.js";
import { collector, fakeCliSetup, NASTY_COMMAND, type FakeCliSetup } from "./fake-cli.js";
import { bounded, until, WAIT_LIMIT_MS } from "../waiting.js";
import { escapeRegExp } from "../../src/escape-regexp.js";

const IMAGE = "node:20-alpine";
const NAME = "adhesive-test";
const uid = `${process.getuid?.()}:${process.getgid?.()}`;

let setup: FakeCliSetup;

beforeEach(async () => {
  setup = await fakeCliSetup();
});

afterEach(async () => {
  await setup.cleanup();
});

function runCall(folder: string, extra: string[] = [], user: string[] = ["-u", uid]): string[] {
  return ["docker", "run", "-d", "-t", "--rm", "--name", NAME, ...user, "--mount", bindMount(folder), "-w", folder, ...extra, "--entrypoint", "cat", IMAGE];
}

const rmCall = ["docker", "rm", "-f", NAME];

describe("docker workspace (against a fake docker CLI)", () => {
  it("starts the container with the folder mounted at the same path, execs with env/cwd/shell, removes it after success", async () => {
    const parent = setup.parent();
    const folder = setup.folder;
    const result = await dockerInside(
      parent,
      IMAGE,
      async (ws) => {
        expect(ws.pwd).toBe(folder);
        expect(ws.id).toBe(NAME);
        await ws.mkdir("sub dir");
        const out = await ws.run('echo "$A|$B|$(pwd)"', { env: { A: "1 2", B: "x'y $z" }, cwd: "sub dir", capture: true });
        await ws.run("echo in bash", { shell: "bash" });
        await ws.run("echo no shell", { shell: false });
        return out;
      },
      { name: NAME, env: { CI: "true" }, args: ["--network", "host"] },
    );
    expect(result).toBe(`1 2|x'y $z|${join(folder, "sub dir")}\n`);
    expect(await setup.calls()).toEqual([
      runCall(folder, ["-e", "CI=true", "--network", "host"]),
      ["docker", "exec", "-e", "A=1 2", "-e", "B=x'y $z", "-w", join(folder, "sub dir"), NAME, "sh", "-c", 'echo "$A|$B|$(pwd)"'],
      ["docker", "exec", "-w", folder, NAME, "bash", "-c", "echo in bash"],
      ["docker", "exec", "-w", folder, NAME, "echo", "no", "shell"],
      rmCall,
    ]);
  });

  it("the --mount value survives a folder name with a comma and quotes (CSV quoting), the default name is random", async () => {
    expect(bindMount('/a,b/"c"')).toBe('type=bind,"source=/a,b/""c""","target=/a,b/""c"""');
    expect(bindMount("/plain/path")).toBe("type=bind,source=/plain/path,target=/plain/path");
    await dockerInside(setup.parent(), IMAGE, () => undefined, { user: false });
    const [run, rm] = await setup.calls();
    const name = run[run.indexOf("--name") + 1];
    expect(name).toMatch(/^adhesive-[0-9a-f]{12}$/);
    expect(run).not.toContain("-u");
    const csv = setup.folder.replace(/"/g, '""'); // the folder name has `"dq"` in it
    expect(csv).toContain('""dq""');
    expect(run).toContain(`type=bind,"source=${csv}","target=${csv}"`);
    expect(rm).toEqual(["docker", "rm", "-f", name]);
  });

  it("a command full of special characters arrives intact as ONE argument and runs like it does locally", async () => {
    const parent = setup.parent();
    const local = await parent.run(NASTY_COMMAND, { capture: true });
    const inside = await dockerInside(parent, IMAGE, (ws) => ws.run(NASTY_COMMAND, { capture: true }), { name: NAME });
    expect(inside).toBe(local);
    expect(local).toContain("[it's]\n[$HOME]\n[$PATH]\n[back`tick`]\n[a\"b]");
    const exec = (await setup.calls())[1];
    expect(exec).toEqual(["docker", "exec", "-w", setup.folder, NAME, "sh", "-c", NASTY_COMMAND]);
  });

  it("reads and writes files in the mounted folder through the parent, elsewhere with docker cp / docker exec", async () => {
    const folder = setup.folder;
    const outside = join(setup.root, "outside 'the' mount");
    const localDir = join(setup.root, "local dir");
    await mkdir(join(localDir, "nested"), { recursive: true });
    await writeFile(join(localDir, "nested", "f.txt"), "from the local machine");
    await dockerInside(
      setup.parent(),
      IMAGE,
      async (ws) => {
        await ws.writeFile("in-mount.txt", "mounted");
        expect(await readFile(join(folder, "in-mount.txt"), "utf8")).toBe("mounted");
        expect(await ws.readFile(join(folder, "in-mount.txt"))).toBe("mounted");
        expect((await setup.calls()).length).toBe(1); // only docker run: the mount needs no CLI call

        const target = join(outside, "deep", "$file.txt");
        await ws.writeFile(target, "copied in");
        expect(await readFile(target, "utf8")).toBe("copied in");
        expect(await ws.readFile(target)).toBe("copied in");
        await ws.copyToAgent(localDir, join(outside, "tree"));
        expect(await readFile(join(outside, "tree", "nested", "f.txt"), "utf8")).toBe("from the local machine");
        await ws.copyFromAgent(join(outside, "tree"), join(setup.root, "back"));
        expect(await readFile(join(setup.root, "back", "nested", "f.txt"), "utf8")).toBe("from the local machine");
        await ws.rm(outside);
        expect(existsSync(outside)).toBe(false);
      },
      { name: NAME },
    );
    const calls = (await setup.calls()).slice(1);
    const temp = (file: string) => expect.stringMatching(new RegExp(`^${escapeRegExp(folder)}/\\.tmp-[^/]+/${file}$`));
    const target = join(outside, "deep", "$file.txt");
    expect(calls).toEqual([
      ["docker", "exec", "-w", "/", NAME, "mkdir", "-p", join(outside, "deep")],
      ["docker", "cp", temp("file"), `${NAME}:${target}`],
      ["docker", "cp", `${NAME}:${target}`, temp("file")],
      ["docker", "exec", "-w", "/", NAME, "mkdir", "-p", join(outside, "tree")],
      ["docker", "cp", temp("copy/\\."), `${NAME}:${join(outside, "tree")}`],
      ["docker", "cp", `${NAME}:${join(outside, "tree")}`, temp("copy")],
      ["docker", "exec", "-w", "/", NAME, "rm", "-rf", outside],
      rmCall,
    ]);
  });

  it("forTask views print to the task's output; withChdir and withTempFolder stay in the container", async () => {
    const task = collector();
    await dockerInside(
      setup.parent(),
      IMAGE,
      async (ws) => {
        await ws.forTask({ signal: undefined, output: task }).run("echo to-the-task");
        await ws.mkdir("a");
        await ws.withChdir("a", (inner) => inner.run("true"));
        await ws.withTempFolder(async (temp) => {
          expect(temp.pwd).toMatch(new RegExp(`^${escapeRegExp(setup.folder)}/\\.tmp-[0-9a-f]+$`));
          expect(existsSync(temp.pwd)).toBe(true);
          await temp.run("true");
        });
      },
      { name: NAME },
    );
    expect(task.text).toBe("to-the-task\n");
    const execs = (await setup.calls()).filter((call) => call[1] === "exec");
    expect(execs[1]).toEqual(["docker", "exec", "-w", join(setup.folder, "a"), NAME, "sh", "-c", "true"]);
    expect(execs[2][3]).toMatch(/\/\.tmp-[0-9a-f]+$/);
    expect((await setup.calls()).at(-1)).toEqual(rmCall);
  });

  it("a failing command gives a CommandError with the user's command and exit code", async () => {
    const error = await dockerInside(setup.parent(), IMAGE, (ws) => ws.run("echo boom >&2; exit 3"), { name: NAME }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    const failure = error as CommandError;
    expect(failure.command).toBe("echo boom >&2; exit 3");
    expect(failure.exitCode).toBe(3);
    expect(failure.output).toContain("boom");
    expect(failure.message).toContain(`exited with code 3 in docker container ${NAME} (image ${IMAGE})`);
    expect((await setup.calls()).at(-1)).toEqual(rmCall);
  });

  it("removes the container when fn throws, and the error is fn's", async () => {
    const thrown = new Error("the block failed");
    await expect(dockerInside(setup.parent(), IMAGE, () => Promise.reject(thrown), { name: NAME })).rejects.toBe(thrown);
    expect(await setup.calls()).toEqual([runCall(setup.folder), rmCall]);
  });

  it("removes the container when the task is cancelled mid-command (the exec is killed, rm -f still runs)", async () => {
    const controller = new AbortController();
    const task = setup.parent().forTask({ get signal() { return controller.signal; }, output: undefined });
    const outcome = dockerInside(
      task,
      IMAGE,
      async (ws) => {
        cancelOnceExecRuns(controller);
        await ws.run("sleep 3600");
      },
      { name: NAME },
    );
    // the command would take an hour: settling at all shows the exec was killed
    await expect(bounded(outcome, "the cancelled docker exec to settle")).rejects.toThrow("cancelled by the test");
    expect(await setup.calls()).toEqual([
      runCall(setup.folder),
      ["docker", "exec", "-w", setup.folder, NAME, "sh", "-c", "sleep 3600"],
      rmCall,
    ]);
  });

  it("a failing docker run (image not found) is a clear error naming the image; fn never runs", async () => {
    const stderr =
      "Unable to find image 'nope/missing:1' locally\n" +
      "docker: Error response from daemon: pull access denied for nope/missing, repository does not exist or may require 'docker login'.\n";
    const parent = setup.parent({ fail: { run: { exit: 125, stderr } } });
    let called = false;
    const error = await dockerInside(parent, "nope/missing:1", () => {
      called = true;
    }, { name: NAME }).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(error).toBeInstanceOf(AdhesiveError);
    expect((error as AdhesiveError).code).toBe("ADHESIVE_DOCKER_START");
    expect((error as Error).message).toContain('could not start a docker container from image "nope/missing:1": docker run exited with code 125');
    expect((error as Error).message).toContain("pull access denied for nope/missing");
    // a failed `docker run` may have created the container: it is removed, quietly
    expect((await setup.calls()).map((call) => call.slice(0, 2))).toEqual([
      ["docker", "run"],
      ["docker", "rm"],
    ]);
  });

  it("a container that cannot be removed is an error naming it", async () => {
    const parent = setup.parent({ fail: { rm: { exit: 1, stderr: "Error response from daemon: cannot remove container\n" } } });
    const error = await dockerInside(parent, IMAGE, () => "ok", { name: NAME }).catch((e: unknown) => e);
    expect((error as AdhesiveError).code).toBe("ADHESIVE_DOCKER_STOP");
    expect((error as Error).message).toContain(`could not remove docker container ${NAME} (image ${IMAGE}): exited with code 1`);
  });

  it("startDocker/stop and the lane helper: the container lives until stop or lane teardown", async () => {
    const ws = await startDocker(setup.parent(), IMAGE, { name: NAME, user: "root" });
    await ws.forTask({ signal: undefined, output: undefined }).stop();
    await ws.stop(); // once per container, whichever view stops it
    const lane = dockerLane(setup.parent(), IMAGE, { name: NAME });
    const first = await lane.next();
    expect(first.done).toBe(false);
    await lane.return(undefined);
    const calls = await setup.calls();
    expect(calls).toEqual([runCall(setup.folder, [], ["-u", "root"]), rmCall, runCall(setup.folder), rmCall]);
  });

  it("the API's docker.lane (docker.ts loads with the first call) hands out the container and removes it at lane teardown", async () => {
    const lane = docker.lane(setup.parent(), IMAGE, { name: NAME });
    const first = await lane.next();
    expect(first.value).toBeInstanceOf(DockerWorkspace);
    expect(await setup.calls()).toEqual([runCall(setup.folder)]);
    expect(await lane.return(undefined)).toEqual({ done: true, value: undefined });
    expect(await setup.calls()).toEqual([runCall(setup.folder), rmCall]);
  });

  it("a secret written outside the mount goes in with docker cp and is removed even when the task is cancelled", async () => {
    const project = join(setup.root, "project");
    await mkdir(join(project, ".adhesive", "secrets"), { recursive: true });
    await writeFile(join(project, ".adhesive", "secrets", "token"), "very-secret-token\n");
    const target = join(setup.root, "container-only", "token");
    const controller = new AbortController();
    const task = setup.parent().forTask({ get signal() { return controller.signal; }, output: undefined });
    const outcome = dockerInside(
      task,
      IMAGE,
      (ws) =>
        withSecret(
          ws,
          "token",
          target,
          async (path) => {
            expect(await readFile(path, "utf8")).toBe("very-secret-token\n");
            expect((await stat(path)).mode & 0o777).toBe(0o600);
            cancelOnceExecRuns(controller);
            await ws.run("sleep 3600");
          },
          { projectFolder: project, homeFolder: join(setup.root, "home") },
        ),
      { name: NAME },
    );
    await expect(bounded(outcome, "the cancelled docker exec to settle")).rejects.toThrow("cancelled by the test");
    expect(existsSync(target)).toBe(false);
    const calls = await setup.calls();
    expect(calls.at(-2)).toEqual(["docker", "exec", "-w", "/", NAME, "rm", "-rf", target]);
    expect(calls.at(-1)).toEqual(rmCall);
  });
});

/** Cancels the task once the fake docker has been asked to exec the command (it logs a call before it runs it). */
function cancelOnceExecRuns(controller: AbortController): void {
  const execs = async () => (await setup.calls()).filter((call) => call[1] === "exec" && call.at(-1)!.startsWith("sleep")).length;
  void until(async () => (await execs()) > 0, "the docker exec of the command", WAIT_LIMIT_MS, 20).then(
    () => controller.abort(new Error("cancelled by the test")),
    (error: unknown) => controller.abort(error),
  );
}
