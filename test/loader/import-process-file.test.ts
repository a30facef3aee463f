/*
 * Given process files whose syntax disagrees with their package's "type",
 * when the real CLI (bin/adhesive.js, from the sources) runs them, then the
 * syntax decides: ES module syntax and top-level await in a "type":
 * "commonjs" project load as an ES module (its .ts helpers too), a .ts that
 * only uses require() as CommonJS. test/package/ does the same, and more,
 * with the installed package.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, sourceBin } from "../run-cli.js";

const project = fileURLToPath(new URL("../fixtures/loader/commonjs-project/", import.meta.url));
// the CLI of the sources: the built one's dist/ is no "adhesive-bpmn" for a JavaScript file (test/built-cli.mjs)
const adhesive = (file: string) => runCli([file], project, sourceBin);

describe('process files in a "type": "commonjs" project', () => {
  it("runs a .ts with import, export and top-level await as an ES module, with its ES module helper", async () => {
    const { code, stdout, stderr } = await adhesive("esm.ts");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('result: {"greeting":"hello from an ES module helper"}');
  });

  it("runs a .js with ES module syntax as an ES module", async () => {
    const { code, stdout, stderr } = await adhesive("plain.js");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('result: {"greeting":"hello from .js"}');
  });

  it("loads a .ts that only uses require() as CommonJS, requiring another .ts", async () => {
    const { code, stdout, stderr } = await adhesive("commonjs.ts");
    expect(stdout).toContain("loaded commonjs.ts as CommonJS: module is object, answer 42");
    // it starts no run
    expect(stderr).toContain("commonjs.ts started no process");
    expect(code).toBe(2);
  });
});
