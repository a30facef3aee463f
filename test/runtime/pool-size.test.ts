/*
 * The default pool: tasks on the event loop mostly wait for commands, so
 * parallel builds are not held to the CPU count (issue 23: three builds ran
 * two at a time on two cores). Each build of the hello example's pipeline
 * runs a real shell command that waits until every build has started: with
 * a pool of the CPU count the last ones never start while the first wait,
 * and the bounded wait fails the run.
 */
import { mkdtemp } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { defaultPoolSize } from "../../src/runtime/pool-size.js";

const hello = fileURLToPath(new URL("../../examples/hello/hello.bpmn", import.meta.url));

describe("the default pool", () => {
  it("runs more parallel commands than there are cores, all at once", async () => {
    const folder = await mkdtemp(join(tmpdir(), "adhesive-pool-"));
    const platforms = Array.from({ length: availableParallelism() + 3 }, (_, i) => `p${i}`);
    // a deadlock guard, not a timing: a build that never sees the others started fails after 60 s
    const barrier = `touch "${folder}/started-$P"; for i in $(seq 600); do [ "$(ls "${folder}" | grep -c '^started-')" -ge ${platforms.length} ] && exit 0; sleep 0.1; done; echo "only $(ls "${folder}" | grep -c '^started-') builds started together" >&2; exit 1`;
    const data = await new Adhesive()
      .task("Prepare Workspace", () => undefined)
      .task("Build {loop.value}", async (ctx) => {
        await ctx.workspace.run(barrier, { env: { P: String(ctx.loop!.value) } });
        ctx.data.built = new Set([ctx.loop!.value]);
      })
      .task("Lint Sources", (ctx) => void (ctx.data.lintOk = true))
      .task("Publish Release", (ctx) => void (ctx.data.published = true))
      .task("Report Failure", (ctx) => void (ctx.data.published = false))
      .bpmnBuild(hello, { initialData: { platforms }, journal: false, tempFolder: folder, runsFolder: join(folder, "runs") });
    expect(data.published).toBe(true);
    expect([...(data.built as Set<string>)].sort()).toEqual([...platforms].sort());
  });

  it("is the CPU count for worker threads (CPU-bound functions), and at least 32 on the event loop", () => {
    expect(defaultPoolSize("worker")).toBe(availableParallelism());
    expect(defaultPoolSize("async")).toBe(Math.max(32, availableParallelism()));
    expect(defaultPoolSize(undefined)).toBe(defaultPoolSize("async"));
  });
});
