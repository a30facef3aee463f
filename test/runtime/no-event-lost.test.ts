/*
 * Every event a source produced runs its tasks, whatever the timing (issue
 * 17, item 1). A run used to resolve "successfully" while the last events of
 * a finished source still waited in the engine's inbox: the engine had
 * paused for the event loop (its 20 ms slice was used up) and the source's
 * end was taken for the run's end. fast-check varies what decides when the
 * engine pauses and what it finds when it comes back: how much (simulated)
 * time each task takes, so slices end after a varying number of steps; how
 * tasks return (synchronously, a resolved promise, the next turn, a timer);
 * the source kind; the pool and the number of events in flight. Each run
 * must have called every task once per event, and the task after the join
 * once per event.
 */
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Adhesive, type Clock } from "../../src/index.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/messages/${name}`, import.meta.url));

/** How a task returns. */
const RETURNS = ["sync", "resolved", "immediate", "timeout"] as const;
type Returns = (typeof RETURNS)[number];

/**
 * Time that moves only when a task says it took some: the engine reads it
 * to decide when its slice is over, so a task "taking" 7 ms ends a 20 ms
 * slice after three tasks, on every machine alike. Timers (none in these
 * processes) would use the real ones.
 */
class TaskTime implements Clock {
  private time = Date.UTC(2026, 0, 1);
  now(): number {
    return this.time;
  }
  pass(ms: number): void {
    this.time += ms;
  }
  setTimer<T>(ms: number, fire: (arg: T) => void, arg: T): unknown {
    return setTimeout(fire, ms, arg);
  }
  clearTimer(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}

function returning(how: Returns): unknown {
  switch (how) {
    case "sync":
      return undefined;
    case "resolved":
      return Promise.resolve();
    case "immediate":
      return new Promise((resolve) => setImmediate(resolve));
    case "timeout":
      return new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const scenario = fc.record({
  events: fc.integer({ min: 1, max: 120 }),
  source: fc.constantFrom("generator", "callback-awaiting", "callback-burst"),
  /** per task call, cycled: simulated milliseconds it takes */
  durations: fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 7 }),
  /** per task call, cycled; all synchronous often: instances then end between inputs, where a pause used to lose the rest */
  returns: fc.oneof(fc.constant<Returns[]>(["sync"]), fc.array(fc.constantFrom(...RETURNS), { minLength: 1, maxLength: 5 })),
  poolSize: fc.constantFrom(1, 2, 5, 64, 1e9),
  maxEventsInFlight: fc.constantFrom(1, 3, 10, 1000),
  journal: fc.boolean(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Runs the scenario; returns how often each task ran, per event. */
async function runScenario(file: string, tasks: readonly string[], after: string, s: Scenario): Promise<{ calls: Map<string, number[]>; produced: number }> {
  const clock = new TaskTime();
  const calls = new Map<string, number[]>([...tasks, after].map((name) => [name, new Array<number>(s.events).fill(0)]));
  let call = 0;
  let produced = 0;
  const adhesive = new Adhesive();
  const name = file.includes("burst") ? "Burst" : "Event";
  if (s.source === "generator") {
    adhesive.message(name, async function* () {
      for (let i = 0; i < s.events; i++, produced++) yield { i };
    });
  } else {
    const awaiting = s.source === "callback-awaiting";
    adhesive.messageCallback(name, async (_ctx, emit) => {
      for (let i = 0; i < s.events; i++, produced++) {
        const taken = emit({ i });
        if (awaiting) await taken;
      }
    });
  }
  adhesive.task([...tasks, after], (ctx) => {
    const n = call++;
    calls.get(ctx.taskName)![(ctx.data.event as { i: number }).i]++;
    clock.pass(s.durations[n % s.durations.length]);
    return returning(s.returns[n % s.returns.length]);
  });
  await adhesive.bpmnBuild(file, {
    clock,
    poolSize: s.poolSize,
    maxEventsInFlight: s.maxEventsInFlight,
    journal: s.journal,
  });
  return { calls, produced };
}

describe("no event is ever dropped", () => {
  const cases = [
    ["five parallel tasks joined at a parallel gateway", "five-parallel.bpmn", ["Task 1", "Task 2", "Task 3", "Task 4", "Task 5"], "Joined"],
    ["two forks joined at a task (implicit join) and at a gateway", "burst-join.bpmn", ["Left", "Right", "Join", "Up", "Down"], "Count"],
  ] as const;

  it.each(cases)("%s: every event runs each of its tasks exactly once", async (_title, file, tasks, after) => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { calls, produced } = await runScenario(fixture(file), tasks, after, s);
        expect(produced).toBe(s.events);
        for (const [task, perEvent] of calls) {
          const wrong = perEvent.flatMap((count, event) => (count === 1 ? [] : [`event ${event} ran ${task} ${count} times`]));
          expect(wrong).toEqual([]);
        }
      }),
      { numRuns: 150, seed: 17 },
    );
  }, 240_000);
});
