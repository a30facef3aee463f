/*
 * bullmq and ioredis are optional peer dependencies, loaded only when a
 * store is used: given the CLI of a clone, when it prints its version or
 * runs a process on one host, then neither package is loaded (nor needs to
 * be installed). The module recorder itself is shown to see them when the
 * store's loader runs.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { root } from "../run-cli.js";

const recorder = fileURLToPath(new URL("../fixtures/store/record-loads.mjs", import.meta.url));

/** Runs node with the recorder preloaded; returns the URLs of the modules it loaded, and its output. */
async function loadsOf(args: readonly string[]): Promise<{ urls: string[]; stdout: string }> {
  const file = join(await mkdtemp(join(tmpdir(), "adhesive-loads-")), "loads.txt");
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["--import", recorder, ...args], { cwd: root, env: { ...process.env, RECORD_LOADS_FILE: file }, timeout: 60_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
    ),
  );
  return { urls: (await readFile(file, "utf8")).split("\n").filter(Boolean), stdout };
}

const storePackages = (urls: readonly string[]) => urls.filter((url) => /\/node_modules\/(bullmq|ioredis)\//.test(url));

describe("a single-host start", () => {
  it("loads neither bullmq nor ioredis to print the version", async () => {
    const { urls, stdout } = await loadsOf([join(root, "bin/adhesive.js"), "--version"]);
    expect(stdout).toMatch(/\d+\.\d+\.\d+/);
    expect(urls.some((url) => url.endsWith("/src/cli/main.ts"))).toBe(true);
    expect(storePackages(urls)).toEqual([]);
  });

  it("loads neither to run a process", async () => {
    const { urls, stdout } = await loadsOf([join(root, "bin/adhesive.js"), "test/fixtures/cli/pipeline.ts"]);
    expect(stdout).toContain('result: {"left":true,"right":true}');
    expect(urls.some((url) => url.endsWith("/src/runtime/run.ts"))).toBe(true);
    expect(storePackages(urls)).toEqual([]);
  });

  it("is checked by a recorder that does see them when the store's loader runs", async () => {
    const loader = join(root, "src/store/bullmq.ts");
    const { urls } = await loadsOf(["--import", "tsx", "-e", `import(${JSON.stringify(loader)}).then((m) => m.loadBullmq())`]);
    expect(storePackages(urls).length).toBeGreaterThan(0);
  });
});
