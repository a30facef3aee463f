/**
 * docker.build against a FAKE docker CLI (test/fixtures/bin/, see
 * fake-cli.mjs): no docker engine exists here. The fake reads the
 * Dockerfile, prints a step per line and writes an image id to --iidfile,
 * so the argument vector, the working folder, the output and the failure
 * handling are real; the image is not.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { docker, UsageError } from "../../src/index.js";
import { collector, fakeCliSetup, type FakeCliSetup } from "./fake-cli.js";

let setup: FakeCliSetup;

beforeEach(async () => {
  setup = await fakeCliSetup();
  await mkdir(join(setup.folder, "app", "docker"), { recursive: true });
  await writeFile(join(setup.folder, "app", "Dockerfile"), "FROM node:20\nRUN npm ci\n");
  await writeFile(join(setup.folder, "app", "docker", "release.Dockerfile"), "FROM node:20 AS build\nFROM scratch AS release\n");
});

afterEach(async () => {
  await setup.cleanup();
});

const IID_FILE = expect.stringMatching(/\/\.tmp-[^/]+\/image-id$/);

describe("docker.build (against a fake docker CLI)", () => {
  it("builds the context folder of the workspace with its tags and returns the image id; the build's output goes to the task's log", async () => {
    const output = collector();
    const built = await docker.build(setup.parent({ output }), ["registry.local/app:1.0", "registry.local/app:latest"], { context: "app" });

    expect(built.tags).toEqual(["registry.local/app:1.0", "registry.local/app:latest"]);
    expect(built.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(output.text).toContain("#2 [2/2] RUN npm ci");
    expect(output.text).toContain("naming to registry.local/app:latest done");
    expect(await setup.calls()).toEqual([["docker", "build", "-t", "registry.local/app:1.0", "-t", "registry.local/app:latest", "--iidfile", IID_FILE, "app"]]);
  });

  it("passes the Dockerfile path, build arguments, the target stage and extra arguments; other arguments give another image", async () => {
    const ws = setup.parent();
    const options = { context: "app", file: "app/docker/release.Dockerfile", target: "release", args: ["--pull"] };
    const first = await docker.build(ws, "app:release", { ...options, buildArgs: { VERSION: "1.0", NOTE: "it's $HOME" } });
    const second = await docker.build(ws, "app:release", { ...options, buildArgs: { VERSION: "2.0", NOTE: "it's $HOME" } });

    expect(first.imageId).not.toBe(second.imageId);
    expect((await setup.calls())[0]).toEqual([
      "docker",
      "build",
      "-t",
      "app:release",
      "-f",
      "app/docker/release.Dockerfile",
      "--build-arg",
      "VERSION=1.0",
      "--build-arg",
      "NOTE=it's $HOME",
      "--target",
      "release",
      "--iidfile",
      IID_FILE,
      "--pull",
      "app",
    ]);
  });

  it("a failing build is an ADHESIVE_DOCKER_BUILD error naming the image, the context and what docker said", async () => {
    await writeFile(join(setup.folder, "app", "Dockerfile"), "FROM node:20\nRUN false\n");
    const failure = docker.build(setup.parent(), "app:broken", { context: "app" });
    await expect(failure).rejects.toMatchObject({ code: "ADHESIVE_DOCKER_BUILD" });
    await expect(failure).rejects.toThrow(/could not build docker image "app:broken" from "app" in .*: docker build exited with code 1:\n[^]*did not complete successfully/);
  });

  it("builds inside a docker workspace too (the docker CLI of the container, as in a lane)", async () => {
    const built = await docker.inside(setup.parent(), "docker:cli", (ws) => docker.build(ws, "app:dind", { context: "app" }));
    expect(built.imageId).toMatch(/^sha256:/);
    const calls = await setup.calls();
    // `docker exec ... sh -c 'docker build ...'`: the command line the workspace's run got, run in the container
    const exec = calls.find((call) => call[1] === "exec" && call.at(-1)?.startsWith("docker build"));
    expect(exec?.slice(-3, -1)).toEqual(["sh", "-c"]);
    // the fake container shares this machine, so its docker CLI is the fake again, and got the build's argument vector intact
    expect(calls.filter((call) => call[1] === "build")).toEqual([["docker", "build", "-t", "app:dind", "--iidfile", IID_FILE, "app"]]);
  });

  it("refuses an empty tag and a build argument whose name would break NAME=VALUE", async () => {
    await expect(docker.build(setup.parent(), ["app:1", " "])).rejects.toBeInstanceOf(UsageError);
    await expect(docker.build(setup.parent(), "app:1", { buildArgs: { "A=B": "x" } })).rejects.toBeInstanceOf(UsageError);
    expect(await setup.calls()).toEqual([]);
  });
});
