/*
 * A synchronous task() function is called directly once the runner has seen
 * that calling it is all there is to do (src/runtime/runner.ts): every call,
 * the first ones and the later direct ones, gets the same arguments and runs
 * inside its task's output capture.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, type Context } from "../../src/index.js";
import { insideTask } from "../../src/logs/console-capture.js";

const fixture = fileURLToPath(new URL("../fixtures/messages/five-parallel.bpmn", import.meta.url));
const EVENTS = 6;

describe("synchronous task functions called again and again", () => {
  it("get ctx and their regex groups, no more, and run inside their task's output capture on every call", async () => {
    const grouped: unknown[][] = [];
    const joined: Array<{ args: number; name: string; inside: boolean }> = [];
    const adhesive = new Adhesive()
      .message("Event", async function* () {
        for (let i = 0; i < EVENTS; i++) yield { i };
      })
      .task({ re: /^Task (\d)$/ }, (...args: unknown[]) => void grouped.push(args.slice(1)))
      .task("Joined", (...args: unknown[]) => void joined.push({ args: args.length, name: (args[0] as Context).taskName, inside: insideTask() }));
    await adhesive.bpmnBuild(fixture, { journal: false });
    expect(grouped).toHaveLength(EVENTS * 5);
    expect(grouped.every((args) => args.length === 1 && /^[1-5]$/.test(String(args[0])))).toBe(true);
    expect(new Set(grouped.map((args) => args[0]))).toEqual(new Set(["1", "2", "3", "4", "5"]));
    expect(joined).toEqual(Array.from({ length: EVENTS }, () => ({ args: 1, name: "Joined", inside: true })));
  });
});
