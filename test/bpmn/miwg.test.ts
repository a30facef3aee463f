/*
 * The BPMN MIWG test suite as eight modelers export it (261 files, kept
 * next to the repository in ../shared/corpus/miwg). Every file loads or is
 * refused with an InvalidBpmnError naming the elements; most load, and most of
 * those run to their end with nothing but no-op implementations.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { miwgFiles, miwgOutcome, withTempFolder, type MiwgOutcome } from "./miwg-run.js";

let outcomes: MiwgOutcome[];

beforeAll(async () => {
  const files = await miwgFiles();
  outcomes = await withTempFolder(async (folder) => {
    const results: MiwgOutcome[] = [];
    // one at a time: each run's timers live on its own simulated clock, and the machine has two cores
    for (const file of files) results.push(await miwgOutcome(file, folder));
    return results;
  });
}, 300_000);

describe("the BPMN MIWG test suite", () => {
  it("is all there", () => {
    expect(outcomes).toHaveLength(261);
  });

  it("every file loads or gets an InvalidBpmnError whose problems name elements", () => {
    for (const outcome of outcomes.filter((o) => !o.loaded)) {
      expect(outcome.problems.length, outcome.file).toBeGreaterThan(0);
      for (const problem of outcome.problems) {
        expect(problem.elementId, `${outcome.file}: ${problem.message}`).not.toBe("");
        expect(problem.message, outcome.file).not.toBe("");
      }
    }
  });

  it("at least 200 files load", () => {
    expect(outcomes.filter((o) => o.loaded).length).toBeGreaterThanOrEqual(200);
  });

  it("at least 150 files finish a run with no-op tasks, first-flow decisions, scripted user tasks and simulated timers", () => {
    expect(outcomes.filter((o) => o.failure === undefined).length).toBeGreaterThanOrEqual(150);
  });

  it("every modeler's files load, and some of each run to their end", () => {
    const modelers = new Set(outcomes.map((o) => o.modeler));
    expect(modelers.size).toBe(8);
    for (const modeler of modelers) {
      const own = outcomes.filter((o) => o.modeler === modeler);
      expect(own.filter((o) => o.loaded).length, modeler).toBeGreaterThan(own.length / 2);
      expect(own.filter((o) => o.failure === undefined).length, modeler).toBeGreaterThan(0);
    }
  });
});
