import { BpmnError, TaskError, describe, type CallRecord } from "../errors.js";
import type { GraphNode } from "../model/graph.js";
import type { Frame } from "./frame.js";
import type { Token } from "./token.js";

/** Raised by an error end event: its `code` is the file's error code, which boundary events with the same code catch. */
export class ThrownBpmnError extends BpmnError {
  readonly errorCode: string;

  constructor(errorCode: string, elementId: string) {
    super(errorCode, `error end event ${elementId} threw${errorCode ? ` "${errorCode}"` : ""}`);
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
  /** the element ran in a called process: the call activities around it, innermost first, each with the process it called */
  calledBy?: CallRecord[];
}

export function errorRecord(error: unknown, task: string, elementId: string, calls: CallRecord[] = []): ErrorRecord {
  const cause = error instanceof TaskError && error.cause !== undefined ? error.cause : error;
  const code = codeText((cause as { code?: unknown } | null | undefined)?.code);
  const record: ErrorRecord =
    cause instanceof Error
      ? { message: cause.message, stack: cause.stack, task, elementId, code }
      : { message: describe(cause), stack: undefined, task, elementId, code };
  if (calls.length > 0) record.calledBy = calls;
  return record;
}

/* an error code as the file writes it: text (a task may throw `{ code: 404 }`) */
function codeText(code: unknown): string | undefined {
  if (typeof code === "string") return code;
  return typeof code === "number" || typeof code === "bigint" ? String(code) : undefined;
}

/**
 * An error boundary (or error start event) without an error code catches
 * everything; one with a code catches errors whose `errorCode`, `code` or
 * `name` equals it as text (`errorCode="404"` catches `{ code: 404 }`).
 * `candidates` are the boundaries or start events, in document order.
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
  return [codeText(e.errorCode), codeText(e.code), codeText(e.name)].filter((v): v is string => v !== undefined);
}

/** The call activities a token runs in, innermost first, with the processes they called (TaskError and data._error name them). */
export function callsAround(token: Token): CallRecord[] {
  const calls: CallRecord[] = [];
  for (let frame: Frame | undefined = token.frame; frame !== undefined; frame = frame.parent) {
    const caller = frame.owner?.node;
    if (caller?.kind !== "callActivity") continue;
    const called = frame.scope.called;
    calls.push({ elementId: caller.id, name: caller.name, process: called?.id ?? "", processName: called?.name ?? "" });
  }
  return calls;
}
