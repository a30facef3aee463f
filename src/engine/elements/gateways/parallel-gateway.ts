import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * A parallel gateway joins: a token arriving waits until no other token of
 * its scope instance can still reach it (join-gates.ts, over the
 * reachability bitsets of model/joins.ts), then one token goes on with the
 * merged data and forks on every outgoing flow (routing.ts).
 */
export const parallelGateway: Behaviour = passThrough;
