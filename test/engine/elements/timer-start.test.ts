/*
 * Timer start events: a date starts one instance when it is due, a cycle
 * one per firing (the run stays open while another may come), a cron cycle
 * forever, until the run is stopped.
 */
import { describe, expect, it } from "vitest";
import { CancelledError } from "adhesive-bpmn";
import { noop, scenario, until } from "./scenario.js";

describe("timer start events", () => {
  it("R3/PT1H starts three instances an hour apart, the date one at noon; then the run ends", async () => {
    const t = scenario("timer-start-cycle.bpmn", (a) => {
      a.task("Poll", (ctx) => void (ctx.data[`poll_${(t.clock.now() - Date.UTC(2026, 0, 1)) / 3_600_000}h`] = true));
      noop(a, "Lunch");
    });
    const run = t.run();
    await until(() => t.clock.size === 2);
    expect(t.ran).toEqual([]);
    await t.clock.advance(3 * 3_600_000);
    expect(t.ran).toEqual(["Poll", "Poll", "Poll"]);
    await t.clock.advance(9 * 3_600_000);
    const data = await run;
    expect(t.ran).toEqual(["Poll", "Poll", "Poll", "Lunch"]);
    expect(Object.keys(data).sort()).toEqual(["poll_1h", "poll_2h", "poll_3h"]);
  });

  it("a cron cycle starts an instance at every time it names, until the run is cancelled", async () => {
    const stop = new AbortController();
    const t = scenario("timer-start.bpmn", (a) => noop(a, "Backup"));
    const run = t.run({ signal: stop.signal });
    await until(() => t.clock.size === 1);
    // 0 0 2 * * ?: at two every night
    await t.clock.advance(3 * 24 * 3_600_000);
    expect(t.count("Backup")).toBe(3);
    stop.abort();
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(t.clock.size).toBe(0);
  });
});
