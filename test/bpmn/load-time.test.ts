/*
 * What loadBpmn (and so `adhesive lint`) finds before anything runs:
 * syntax errors in FEEL and JavaScript expressions and scripts, each with
 * its element id, and sub-processes nested deeper than adhesive handles.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadBpmn } from "../../src/index.js";
import { problemsOf } from "./problems.js";

const broken = fileURLToPath(new URL("../fixtures/bpmn/broken/", import.meta.url));

/** `depth` sub-processes inside each other, each with a start and an end event. */
function nested(depth: number): string {
  let inner = '<startEvent id="s_in"/><task id="t" name="T"/><sequenceFlow id="a_in" sourceRef="s_in" targetRef="t"/>';
  for (let level = depth - 1; level >= 0; level--) {
    inner = `<startEvent id="s${level}"/><subProcess id="sub${level}">${inner}</subProcess><sequenceFlow id="a${level}" sourceRef="s${level}" targetRef="sub${level}"/>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"><process id="p" isExecutable="true">${inner}</process></definitions>`;
}

describe("expressions compile at load", () => {
  it("a FEEL, a JavaScript condition and a script with syntax errors are each a problem with the element id", async () => {
    const problems = await problemsOf(loadBpmn(join(broken, "expression-syntax.bpmn")));
    expect(problems).toEqual([
      { elementId: "toFeel", message: "expression `= amount >` on toFeel failed: FEEL syntax error: incomplete <Comparison> at column 10" },
      { elementId: "toOther", message: "expression `amount >>>= )` on toOther failed: syntax error: Unexpected token ')'" },
      { elementId: "js", message: "expression `for (const x of items { data.n++ }` on js failed: syntax error: Unexpected token '{'" },
    ]);
  });
});

describe("sub-processes nested too deep", () => {
  it("100 levels load; 101 and 1800 are refused naming the first one too deep", async () => {
    const folder = await mkdtemp(join(tmpdir(), "adhesive-nesting-"));
    const write = async (depth: number) => {
      const file = join(folder, `nested-${depth}.bpmn`);
      await writeFile(file, nested(depth));
      return file;
    };
    await expect(loadBpmn(await write(100))).resolves.toBeDefined();
    for (const depth of [101, 1800]) {
      expect(await problemsOf(loadBpmn(await write(depth)))).toEqual([
        { elementId: "sub100", message: "subProcess is nested too deep: more than 100 sub-processes inside each other" },
      ]);
    }
  });
});
