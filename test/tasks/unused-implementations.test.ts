/*
 * Implementations no element of the process matches are told to the run's
 * reporter once per run, beside the run itself; a process whose elements
 * use every implementation says nothing.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, type ImplementationInfo, type RunReporter } from "../../src/index.js";

const parallelJoin = fileURLToPath(new URL("../fixtures/engine/parallel-join.bpmn", import.meta.url));

function listening(): { reporter: RunReporter; told: Array<{ run: string; unused: string[] }> } {
  const told: Array<{ run: string; unused: string[] }> = [];
  const describe = (i: ImplementationInfo) => `${i.kind}(${i.label})${i.origin?.match(/unused-implementations\.test\.ts:\d+$/) ? " here" : ""}`;
  return { told, reporter: { unusedImplementations: (run, unused) => void told.push({ run: run.executionId, unused: unused.map(describe) }) } };
}

describe("unused implementations", () => {
  it("are told once per run, naming each with where it was declared", async () => {
    const { reporter, told } = listening();
    const adhesive = new Adhesive()
      .task(["Left", "Right", "Together"], () => undefined)
      .task("Deploy", () => undefined)
      .task({ re: /^Publish .+$/ }, () => undefined)
      .usertask("Approve", () => undefined)
      .timer("Wait a day", "P1D")
      .lane("build-server", async function* (ctx) {
        yield ctx.workspace;
      });

    const first = adhesive.bpmnBuild(parallelJoin, { reporter, journal: false });
    const second = adhesive.bpmnBuild(parallelJoin, { reporter, journal: false });
    await Promise.all([first, second]);

    const expected = ['task("Deploy") here', "task(/^Publish .+$/) here", 'usertask("Approve") here', 'timer("Wait a day") here', 'lane("build-server") here'];
    expect(told.map((t) => t.unused)).toEqual([expected, expected]);
    expect(new Set(told.map((t) => t.run)).size).toBe(2);
  });

  it("say nothing when every implementation has its element", async () => {
    const { reporter, told } = listening();
    await new Adhesive().task(["Left", "Right", "Together"], () => undefined).bpmnBuild(parallelJoin, { reporter, journal: false });
    expect(told).toEqual([]);
  });
});
