/* How an asynchronous task's promise reports back to the run's tasks (Tasks.asyncSettled); split from tasks.ts. */
import { TaskContext } from "./context.js";
import type { TaskHost } from "./task-host.js";
import type { Tasks } from "./tasks.js";

/*
 * Plain callbacks, not an async function: one less promise and frame per
 * asynchronous task. Shared functions bound to the task's context (token,
 * generation and runner follow from it), not two closures and the closure
 * context they share: a parked task holds them until its promise settles,
 * and two bound functions are 96 bytes against 155. Methods of an object,
 * not function declarations: a declaration given its name by the compiler
 * (tsx keeps names) has a `name` of its own, and binding such a function
 * makes a 335-byte one.
 */
const whenSettled = {
  functionFulfilled(this: TaskContext, value: unknown): void {
    const tasks = hostTasks(this);
    // the runner counts the promises its functions returned
    tasks.core.options.runner.settled?.();
    tasks.asyncSettled(this, value, false);
  },
  functionRejected(this: TaskContext, error: unknown): void {
    const tasks = hostTasks(this);
    tasks.core.options.runner.settled?.();
    tasks.asyncSettled(this, error, true);
  },
  scriptFulfilled(this: TaskContext, value: unknown): void {
    hostTasks(this).asyncSettled(this, value, false);
  },
  scriptRejected(this: TaskContext, error: unknown): void {
    hostTasks(this).asyncSettled(this, error, true);
  },
};

export function whenFunctionSettled(result: PromiseLike<unknown>, ctx: TaskContext): void {
  result.then(whenSettled.functionFulfilled.bind(ctx), whenSettled.functionRejected.bind(ctx));
}

export function whenScriptSettled(result: PromiseLike<unknown>, ctx: TaskContext): void {
  result.then(whenSettled.scriptFulfilled.bind(ctx), whenSettled.scriptRejected.bind(ctx));
}

function hostTasks(ctx: TaskContext): Tasks {
  return (TaskContext.hostOf(ctx) as TaskHost).core.tasks;
}
