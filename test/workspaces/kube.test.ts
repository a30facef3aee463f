/**
 * The kube workspace against a FAKE kubectl (test/fixtures/bin/kubectl):
 * there is no Kubernetes cluster here. These tests check the exact argument
 * vectors handed to `kubectl` (through the parent workspace's shell, so
 * quoting is exercised for real) and the error handling. The fake runs the
 * `kubectl exec` command vector on this machine (the "pod" shares its files),
 * so the cd/env wrapper, output and exit codes are real; a real API server,
 * kubelet and `tar` in a pod are not.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AdhesiveError } from "../../src/errors.js";
import { CommandError } from "../../src/workspaces/command-error.js";
import { connectKube, kubeInside } from "../../src/workspaces/kube.js";
import { collector, fakeCliSetup, NASTY_COMMAND, type FakeCliSetup } from "./fake-cli.js";
import { bounded, until } from "../waiting.js";

const WRAPPER = 'cd "$1" && shift && exec "$@"';

let setup: FakeCliSetup;

beforeEach(async () => {
  setup = await fakeCliSetup();
});

afterEach(async () => {
  await setup.cleanup();
});

describe("kube workspace (against a fake kubectl)", () => {
  it("asks the container's working folder once, with --context, -n and -c", async () => {
    const pwd = await kubeInside(setup.parent(), { pod: "web-0", namespace: "prod ns", container: "app", context: "kind-ctx" }, (ws) => {
      expect(ws.id).toBe("prod ns/web-0/app");
      return ws.pwd;
    });
    expect(pwd).toBe(setup.folder); // the fake's "pod" runs where kubectl runs: the parent's folder
    expect(await setup.calls()).toEqual([["kubectl", "--context", "kind-ctx", "exec", "-n", "prod ns", "-c", "app", "web-0", "--", "sh", "-c", "pwd"]]);
  });

  it("runs commands through the cd wrapper with env, cwd and shell", async () => {
    const folder = setup.folder;
    await mkdir(join(folder, "sub dir"));
    const out = await kubeInside(setup.parent(), { pod: "web-0", pwd: folder }, async (ws) => {
      await ws.run("echo in bash", { shell: "bash" });
      await ws.run("echo no shell", { shell: false });
      return ws.run('echo "$A|$B|$(pwd)"', { env: { A: "1 2", B: "x'y $z" }, cwd: "sub dir", capture: true });
    });
    expect(out).toBe(`1 2|x'y $z|${join(folder, "sub dir")}\n`);
    expect(await setup.calls()).toEqual([
      ["kubectl", "exec", "web-0", "--", "sh", "-c", WRAPPER, "sh", folder, "bash", "-c", "echo in bash"],
      ["kubectl", "exec", "web-0", "--", "sh", "-c", WRAPPER, "sh", folder, "echo", "no", "shell"],
      ["kubectl", "exec", "web-0", "--", "sh", "-c", WRAPPER, "sh", join(folder, "sub dir"), "env", "A=1 2", "B=x'y $z", "sh", "-c", 'echo "$A|$B|$(pwd)"'],
    ]);
  });

  it("a command full of special characters arrives intact as ONE argument and runs like it does locally", async () => {
    const parent = setup.parent();
    const local = await parent.run(NASTY_COMMAND, { capture: true });
    const inside = await kubeInside(parent, { pod: "web-0", pwd: setup.folder }, (ws) => ws.run(NASTY_COMMAND, { capture: true }));
    expect(inside).toBe(local);
    expect((await setup.calls())[0]).toEqual(["kubectl", "exec", "web-0", "--", "sh", "-c", WRAPPER, "sh", setup.folder, "sh", "-c", NASTY_COMMAND]);
  });

  it("copies files with kubectl cp from a relative temporary folder (kubectl reads any ':' as POD:PATH)", async () => {
    const inPod = join(setup.root, "pod files");
    const localDir = join(setup.root, "local dir");
    await mkdir(localDir);
    await writeFile(join(localDir, "f.txt"), "from the local machine");
    await kubeInside(setup.parent(), { pod: "web-0", namespace: "ns", container: "app", pwd: inPod }, async (ws) => {
      await ws.writeFile("deep/$x.txt", "written");
      expect(await readFile(join(inPod, "deep", "$x.txt"), "utf8")).toBe("written");
      expect(await ws.readFile("deep/$x.txt")).toBe("written");
      await ws.copyToAgent(localDir, "tree");
      expect(await readFile(join(inPod, "tree", "f.txt"), "utf8")).toBe("from the local machine");
      await ws.copyFromAgent("tree", join(setup.root, "back"));
      expect(await readFile(join(setup.root, "back", "f.txt"), "utf8")).toBe("from the local machine");
      await ws.rm("tree");
      expect(existsSync(join(inPod, "tree"))).toBe(false);
    });
    const exec = (...program: string[]) => ["kubectl", "exec", "-n", "ns", "-c", "app", "web-0", "--", "sh", "-c", WRAPPER, "sh", "/", ...program];
    const temp = (file: string) => expect.stringMatching(new RegExp(`^\\./\\.tmp-[^/:]+/${file}$`));
    expect(await setup.calls()).toEqual([
      exec("mkdir", "-p", join(inPod, "deep")),
      ["kubectl", "cp", "-n", "ns", "-c", "app", temp("file"), `web-0:${join(inPod, "deep", "$x.txt")}`],
      ["kubectl", "cp", "-n", "ns", "-c", "app", `web-0:${join(inPod, "deep", "$x.txt")}`, temp("file")],
      exec("mkdir", "-p", inPod),
      ["kubectl", "cp", "-n", "ns", "-c", "app", temp("copy"), `web-0:${join(inPod, "tree")}`],
      ["kubectl", "cp", "-n", "ns", "-c", "app", `web-0:${join(inPod, "tree")}`, temp("copy")],
      exec("rm", "-rf", join(inPod, "tree")),
    ]);
  });

  it("a failing command gives a CommandError with the user's command and exit code", async () => {
    const error = await kubeInside(setup.parent(), { pod: "web-0", namespace: "ns", pwd: setup.folder }, (ws) => ws.run("echo boom >&2; exit 3")).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CommandError);
    const failure = error as CommandError;
    expect(failure.command).toBe("echo boom >&2; exit 3");
    expect(failure.exitCode).toBe(3);
    expect(failure.output).toContain("boom");
    expect(failure.message).toContain('exited with code 3 in pod "web-0" (namespace ns)');
  });

  it("an unreachable pod is a clear error naming it", async () => {
    const parent = setup.parent({ fail: { exec: { exit: 1, stderr: 'Error from server (NotFound): pods "nope" not found\n' } } });
    let called = false;
    const error = await kubeInside(parent, { pod: "nope", namespace: "ns" }, () => {
      called = true;
    }).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect((error as AdhesiveError).code).toBe("ADHESIVE_KUBE_CONNECT");
    expect((error as Error).message).toContain('could not reach pod "nope" (namespace ns): kubectl exec exited with code 1');
    expect((error as Error).message).toContain('pods "nope" not found');
  });

  it("cancellation kills the running kubectl exec; removing files still works afterwards", async () => {
    const controller = new AbortController();
    const sink = collector();
    const task = setup.parent().forTask({ get signal() { return controller.signal; }, output: sink });
    const ws = await connectKube(task, { pod: "web-0", pwd: setup.folder });
    await ws.writeFile("left-over.txt", "x");
    // cancelled once the command has started; it would take an hour, so settling at all shows kubectl exec was killed
    void until(() => sink.text.includes("started"), "the command to start").then(
      () => controller.abort(new Error("cancelled by the test")),
      (error: unknown) => controller.abort(error),
    );
    await expect(bounded(ws.run("echo started; sleep 3600"), "the cancelled kubectl exec to settle")).rejects.toThrow("cancelled by the test");
    expect(sink.text).toContain("started");
    await ws.rm("left-over.txt");
    expect(existsSync(join(setup.folder, "left-over.txt"))).toBe(false);
    expect((await setup.calls()).at(-1)).toEqual(["kubectl", "exec", "web-0", "--", "sh", "-c", WRAPPER, "sh", "/", "rm", "-rf", join(setup.folder, "left-over.txt")]);
  });
});
