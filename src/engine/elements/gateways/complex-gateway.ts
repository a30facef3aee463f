import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * adhesive runs a complex gateway like a task: it joins only in "wait
 * tasks" mode (model/kinds.ts), runs its implementation when it has one,
 * and takes every flow whose condition holds (routing.ts).
 */
export const complexGateway: Behaviour = passThrough;
