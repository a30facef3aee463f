/**
 * scm.checkout: a run copies its project into its workspace. The project's
 * runs folder holds the run itself, with its live control socket (the
 * inbox), which is what made `copyToAgent(".")` fail before.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Adhesive, kube, scm } from "../../src/index.js";
import { fakeCliSetup, type FakeCliSetup } from "./fake-cli.js";

let root: string;
let project: string;

beforeEach(async () => {
  // short: the control socket must fit a socket path (else it goes to the OS temp folder)
  root = await mkdtemp(join(tmpdir(), "ck-"));
  project = join(root, "p");
  await mkdir(join(project, "src"), { recursive: true });
  await writeFile(join(project, "package.json"), '{"name": "app"}\n');
  await writeFile(join(project, "src", "main.ts"), "export {};\n");
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("scm.checkout", () => {
  it("copies the project into the run's workspace while the run's own control socket sits in the project's .adhesive/runs", async () => {
    const data = await new Adhesive()
      .task("Checkout", async (ctx) => {
        ctx.data.socket = existsSync(join(project, ".adhesive", "runs", ctx.executionId, "control.sock"));
        ctx.data.folder = await scm.checkout(ctx.workspace, { from: project });
        ctx.data.listing = (await ctx.workspace.runOutput("ls -A; ls -A src")).split("\n");
      })
      .processStart()
      .task("Checkout")
      .processEnd()
      .build({ inbox: true, runsFolder: join(project, ".adhesive", "runs"), tempFolder: join(root, "temp") });

    expect(data.socket).toBe(true); // the inbox's socket was there while the task copied
    expect(data.listing).toEqual(["package.json", "src", "main.ts"]);
    expect(data.folder).toMatch(/workspace$/);
  });

  it("checks out into a folder of a workspace of another kind (a pod, through a fake kubectl)", async () => {
    const setup: FakeCliSetup = await fakeCliSetup();
    try {
      const pod = join(setup.root, "pod");
      await mkdir(join(project, ".adhesive", "secrets"), { recursive: true });
      await writeFile(join(project, ".adhesive", "secrets", "TOKEN"), "s3cret");
      const folder = await kube.inside(setup.parent(), { pod: "builder", pwd: pod }, (ws) => scm.checkout(ws, { from: project, to: "src-copy" }));
      expect(folder).toBe(join(pod, "src-copy"));
      expect(await readFile(join(pod, "src-copy", "package.json"), "utf8")).toBe('{"name": "app"}\n');
      expect(existsSync(join(pod, "src-copy", ".adhesive"))).toBe(false);
    } finally {
      await setup.cleanup();
    }
  });
});
