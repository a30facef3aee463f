import type { Behaviour } from "../behaviour.js";
import { task } from "./task.js";

/** A user task runs like a task (task.ts); its implementation is a usertask() declaration, which asks through the run's user-task provider (its form, when the file has one). */
export const userTask: Behaviour = task;
