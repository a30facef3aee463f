/* What ProcessBuilder keeps about the scopes open while a process is built, and facts about the kinds it adds. */
import type { NodeDefinition, NodeKind, ScopeDefinition } from "../model/definition.js";

/** Where the next step attaches: a node, and what the flow leaving it carries (a gateway's condition and label). */
export interface Tail {
  node: string;
  condition?: string;
  name?: string;
  isDefault?: boolean;
}

/**
 * An open scope: the process, a sub-process, a parallel branch, or a path of
 * a gateway or boundary event (the function given to when(), onError(), ...).
 */
export interface OpenScope {
  kind: "process" | "subProcess" | "branch" | "path";
  scope: ScopeDefinition;
  tails: Tail[];
  /** the sub-process node this scope belongs to (undefined for the process) */
  owner: NodeDefinition | undefined;
  /** an open group of parallel branches: where they fork from and the ends of the closed ones */
  branches: { from: Tail[]; ends: Tail[] } | undefined;
  /** lane of the enclosing sub-process, which its nodes without a lane of their own run in */
  lane: string | undefined;
  /** the activity added last, which onError(), onTimer() and onMessage() attach to */
  last: NodeDefinition | undefined;
}

export const OPENED_BY: Record<OpenScope["kind"], string> = { process: "processStart()", subProcess: "subProcessStart()", branch: "branchStart()", path: "a path function" };
export const CLOSED_BY: Record<OpenScope["kind"], string> = { process: "processEnd()", subProcess: "subProcessEnd()", branch: "branchEnd()", path: "the return of the path function" };

/** What boundary events attach to. */
export const ACTIVITIES = new Set<NodeKind>(["task", "userTask", "subProcess", "callActivity"]);

/** Gateways that send a token down some of their flows only. */
export const DECIDING = new Set<NodeKind>(["exclusiveGateway", "inclusiveGateway", "eventBasedGateway"]);

export const prefixes: Partial<Record<NodeKind, string>> = {
  parallelGateway: "parallel",
  exclusiveGateway: "exclusive",
  inclusiveGateway: "inclusive",
  eventBasedGateway: "eventgateway",
  intermediateCatchEvent: "catch",
};

export function sameTail(a: Tail, b: Tail): boolean {
  return a.node === b.node && a.condition === b.condition && a.name === b.name && a.isDefault === b.isDefault;
}
