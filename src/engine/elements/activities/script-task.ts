import type { Behaviour } from "../behaviour.js";
import { task } from "./task.js";

/** A script task runs like a task (task.ts); the script of the file is its implementation (tasks.ts runs it in the expression sandbox). */
export const scriptTask: Behaviour = task;
