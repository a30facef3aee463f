/*
 * What forks and floods cost in memory (issue 11, items 5 and 6), measured
 * in child processes, never timed: data is shared between tokens instead of
 * copied per fork, and a messageCallback that emits faster than the run can
 * take events fails the run with a BackpressureError instead of running the
 * process out of memory.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));

function child(file: string, nodeArgs: string[], env: Record<string, string> = {}): Promise<{ code: number | null; result: Record<string, unknown>; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, "--import", "tsx", fixture(file)], { cwd: root, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      let result: Record<string, unknown> = {};
      try {
        result = JSON.parse(line) as Record<string, unknown>;
      } catch {
        // no result line: the child crashed; its code and stderr tell why
      }
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, result, stderr });
    });
  });
}

describe("forks share data: a loop over a list in data holds no copy per iteration", () => {
  it("2000 parked iterations beside a 20k-number array hold a few MB, not 2000 copies (over 300 MB)", async () => {
    const { code, result, stderr } = await child("parked-loop.ts", ["--expose-gc"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(result.parked).toBe(2000);
    expect(result.bigKept).toBe(20_000);
    expect(result.held as number).toBeLessThan(20 * 1024 * 1024);
  });
});

describe("messageCallback backpressure", () => {
  it("3e6 emits in one synchronous loop under a 512 MB heap fail the run with a BackpressureError, without crashing", async () => {
    const { code, result, stderr } = await child("emit-flood.ts", ["--max-old-space-size=512"], { FLOOD: "sync", EVENTS: String(3_000_000) });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(result.outcome).toMatch(/^ADHESIVE_BACKPRESSURE: .*message event "Event" \(start\): 100000 events are waiting for room .*await emit\(event\)/);
    expect(result.heapMB as number).toBeLessThan(512);
  });

  it("emits that are awaited are held back: every one of 100k events runs within the same heap", async () => {
    const { code, result, stderr } = await child("emit-flood.ts", ["--max-old-space-size=512"], { FLOOD: "await", EVENTS: String(100_000) });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(result).toMatchObject({ outcome: "finished", executed: 500_000 });
  });
});
