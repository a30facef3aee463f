/*
 * `adhesive lint` through the real bin: expression syntax errors, bad bytes
 * and too deep nesting are problems with element ids and positions, exit 1.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { builtCli } from "../built-package.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

async function lint(...files: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = await builtCli();
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, "lint", ...files], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe("adhesive lint", () => {
  it("reports FEEL and JavaScript syntax errors with their element ids, where it used to say ok", async () => {
    const { code, stdout } = await lint(fixture("bpmn/broken/expression-syntax.bpmn"));
    expect(code).toBe(1);
    expect(stdout).toContain("error   toFeel: expression `= amount >` on toFeel failed: FEEL syntax error: incomplete <Comparison> at column 10");
    expect(stdout).toContain("error   toOther: expression `amount >>>= )` on toOther failed: syntax error");
    expect(stdout).toContain("error   js: expression `for (const x of items { data.n++ }` on js failed: syntax error");
  });

  it("checks a UTF-16 file with bpmnlint too", async () => {
    const { code, stdout } = await lint(fixture("bpmn/encodings/utf16le-bom.bpmn"));
    expect(code).toBe(0);
    expect(stdout).not.toContain("bpmnlint could not check the file");
  });

  it("gives each file its own bpmnlint warnings: the same flow ids in two files are no duplicates", async () => {
    const hello = `${root}examples/hello/hello.bpmn`;
    const { code, stdout } = await lint(hello, hello);
    expect(code).toBe(0);
    expect(stdout).toBe("ok    examples/hello/hello.bpmn\n".replace("examples", `${root}examples`).repeat(2));
  });

  it("reports bad bytes with line and column, and reads a Latin-1 file", async () => {
    const { code, stdout } = await lint(fixture("bpmn/encodings/latin1-declared-utf8.bpmn"), fixture("bpmn/encodings/latin1.bpmn"));
    expect(code).toBe(1);
    expect(stdout).toContain("error   -: bytes that are not valid UTF-8");
    expect(stdout).toContain("at line 5, column 30");
    expect(stdout).toMatch(/^ok +.*latin1\.bpmn$/m);
  });
});
