/**
 * Runs a generated file on bpmn-engine (v25, bpmn-elements 17) on the
 * virtual clock. Every service task gets one service behaviour (set by an
 * extension, as bpmn-elements docs/Extension.md describes) that completes
 * after the task's duration, or fails when its data says so; discarding the
 * task (a boundary event, terminate, an error) takes its completion off
 * the clock. Timers are armed on the same clock through the environment's
 * `timers` (bpmn-elements docs/Timers.md). End events reached are its
 * `activity.start` events, flows taken its `flow.take` events. A run that
 * runs into one of bpmn-engine's quirks is marked unreliable
 * (bpmn-engine-quirks.ts).
 */
import { EventEmitter } from "node:events";
import { QuirkWatch, type EngineEvent } from "./bpmn-engine-quirks.js";
import type { Generated } from "./model.js";
import { bump, EVENT_BUDGET, wholeSeconds, type Outcome } from "./outcome.js";
import { settleBy, VirtualTime, type Pending } from "./virtual-time.js";

interface EngineInstance {
  state: string;
  execution?: { definitions?: Array<{ getProcesses(): Array<{ getPostponed(): Array<{ id: string; status?: string }> }> }> };
  execute(options: Record<string, unknown>, callback: (error: Error | null) => void): unknown;
  stop(): unknown;
}

interface BpmnEngineModule {
  Engine: new (options: Record<string, unknown>) => EngineInstance;
}

interface Activity {
  id: string;
  type: string;
  behaviour: Record<string, unknown>;
  environment: { variables: Record<string, unknown> };
  readonly isRunning: boolean;
  /** the sub-process an activity inside one belongs to, or the process (bpmn-elements src/Context.js) */
  readonly context?: { readonly owner?: Activity };
}

/* the task, or a sub-process around it, is no longer running (the chain ends at the process, which owns its own context) */
function abandoned(activity: Activity): boolean {
  for (let current = activity; ; ) {
    if (!current.isRunning) return true;
    const owner = current.context?.owner;
    if (owner === undefined || owner === current) return false;
    current = owner;
  }
}

const { Engine } = (await import("bpmn-engine")) as unknown as BpmnEngineModule;

const quiet = (): void => undefined;
const silentLogger = (): { debug: () => void; error: () => void; warn: () => void } => ({ debug: quiet, error: quiet, warn: quiet });

/** `trace`: told every event bpmn-engine emits, for looking into a difference */
export async function runBpmnEngine(generated: Generated, data: Record<string, unknown>, trace?: (line: string) => void): Promise<Outcome> {
  const { elements } = generated;
  const time = new VirtualTime();
  const outcome: Outcome = { state: "completed", tasks: {}, ends: {}, flows: {}, seconds: 0 };
  let events = 0;
  const quirks = new QuirkWatch(elements, data);

  /* one per execution of a service task (bpmn-elements' ServiceTask creates it per execution) */
  class TimedService {
    private pending: Pending | undefined;
    constructor(private readonly activity: Activity) {}

    execute(_message: unknown, callback: (error: Error | null, output?: unknown) => void): void {
      const id = this.activity.id;
      const task = elements.tasks.get(id);
      if (task === undefined) return callback(new Error(`no such task ${id}`));
      const variables = this.activity.environment.variables;
      this.pending = time.schedule(task.seconds * 1000, `task:${id}`, () => {
        this.pending = undefined;
        // bpmn-engine has left the task without telling its service (differences.ts, "bpmn-engine abandoned iterations")
        if (abandoned(this.activity)) return;
        if (task.failsIf !== undefined && variables[`v${task.failsIf}`] === true) {
          quirks.failed();
          callback(new Error(`${id} fails: v${task.failsIf} is true`));
        } else {
          bump(outcome.tasks, id);
          callback(null);
        }
      });
    }

    discard(): void {
      time.cancel(this.pending);
      this.pending = undefined;
    }

    stop(): void {
      this.discard();
    }
  }

  /* the environment's timers (bpmn-elements src/Timers.js): `executing` is what the engine clears when it ends */
  const armed = new Set<Pending>();
  const arm = (owner: { id?: string } | undefined, callback: (...args: unknown[]) => void, delay: number, args: unknown[]): Pending => {
    const event = time.schedule(wholeSeconds(delay), `timer:${owner?.id ?? ""}`, () => {
      armed.delete(event);
      callback(...args);
    });
    armed.add(event);
    return event;
  };
  const disarm = (ref: Pending | undefined): undefined => {
    if (ref !== undefined) armed.delete(ref);
    time.cancel(ref);
    return undefined;
  };
  const timers = {
    get executing(): Pending[] {
      return [...armed];
    },
    register: (owner: { id?: string } | undefined) => ({
      setTimeout: (callback: (...args: unknown[]) => void, delay: number, ...args: unknown[]) => arm(owner, callback, delay, args),
      clearTimeout: disarm,
    }),
    setTimeout: (callback: (...args: unknown[]) => void, delay: number, ...args: unknown[]) => arm(undefined, callback, delay, args),
    clearTimeout: disarm,
  };

  const listener = new EventEmitter();
  const count = (name: string, then: (event: EngineEvent) => void = () => undefined): void =>
    void listener.on(name, (event: EngineEvent) => {
      events++;
      then(event);
      trace?.(`${time.now / 1000}s ${name} ${event.id} in ${event.content.parent?.executionId ?? "?"}`);
    });
  // an end event is reached when it starts: an error end event throws instead of ending
  count("activity.start", (event) => {
    if (elements.ends.has(event.id)) bump(outcome.ends, event.id);
    quirks.started(event);
  });
  count("activity.end", (event) => quirks.ended(event));
  count("activity.leave", (event) => quirks.left(event));
  count("flow.take", (event) => {
    bump(outcome.flows, event.id);
    quirks.taken(event);
  });
  count("flow.discard", (event) => quirks.discarded(event));
  for (const name of ["activity.discard", "activity.error", "activity.wait"]) count(name);

  const engine = new Engine({
    name: "differential",
    source: generated.xml,
    variables: { ...data },
    // bpmn-engine's debug logger costs a quarter of its time even when DEBUG is off
    Logger: silentLogger,
    timers,
    extensions: {
      timedServices(activity: Activity) {
        if (activity.type === "bpmn:ServiceTask") activity.behaviour.Service = TimedService;
      },
    },
  });
  let settled = false;
  let failure: Error | undefined;
  engine.execute({ listener }, (error) => {
    settled = true;
    if (error) failure = error;
  });
  const end = await time.drive(() => settleBy(() => time.activity + events), () => settled, EVENT_BUDGET);
  if (!settled) {
    outcome.state = end === "idle" ? "stuck" : "budget";
    const postponed = engine.execution?.definitions?.flatMap((definition) => definition.getProcesses().flatMap((process) => process.getPostponed()));
    outcome.waiting = (postponed ?? []).map((activity) => activity.id);
    engine.stop();
  } else if (failure !== undefined) {
    outcome.state = "failed";
    outcome.error = failure.message;
  }
  outcome.seconds = time.now / 1000;
  if (quirks.seen !== undefined) outcome.unreliable = quirks.seen;
  return outcome;
}
