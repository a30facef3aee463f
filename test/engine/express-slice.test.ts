/*
 * The engine gives the event loop a turn once a slice of work has lasted
 * 20 ms (slice.ts): it counts steps and reads the clock every 64 of them.
 * The token queue counts a step per token move, about 2k + 3 per instance of
 * a fan-out block of k tasks; an instance the express path takes through
 * counts as many (Slice.count), or synchronous tasks that take time would
 * keep the event loop (Ctrl-C, timers, the run's abort signal) waiting for
 * up to 64 instances instead of a few. The clock here moves only when a
 * task runs (10 ms per call), and the schedule only records: the count is
 * of instances run before the engine first pauses.
 */
import { describe, expect, it } from "vitest";
import { Engine, type NodeRunner } from "../../src/engine/engine.js";
import { compileProcess } from "../../src/model/compile.js";
import { definition } from "./harness.js";

function instancesBeforePause(queued: boolean): number {
  let time = 0;
  const clock = { now: () => time, setTimer: () => undefined, clearTimer: () => undefined };
  const runner: NodeRunner = {
    implements: (node) => node.kind === "task",
    run() {
      time += 10;
      return undefined;
    },
  };
  const tasks = ["a", "b", "c", "d", "e"];
  const engine = new Engine(
    compileProcess(
      definition(
        [{ id: "start", kind: "messageStartEvent", messageName: "Go" }, { id: "fork", kind: "parallelGateway" }, ...tasks.map((id) => ({ id, kind: "task" as const })), { id: "join", kind: "parallelGateway" }, { id: "end", kind: "endEvent" }],
        ["start->fork", ...tasks.map((id) => `fork->${id}`), ...tasks.map((id) => `${id}->join`), "join->end"],
      ),
    ),
    { executionId: "slices", waitTasks: false, poolSize: 1e9, runner, clock, schedule: () => {}, express: !queued },
  );
  const start = engine.graph.nodes.find((node) => node.id === "start")!;
  engine.outside.openSource();
  void engine.start({}).catch(() => {});
  for (let i = 0; i < 1000; i++) {
    engine.outside.emit(start, i);
    // paused: the event waits in the inbox for the next turn
    if (engine.loop.pendingInputs > 0) return i;
  }
  return 1000;
}

describe("pauses for the event loop with instances run in one go", () => {
  it("through the token queue, pauses a few 50 ms instances after its 20 ms", () => {
    expect(instancesBeforePause(true)).toBeLessThan(10);
  });

  it("runs about as many 50 ms instances before it pauses as the token queue does", () => {
    expect(instancesBeforePause(false)).toBeLessThanOrEqual(2 * instancesBeforePause(true));
  });
});
