/*
 * Lanes: a lane function yields the workspace for the tasks in its lane. It
 * opens when the first task in it needs it and is torn down when the last
 * token leaves, whatever the outcome of the run.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, TaskError, type Context, type Workspace } from "../../src/index.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** A workspace that is the parent one under another id, so a test can tell which lane a task ran in. */
function tagged(parent: Workspace, id: string): Workspace {
  return new Proxy(parent, {
    get(target, property, receiver) {
      if (property === "id") return id;
      if (property === "forTask") return () => tagged(target, id);
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

function pipeline(options: { failIn?: string; teardownFails?: boolean; setupFails?: boolean } = {}) {
  const adhesive = new Adhesive();
  const log: string[] = [];
  adhesive.lane(["build-server", "deploy"], async function* (ctx) {
    log.push(`open ${ctx.lane}`);
    if (options.setupFails) throw new Error("no such host");
    yield tagged(ctx.workspace, `ws:${ctx.lane}`);
    log.push(`close ${ctx.lane}`);
    if (options.teardownFails) throw new Error("cannot disconnect");
  });
  adhesive.task(["Checkout", "Compile", "Deploy", "Report"], (ctx: Context) => {
    log.push(`${ctx.taskName} in ${ctx.workspace.id === ctx.executionId ? "default" : ctx.workspace.id}${ctx.lane ? ` (lane ${ctx.lane})` : ""}`);
    if (ctx.taskName === options.failIn) throw new Error("compiler crashed");
  });
  return { adhesive, log, run: (signal?: AbortSignal) => adhesive.bpmnBuild(fixture("lanes/pipeline.bpmn"), { signal }) };
}

describe("lane lifecycle", () => {
  it("opens each lane once for its tasks, tears it down when its last token leaves, and leaves other tasks in the default workspace", async () => {
    const { log, run } = pipeline();
    await run();
    expect(log.filter((line) => line.startsWith("open"))).toEqual(["open build-server", "open deploy"]);
    expect(log).toContain("Checkout in ws:build-server (lane build-server)");
    expect(log).toContain("Compile in ws:build-server (lane build-server)");
    expect(log).toContain("Deploy in ws:deploy (lane deploy)");
    expect(log).toContain("Report in default");
    // build-server closes once its last token moved on to Deploy, before the run ends
    expect(log.indexOf("close build-server")).toBeGreaterThan(log.indexOf("Compile in ws:build-server (lane build-server)"));
    expect(log.indexOf("close build-server")).toBeLessThan(log.indexOf("Report in default"));
    expect(log).toContain("close deploy");
  });

  it("tears the lane down when a task in it fails, before the run rejects", async () => {
    const { log, run } = pipeline({ failIn: "Compile" });
    await expect(run()).rejects.toBeInstanceOf(TaskError);
    expect(log).toContain("close build-server");
    expect(log).not.toContain("open deploy");
  });

  it("tears the lane down when the run is cancelled", async () => {
    const adhesive = new Adhesive();
    const log: string[] = [];
    adhesive.lane("build-server", async function* (ctx) {
      try {
        yield ctx.workspace;
      } finally {
        log.push("closed");
      }
    });
    const stop = new AbortController();
    adhesive.task("Checkout", (ctx) => {
      stop.abort();
      return new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    });
    adhesive.task(["Compile", "Deploy", "Report"], () => undefined);
    await expect(adhesive.bpmnBuild(fixture("lanes/pipeline.bpmn"), { signal: stop.signal })).rejects.toMatchObject({ code: "ADHESIVE_CANCELLED" });
    expect(log).toEqual(["closed"]);
  });

  it("fails the task with the lane's name when the lane cannot give a workspace", async () => {
    const { run } = pipeline({ setupFails: true });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as Error).message).toContain('task "Checkout" (checkout) failed: lane "build-server": creating the workspace failed: no such host');
  });

  it("reports a failing teardown and rejects the otherwise successful run with it", async () => {
    const { adhesive, log } = pipeline({ teardownFails: true });
    const reported: string[] = [];
    const error = await adhesive
      .bpmnBuild(fixture("lanes/pipeline.bpmn"), { reporter: { laneFailed: (lane) => void reported.push(lane) } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ADHESIVE_LANE_FAILED", lane: "build-server" });
    expect((error as Error).message).toContain("tearing down the workspace failed: cannot disconnect");
    expect(reported.sort()).toEqual(["build-server", "deploy"]);
    expect(log).toContain("Report in default");
  });

  it("replaces the default workspace with lane(\"default\")", async () => {
    const { adhesive, log, run } = pipeline();
    adhesive.lane("default", async function* (ctx) {
      yield tagged(ctx.workspace, "ws:default");
    });
    await run();
    expect(log).toContain("Report in ws:default");
  });
});

describe("parametrized lanes", () => {
  it("renders the lane name per iteration of a looped sub-process and passes regex groups", async () => {
    const adhesive = new Adhesive();
    const opened: string[] = [];
    const closed: string[] = [];
    adhesive.lane({ re: /^server: (\w+)$/ }, async function* (ctx, host) {
      opened.push(host);
      yield tagged(ctx.workspace, `ws:${host}`);
      closed.push(host);
    });
    const ran: string[] = [];
    adhesive.task({ re: /^(Install on|Verify) (\w+)$/ }, (ctx, _step, host) => {
      expect(ctx.workspace.id).toBe(`ws:${host}`);
      expect(ctx.lane).toBe(`server: ${host}`);
      ran.push(ctx.taskName);
    });
    await adhesive.bpmnBuild(fixture("lanes/per-server.bpmn"), { initialData: { servers: ["alpha", "beta"] } });
    expect(opened.sort()).toEqual(["alpha", "beta"]);
    expect(closed.sort()).toEqual(["alpha", "beta"]);
    expect(ran.sort()).toEqual(["Install on alpha", "Install on beta", "Verify alpha", "Verify beta"]);
  });

  /*
   * The original also checked lane_count == 1 in the final data: it opened the lane
   * before the loop split. Here a lane opens for the first task that needs it (an
   * iteration), so its data changes land in that iteration only; what the scenario
   * is about, one lane for all iterations, is checked directly.
   */
  it("uses one lane for every iteration of a looped task: the name is rendered as the token enters (lane.feature @2)", async () => {
    const adhesive = new Adhesive();
    let hellos = 0;
    adhesive.task("Hello {loop.value}", () => void hellos++);
    const lanes: unknown[] = [];
    adhesive.lane("server: {loop.value}", async function* (ctx) {
      lanes.push(ctx.lane);
      ctx.data.lane_names = new Set([ctx.lane]);
      yield ctx.workspace.clone();
    });
    const data = await adhesive.bpmnBuild(
      fixture("conformance/feature--lane--parametrized_loop_workspace--parametrized-loop-workspace.bpmn"),
      { initialData: { items: ["a", "b", "c"] } },
    );
    expect(lanes).toEqual(["server: {loop.value}"]);
    expect(data.lane_names).toEqual(new Set(["server: {loop.value}"]));
    expect(hellos).toBe(3);
  });
});
