/** bpmn-engine on the same workloads: the definition parsed once, one Engine per instance, task counts checked. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deepXml, loopXml, wideXml } from "../generate.js";
import { FIXTURES, stall, type Runner, type Workload } from "../job.js";

interface EngineInstance {
  state: string;
  execute(options: Record<string, unknown>, callback: (error: Error | null) => void): unknown;
  execution?: { definitions?: Array<{ getProcesses(): Array<{ getActivities(): Array<{ type: string; counters: { taken: number } }> }> }> };
}

interface BpmnEngineModule {
  Engine: new (options: Record<string, unknown>) => EngineInstance;
}

export async function bpmnEngineRunner(workload: Workload, size: number, concurrency: "sequential" | "concurrent"): Promise<Runner> {
  const { Engine } = (await import("bpmn-engine")) as unknown as BpmnEngineModule;
  const Elements = await import("bpmn-elements");
  const { default: serializer, TypeResolver } = await import("moddle-context-serializer");
  const { EventEmitter } = await import("node:events");
  // bpmn-engine's own bpmn-moddle (the project's is a different major version)
  const engineRequire = createRequire(fileURLToPath(import.meta.resolve("bpmn-engine")));
  const BpmnModdle = engineRequire("bpmn-moddle") as new () => { fromXML(xml: string): Promise<unknown> };
  const typeResolver = TypeResolver(Elements as never);

  // the definition is parsed and serialized once; every instance is built from the serialized context
  const parse = async (xml: string): Promise<unknown> => serializer((await new BpmnModdle().fromXML(xml)) as never, typeResolver);
  const xmlFor = (n: number, task: "task" | "serviceTask" = "task"): string =>
    workload === "seed" ? (task === "task" ? readFileSync(join(FIXTURES, "seed.bpmn"), "utf8") : wideXml(5, { task })) : workload === "wide" ? wideXml(n) : workload === "deep" ? deepXml(n) : loopXml(n);
  const tasksPerInstance = (n: number): number => (workload === "seed" ? 5 : n);

  const started = performance.now();
  const sourceContext = await parse(xmlFor(size));
  const loadMs = performance.now() - started;

  let current: EngineInstance | undefined;
  const instance = (context: unknown, options: Record<string, unknown> = {}, executeOptions: Record<string, unknown> = {}): Promise<EngineInstance> =>
    new Promise((resolve, reject) => {
      const engine = new Engine({ sourceContext: context, ...options });
      current = engine;
      engine.execute(executeOptions, (error) => (error ? reject(error) : resolve(engine)));
    });

  /*
   * Task executions are counted with a listener on one untimed instance (at
   * most 50 tasks deep: listener frames on bpmn-engine's synchronous broker
   * stack make deep graphs overflow sooner), so tokens/s is not taken on
   * trust; wide and deep runs are also checked through the activity counters.
   */
  let checked = false;
  const check = async (n: number): Promise<void> => {
    if (checked) return;
    checked = true;
    const small = workload === "seed" ? n : Math.min(n, 50);
    const context = small === size ? sourceContext : await parse(xmlFor(small));
    const expected = tasksPerInstance(small);
    let ended = 0;
    const listener = new EventEmitter();
    listener.on("activity.end", (api: { type?: string }) => {
      if (api.type === "bpmn:Task") ended++;
    });
    stall.report = () => `; ${ended}/${expected} tasks ended, engine still running`;
    await instance(context, {}, { listener });
    if (ended !== expected) throw new Error(`bpmn-engine ran ${ended} tasks, expected ${expected}`);
    stall.report = () => "";
  };

  const countTasks = (engine: EngineInstance): number | undefined => {
    const definition = engine.execution?.definitions?.[0];
    const activities = definition?.getProcesses()[0]?.getActivities() ?? [];
    let taken = 0;
    for (const activity of activities) if (activity.type === "bpmn:Task") taken += activity.counters.taken;
    return definition ? taken : undefined;
  };

  return {
    loadMs,
    async run(n) {
      const context = n === size ? sourceContext : await parse(xmlFor(n));
      await check(n);
      if (workload !== "seed") {
        stall.report = () => (current ? `; ${countTasks(current) ?? "?"}/${n} tasks taken (activity counters), engine state "${current.state}"` : "");
        const engine = await instance(context);
        const taken = workload === "loop" ? n : countTasks(engine);
        if (taken !== n) throw new Error(`bpmn-engine ran ${taken} tasks, expected ${n}`);
        return n;
      }
      if (concurrency === "sequential") {
        for (let i = 0; i < n; i++) await instance(context);
      } else {
        await Promise.all(Array.from({ length: n }, () => instance(context)));
      }
      return n * 5;
    },
    async inflight(n, measure) {
      const context = await parse(xmlFor(n, "serviceTask"));
      const waiting: Array<() => void> = [];
      const services = {
        park(_scope: unknown, next: (error: Error | null) => void): void {
          waiting.push(() => next(null));
        },
      };
      const expected = n * 5;
      stall.report = () => `; ${waiting.length}/${expected} tasks parked`;
      const done = Promise.all(Array.from({ length: n }, () => instance(context, { services })));
      while (waiting.length < expected) await new Promise((resolve) => setImmediate(resolve));
      measure(expected);
      for (const next of waiting.splice(0)) next();
      await done;
    },
  };
}
