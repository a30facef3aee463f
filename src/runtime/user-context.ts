import type { Context } from "../api/types.js";
import type { TaskContext } from "../engine/context.js";
import type { Workspace } from "../workspaces/workspace.js";

/** A task's context as its function sees it: the engine knows no workspaces, and the runtime always gives a context a Workspace. */
export function userContext(task: TaskContext): Context {
  return task as TaskContext<Workspace>;
}
