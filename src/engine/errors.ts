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
 * An error boundary without an error code catches everything; one with a
 * code catches errors whose `errorCode`, `code` or `name` equals it.
 */
export function pickErrorBoundary(node: GraphNode, error: unknown): GraphNode | undefined {
  const boundaries = node.errorBoundaries;
  if (boundaries.length === 0) return undefined;
  const codes = errorCodes(error);
  let catchAll: GraphNode | undefined;
  for (const boundary of boundaries) {
    if (!boundary.errorCode) catchAll ??= boundary;
    else if (codes.includes(boundary.errorCode)) return boundary;
  }
  return catchAll;
}

function errorCodes(error: unknown): string[] {
  if (error === null || typeof error !== "object") return [];
  const e = error as { errorCode?: unknown; code?: unknown; name?: unknown };
  return [e.errorCode, e.code, e.name].filter((v): v is string => typeof v === "string");
}
