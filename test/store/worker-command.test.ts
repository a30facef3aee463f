/*
 * `adhesive worker`: given a process file and a store, when jobs of its
 * pool are added (as an orchestrator adds them), then the worker runs the
 * file's task functions on the jobs' data and sends back what they changed,
 * in the journal's encoding, with what it printed (capped, the cut
 * marked); a task's own error comes back as that error, and the process
 * itself never runs in the worker. SIGTERM stops it.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue } from "../../src/journal/values.js";
import { type Store } from "../../src/store/connection.js";
import { REMOTE_OUTPUT_CAP_BYTES } from "../../src/store/output-cap.js";
import type { RemoteOutcome, RemoteTaskJob } from "../../src/store/remote-outcome.js";
import { TaskQueue } from "../../src/store/task-queue.js";
import { builtCli } from "../built-package.js";
import { root, runCli } from "../run-cli.js";
import { until } from "../waiting.js";
import { redisStorePerFile, type TestRedis } from "./redis-server.js";

const processFile = fileURLToPath(new URL("../fixtures/store/remote-tasks.ts", import.meta.url));

let redis: TestRedis;
let store: Store;
redisStorePerFile((server, connected) => {
  redis = server;
  store = connected;
});

function job(seq: number, node: string, name: string, data: Record<string, unknown>): RemoteTaskJob {
  return { run: "remote-run", seq, attempt: 1, node, name, data: encodeValue(data), idempotencyKey: `remote-run:${node}:${seq}`, tokenId: seq, lane: undefined, loop: undefined };
}

describe("adhesive worker", () => {
  it("runs the process file's task functions for its pool's jobs, and sends back their changes or their errors", async () => {
    const child = spawn(process.execPath, [await builtCli(), "worker", processFile, "--store", redis.url, "--pool", "build", "--concurrency", "2"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const outcomes: RemoteOutcome[] = [];
    let tasks: TaskQueue | undefined;
    try {
      await until(() => output.includes("taking jobs"), `the worker to start (it printed: ${output})`);
      const queue = /queue (adhesive\.build\.[0-9a-f]{16})/.exec(output)?.[1];
      expect(queue, output).toBeDefined();
      tasks = await TaskQueue.open(store, queue!, { keepResultsS: 3600, confirmEveryMs: 100 }, (outcome) => outcomes.push(outcome));
      await tasks.add(job(1, "left", "Left", { n: 7, scratch: "x" }));
      await tasks.add(job(2, "right", "Right", { fail: true }));
      await tasks.add(job(3, "right", "Right", {}));
      await tasks.add(job(4, "right", "Right", { shout: 70_000 }));
      await until(() => outcomes.length === 4, `three outcomes (the worker printed: ${output})`);

      const bySeq = Object.fromEntries(outcomes.map((outcome) => [outcome.seq, outcome]));
      expect(bySeq[1]).toMatchObject({ kind: "done", changes: { c: { left: { j: "left 7" } }, r: ["scratch"] } });
      const changes = bySeq[1].kind === "done" ? bySeq[1].changes : {};
      expect(decodeValue(changes.c!.seen)).toEqual(new Set([1]));
      expect(bySeq[2]).toMatchObject({ kind: "failed", failure: { name: "BpmnError", code: "NO_STOCK", message: "nothing left on the right" } });
      expect(bySeq[3]).toEqual({ kind: "done", run: "remote-run", seq: 3, attempt: 1, changes: { c: { right: { j: true } }, o: "right for remote-run:right:3\n" } });
      const shouted = bySeq[4].kind === "done" ? bySeq[4].changes.o! : "";
      const printed = "right for remote-run:right:4\n".length + 70_000;
      expect(shouted.startsWith("right for remote-run:right:4\nxxx")).toBe(true);
      expect(shouted.endsWith(`x\n[output truncated: ${printed - REMOTE_OUTPUT_CAP_BYTES} bytes]\n`)).toBe(true);
      expect(Buffer.byteLength(shouted)).toBe(REMOTE_OUTPUT_CAP_BYTES + `\n[output truncated: ${printed - REMOTE_OUTPUT_CAP_BYTES} bytes]\n`.length);
      expect(output).toContain("run remote-run #3 Right | right for remote-run:right:3");
      expect(output).toContain("fail  run remote-run #2 Right: nothing left on the right");
      expect(output).not.toContain("the worker never gets here");
    } finally {
      await tasks?.close();
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(143);
    expect(output).toContain("worker: SIGTERM: taking no more jobs, letting the running ones finish");
  });

  it("says what is missing when no store or no pool is given", async () => {
    const [noStore, noPool, badUrl] = await Promise.all([
      runCli(["worker", processFile, "--pool", "build"]),
      runCli(["worker", processFile, "--store", redis.url]),
      runCli(["worker", processFile, "--store", "localhost:6379", "--pool", "build"]),
    ]);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain("adhesive worker: which store? give --store <url> (or set the store key)");
    expect(noPool.code).toBe(2);
    expect(noPool.stderr).toContain("adhesive worker: which pools? give --pool <name> for each");
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('error: store "localhost:6379" is not a URL;');
  });
});
