/**
 * Runs a generated file on adhesive through its public API (`loadBpmn`,
 * `new Adhesive()`, one task() for every task, `run()`), on the virtual
 * clock: a task's function returns a promise that the clock settles after
 * the task's duration (rejects it if its data says it fails); a timer is
 * armed on the same clock. End events reached and flows taken come from
 * the engine's TokenTracker, the observer its live view uses
 * (adhesive-hook.ts).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Adhesive, loadBpmn, StalledError, TaskLimitError, type Clock, type ProcessDefinition } from "adhesive-bpmn";
import { RunSession } from "../../src/api/run-session.js";
import { hook } from "./adhesive-hook.js";
import type { Generated } from "./model.js";
import { bump, EVENT_BUDGET, wholeSeconds, type Outcome, type RunState } from "./outcome.js";
import { settleBy, VirtualTime } from "./virtual-time.js";

/* epoch ms of virtual time 0 (adhesive reads dates off its clock) */
const EPOCH = Date.UTC(2026, 0, 1);

export interface AdhesiveRunOptions {
  /** adhesive's implicit joins at tasks and gateways with several incoming flows (its default: true) */
  waitTasks: boolean;
  /** where the run's folders go */
  folder: string;
}

/* one file per generated process, read once for the runs in both modes */
const loaded = new WeakMap<Generated, Promise<ProcessDefinition>>();
function load(generated: Generated, folder: string): Promise<ProcessDefinition> {
  let definition = loaded.get(generated);
  if (definition === undefined) {
    const file = join(folder, "differential.bpmn");
    definition = writeFile(file, generated.xml).then(() => loadBpmn(file));
    loaded.set(generated, definition);
  }
  return definition;
}

/* the timer's element (the engine's timer argument names it), so timers due at the same moment fire in the same order as in bpmn-engine (by element id) */
function timerKey(arg: unknown): string {
  const id = (arg as { event?: { id?: unknown } } | undefined)?.event?.id;
  return `timer:${typeof id === "string" ? id : ""}`;
}

export async function runAdhesive(generated: Generated, data: Record<string, unknown>, options: AdhesiveRunOptions): Promise<Outcome> {
  const { elements } = generated;
  const time = new VirtualTime();
  const outcome: Outcome = { state: "completed", tasks: {}, ends: {}, flows: {}, seconds: 0 };
  let moves = 0;
  const clock: Clock = {
    now: () => EPOCH + time.now,
    setTimer: (ms, fire, arg) => time.schedule(wholeSeconds(ms), timerKey(arg), () => fire(arg)),
    clearTimer: (handle) => time.cancel(handle as ReturnType<VirtualTime["schedule"]>),
  };
  const adhesive = new Adhesive();
  adhesive.task({ re: /^Task_/ }, (ctx) => {
    const task = elements.tasks.get(ctx.task.id);
    if (task === undefined) throw new Error(`no such task ${ctx.task.id}`);
    return new Promise<void>((resolve, reject) => {
      const event = time.schedule(task.seconds * 1000, `task:${ctx.task.id}`, () => {
        if (task.failsIf !== undefined && ctx.data[`v${task.failsIf}`] === true) reject(new Error(`${ctx.task.id} fails: v${task.failsIf} is true`));
        else {
          bump(outcome.tasks, ctx.task.id);
          resolve();
        }
      });
      // a cancelled task (boundary event, terminate, failed run) never completes
      ctx.signal.addEventListener("abort", () => (time.cancel(event), resolve()), { once: true });
    });
  });
  hook.tracker = {
    entered: (token) => {
      moves++;
      if (elements.ends.has(token.node.id)) bump(outcome.ends, token.node.id);
    },
    moved: (token) => {
      moves++;
      if (elements.ends.has(token.node.id)) bump(outcome.ends, token.node.id);
    },
    left: () => void moves++,
    took: (flow) => {
      moves++;
      bump(outcome.flows, flow.id);
    },
  };
  const stop = new AbortController();
  let settled = false;
  let failure: unknown;
  try {
    const definition = await load(generated, options.folder);
    // the first run reads the project's configuration (the default run session) before it starts: done here, since the driver
    // below takes a few turns of the event loop without the clock's activity for a run that only waits for the clock
    await RunSession.current().runOptions({});
    const run = adhesive
      .run(definition, {
        initialData: data,
        waitTasks: options.waitTasks,
        poolSize: 1_000_000,
        // a loop that never ends stops here (the clock's budget stops one that waits for timers)
        taskLimit: EVENT_BUDGET,
        journal: false,
        clock,
        signal: stop.signal,
        runsFolder: options.folder,
        tempFolder: options.folder,
      })
      .then(
        () => void (settled = true),
        (error: unknown) => {
          settled = true;
          failure = error;
        },
      );
    const end = await time.drive(() => settleBy(() => time.activity + moves), () => settled, EVENT_BUDGET);
    if (!settled) {
      stop.abort(end === "idle" ? "stuck" : "budget");
      await run;
      outcome.state = end === "idle" ? "stuck" : "budget";
    } else if (failure !== undefined) {
      outcome.state = stateOf(failure);
      outcome.error = failure instanceof Error ? failure.message : String(failure);
    }
  } finally {
    hook.tracker = undefined;
  }
  outcome.seconds = time.now / 1000;
  return outcome;
}

function stateOf(error: unknown): RunState {
  // ON PURPOSE (see differences.ts): adhesive fails a run that waits for what nothing can bring, where bpmn-engine waits
  if (error instanceof StalledError) return "stuck";
  if (error instanceof TaskLimitError) return "budget";
  return "failed";
}
