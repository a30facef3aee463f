/*
 * A run that never ends on its own must still answer: the engine gives the
 * event loop a turn often enough that a signal (Ctrl-C, an AbortSignal, a
 * timer) is handled, and an optional task limit stops a runaway cycle
 * (issue 11, item 4). No timing is asserted: an engine that never yields
 * never lets the abort timer or the SIGINT handler run, and the test fails
 * on its time-out. The abort timer and the signal come once the run has
 * spun a thousand times, not after a fixed time.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, TaskLimitError } from "../../src/index.js";
import { builtCli } from "../built-package.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));

const KINDS = [
  ["sync-cycle", "cycle.bpmn", () => undefined],
  ["async-cycle", "cycle.bpmn", () => Promise.resolve()],
  ["condition-loop", "endless-loop.bpmn", () => undefined],
] as const;

describe("an endless run stays responsive", () => {
  it.each(KINDS.flatMap(([kind]) => [[kind, "on"] as const, [kind, "off"] as const]))("a %s is cancelled by an AbortSignal that a timer aborts (journal %s)", async (kind, journal) => {
    const { code, stdout } = await child(["--import", "tsx", fixture("endless-api.ts")], kind, undefined, { ENDLESS_JOURNAL: journal });
    expect({ code, result: JSON.parse(stdout) as unknown }).toEqual({ code: 0, result: { outcome: "cancelled", spun: true } });
  });

  it.each(KINDS)("a %s is stopped by task_limit with a clear error", async (_kind, file, spin) => {
    let spins = 0;
    const adhesive = new Adhesive().task(["Spin", "Poll"], () => (spins++, spin()));
    const error = await adhesive.bpmnBuild(fixture(file), { taskLimit: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskLimitError);
    expect((error as TaskLimitError).message).toMatch(/the run started 5000 tasks, its limit \(task_limit in the config, taskLimit in the API\)/);
    expect(spins).toBe(5000);
  });

  it.each(KINDS.map(([kind]) => kind))("Ctrl-C stops a %s in the CLI with exit code 130", async (kind) => {
    const { code, stderr } = await child([await builtCli(), fixture("endless.ts")], kind, "SIGINT");
    expect(stderr).toContain("spins before SIGINT: some");
    expect(code).toBe(130);
  });
});

/* a child that does not end within 60 s (an engine that never yields) is killed and reported as such; 60 s only caps a hang */
function child(args: string[], kind: string, signal?: NodeJS.Signals, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const process_ = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, ENDLESS: kind } });
  let stdout = "";
  let stderr = "";
  let signalled = false;
  process_.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  process_.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    // the fixture prints "started" once the run is deep into its cycle
    if (signal !== undefined && stdout.includes("started") && !signalled) {
      signalled = true;
      process_.kill(signal);
    }
  });
  const killer = setTimeout(() => process_.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    process_.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr: code === null ? `${stderr}\n(killed: it did not end within 60 s)` : stderr });
    }),
  );
}
