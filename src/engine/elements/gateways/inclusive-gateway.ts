import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * An inclusive gateway joins like a parallel one (join-gates.ts: it waits
 * only for tokens that can still reach it) and forks on every flow whose
 * condition holds, or on its default when none does (routing.ts).
 */
export const inclusiveGateway: Behaviour = passThrough;
