/*
 * The start times of running tasks by token id (src/runtime/start-times.ts),
 * which the run keeps for the reporter's durations and the CLI's status line
 * for the tasks it names: whatever order tasks start and end in, each end
 * gets its own task's start time, once, and the oldest ones are found.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StartTimes } from "../../src/runtime/start-times.js";

describe("start times of running tasks", () => {
  it("gives each task that ends the time it started, once, whatever the order, as a Map would", () => {
    // a step starts the next token's task, or ends the running task at that position: hundreds run at once
    const steps = fc.array(fc.oneof({ arbitrary: fc.constant(-1), weight: 3 }, { arbitrary: fc.nat(5000), weight: 2 }), { minLength: 500, maxLength: 3000 });
    fc.assert(
      fc.property(steps, fc.integer({ min: 1, max: 1000 }), (plan, firstToken) => {
        // a ring of 16 slots: tasks that outlive 16 newer tokens, and the ring's growth, come within a few steps
        const table = new StartTimes<string>(16);
        const model = new Map<number, number>();
        const running: number[] = [];
        let next = firstToken;
        let clock = 0;
        for (const step of plan) {
          clock += 0.25;
          if (step < 0 || running.length === 0) {
            // consecutive token ids, as the engine hands them out
            table.set(next, clock, `task ${next}`);
            model.set(next, clock);
            running.push(next++);
            continue;
          }
          const [ended] = running.splice(step % running.length, 1);
          expect(table.take(ended)).toBe(model.get(ended));
          model.delete(ended);
          expect(table.take(ended)).toBeUndefined();
        }
        expect(table.size).toBe(model.size);
        const oldest = [...model].sort((a, b) => a[1] - b[1]).slice(0, 10);
        expect(table.oldest(10)).toEqual(oldest.map(([token, started]) => ({ started, shown: `task ${token}` })));
      }),
      { seed: 20, numRuns: 100 },
    );
  });

  it("knows nothing of a task it never saw start", () => {
    const table = new StartTimes();
    table.set(7, 1.5);
    expect(table.take(8)).toBeUndefined();
    expect(table.take(7)).toBe(1.5);
    expect(table.size).toBe(0);
  });
});
