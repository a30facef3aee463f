import { AdhesiveError, TaskError } from "../errors.js";
import type { GraphNode } from "../model/graph.js";

/** Raised by an error end event; boundary events with the same error code catch it. */
export class ThrownBpmnError extends AdhesiveError {
  readonly errorCode: string;

  constructor(errorCode: string, elementId: string) {
    super("ADHESIVE_BPMN_ERROR", `error end event ${elementId} threw${errorCode ? ` "${errorCode}"` : ""}`);
    this.errorCode = errorCode;
  }
}

/** What `data._error` holds: plain and structured-clone friendly, unlike the Error itself. */
export interface ErrorRecord {
  message: string;
  stack: string | undefined;
  task: string;
  elementId: string;
  code: string | undefined;
}

export function errorRecord(error: unknown, task: string, elementId: string): ErrorRecord {
  const cause = error instanceof TaskError && error.cause !== undefined ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return { message: cause.message, stack: cause.stack, task, elementId, code: typeof code === "string" ? code : undefined };
  }
  return { message: String(cause), stack: undefined, task, elementId, code: undefined };
}

/**
 * An error boundary (or error start event) without an error code catches
 * everything; one with a code catches errors whose `errorCode`, `code` or
 * `name` equals it. `candidates` are the boundaries or start events, in
 * document order.
 */
export function pickErrorCatcher(candidates: readonly GraphNode[], error: unknown): GraphNode | undefined {
  if (candidates.length === 0) return undefined;
  const codes = errorCodes(error);
  let catchAll: GraphNode | undefined;
  for (const candidate of candidates) {
    if (!candidate.errorCode) catchAll ??= candidate;
    else if (codes.includes(candidate.errorCode)) return candidate;
  }
  return catchAll;
}

/** The same rule for escalations: a code catches its own, none catches all. */
export function pickEscalationCatcher(candidates: readonly GraphNode[], code: string | undefined): GraphNode | undefined {
  let catchAll: GraphNode | undefined;
  for (const candidate of candidates) {
    if (candidate.escalationCode === undefined || candidate.escalationCode === "") catchAll ??= candidate;
    else if (candidate.escalationCode === code) return candidate;
  }
  return catchAll;
}

function errorCodes(error: unknown): string[] {
  if (error === null || typeof error !== "object") return [];
  const e = error as { errorCode?: unknown; code?: unknown; name?: unknown };
  return [e.errorCode, e.code, e.name].filter((v): v is string => typeof v === "string");
}
