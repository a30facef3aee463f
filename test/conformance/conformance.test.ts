import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, loadBpmn, scriptedUi, type UserTaskForm } from "../../src/index.js";
import { newRef } from "../../src/engine/data.js";
import { mergeInto } from "../../src/engine/merge.js";
import { executionCounts, loopExpressions, registerConformanceTasks } from "./recording.js";

interface Scenario {
  id: string;
  bpmn: string | null;
  waitTasks: boolean;
  expect: {
    executions?: Record<string, number>;
    data?: Record<string, unknown>;
    tasksEachSleepMs?: number;
    merge?: { first: Record<string, unknown>; second: Record<string, unknown>; result: Record<string, unknown> };
  };
}

const fixtures = fileURLToPath(new URL("../fixtures/conformance/", import.meta.url));
const scenarios = JSON.parse(readFileSync(`${fixtures}expectations.json`, "utf8")) as Scenario[];

/** The scripted answers of the scenario notes: text fields answer their own name, combobox its first value, ... */
function conformanceAnswers(form: UserTaskForm): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const field of form.fields) {
    if (field.kind === "text" || field.kind === "password") answers[field.name] = field.name;
    else if (field.kind === "combobox") answers[field.name] = field.values[0];
    else if (field.kind === "checkboxGroup") answers[field.name] = field.value;
    else if (field.kind === "button") answers[field.name] = field.name;
  }
  return answers;
}

async function runScenario(scenario: Scenario) {
  const file = `${fixtures}${scenario.bpmn!.replace(/^bpmn\//, "")}`;
  const adhesive = new Adhesive();
  registerConformanceTasks(adhesive, loopExpressions(await loadBpmn(file)));
  let running = 0;
  let maxRunning = 0;
  const data = await adhesive.bpmnBuild(file, {
    waitTasks: scenario.waitTasks,
    ui: scriptedUi(conformanceAnswers),
    poolSize: 8,
    reporter: {
      taskStarted: () => void (maxRunning = Math.max(maxRunning, ++running)),
      taskFinished: () => void running--,
    },
  });
  return { data, maxRunning };
}

function toPlain(value: unknown): unknown {
  if (value instanceof Set) return [...value];
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

describe("conformance scenarios (shared/conformance)", () => {
  for (const scenario of scenarios) {
    const name = `${scenario.id} (waitTasks: ${scenario.waitTasks})`;
    if (scenario.expect.merge) {
      it(name, () => {
        const { first, second, result } = scenario.expect.merge!;
        const revive = (d: Record<string, unknown>) => ({ ...d, set: new Set(d.set as string[]) });
        const target = newRef(revive(first));
        mergeInto(target, revive(second));
        expect(toPlain(target.data)).toEqual(result);
      });
    } else if (scenario.expect.executions) {
      it(name, async () => {
        const { data } = await runScenario(scenario);
        expect(executionCounts(data)).toEqual(scenario.expect.executions);
      });
    } else if (scenario.expect.tasksEachSleepMs) {
      // concurrency is checked by counting tasks running at once, not by timing the run
      it(name, async () => {
        const { data, maxRunning } = await runScenario(scenario);
        expect(maxRunning).toBe(5);
        expect([...(data.executions as Set<string>)].sort()).toEqual(["Parallel 1", "Parallel 2", "Parallel 3", "Parallel 4", "Parallel 5"]);
      });
    } else if (scenario.expect.data) {
      it(name, async () => {
        const { data } = await runScenario(scenario);
        expect(data).toMatchObject(scenario.expect.data!);
      });
    }
  }
});
