/**
 * Every error adhesive raises on purpose is an AdhesiveError with a stable
 * `code`, so callers can branch on it without parsing messages.
 */
export class AdhesiveError extends Error {
  /** The error's stable code, `ADHESIVE_...`: each is explained, with its cause and fix, in docs/errors.md. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** One reason a BPMN file or built process cannot run. */
export interface BpmnProblem {
  /** the element the problem is on ("" for the file as a whole) */
  elementId: string;
  /** what is wrong, and where it can be helped, how */
  message: string;
}

/**
 * A BPMN file (or built process) that cannot be run; lists every problem at
 * once. Named BpmnError in 0.1, a name that now belongs to the business
 * error a task throws; its code is the same.
 */
export class InvalidBpmnError extends AdhesiveError {
  /** always `ADHESIVE_BPMN_INVALID` */
  declare readonly code: "ADHESIVE_BPMN_INVALID";
  /** the file (or built process's name) that cannot run */
  readonly file: string;
  /** every problem found, not only the first */
  readonly problems: BpmnProblem[];

  constructor(file: string, problems: BpmnProblem[]) {
    super("ADHESIVE_BPMN_INVALID", formatProblems(file, problems));
    this.file = file;
    this.problems = problems;
  }
}

function formatProblems(file: string, problems: BpmnProblem[]): string {
  const lines = problems.map((p) => `  - ${p.elementId ? `${p.elementId}: ` : ""}${p.message}`);
  return `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${lines.join("\n")}`;
}

/**
 * A business error a task throws for the process to handle, as Camunda's
 * `throw new BpmnError("CODE")`: error boundary events and error start
 * events whose error code is `code` catch it (codes match as text, so
 * `errorCode="404"` also catches `{ code: 404 }`). Not an AdhesiveError:
 * its `code` is the process's, not one of adhesive's.
 */
export class BpmnError extends Error {
  /** the process's error code, as text: what an error event's errorCode is compared with */
  readonly code: string;

  constructor(code: string | number, message?: string, options?: { cause?: unknown }) {
    super(message ?? `BPMN error "${code}"`, options);
    this.code = String(code);
    this.name = "BpmnError";
  }
}

/** One element that has no implementation, or more than one. */
export interface MappingProblem {
  /** the element's id */
  elementId: string;
  /** the name it is matched by (its message's name or its id when it has none) */
  name: string;
  /** what implements such an element: "task", "user task", "message event", "timer", ... */
  kind: string;
  /** what is missing or ambiguous, and the call that would implement it */
  message: string;
}

/** Process tasks with no implementation, or with more than one. */
export class UnmappedTaskError extends AdhesiveError {
  /** always `ADHESIVE_UNMAPPED_TASK` */
  declare readonly code: "ADHESIVE_UNMAPPED_TASK";
  /** the process file (or built process's name) */
  readonly file: string;
  /** every element without exactly one implementation, not only the first */
  readonly problems: MappingProblem[];

  constructor(file: string, problems: MappingProblem[]) {
    const lines = problems.map((p) => `  - ${p.kind} "${p.name}" (${p.elementId}): ${p.message}`);
    super("ADHESIVE_UNMAPPED_TASK", `${file}: tasks without a single implementation:\n${lines.join("\n")}`);
    this.file = file;
    this.problems = problems;
  }
}

/** A condition, loop or script expression that failed to compile or to evaluate. */
export class ExpressionError extends AdhesiveError {
  /** always `ADHESIVE_EXPRESSION` */
  declare readonly code: "ADHESIVE_EXPRESSION";
  /** the expression as written in the file */
  readonly expression: string;
  /** the element it is on */
  readonly elementId: string;

  constructor(expression: string, elementId: string, reason: string, cause?: unknown) {
    super("ADHESIVE_EXPRESSION", `expression \`${expression}\` on ${elementId} failed: ${reason}`, { cause });
    this.expression = expression;
    this.elementId = elementId;
  }
}

/**
 * A gateway no outgoing flow leaves: an exclusive or inclusive gateway where
 * no condition holds and there is no default flow (BPMN §13.4.2, §10.6.3: "a
 * runtime exception occurs"), or an exclusive gateway whose implementation,
 * deciding for it, named none. It fails the token: an error boundary around
 * the gateway catches it like any error.
 */
export class RoutingError extends AdhesiveError {
  /** always `ADHESIVE_NO_ROUTE` */
  declare readonly code: "ADHESIVE_NO_ROUTE";
  /** the gateway's id */
  readonly elementId: string;
  /** the process file the gateway is in (a built process's name) */
  readonly file: string;

  constructor(gateway: { id: string; name: string; kind: string }, file: string, reason = "no outgoing flow condition holds and there is no default flow") {
    const what = gateway.kind.replace(/Gateway$/, " gateway");
    super("ADHESIVE_NO_ROUTE", `${what} "${gateway.name}" (${gateway.id})${file ? ` in ${file}` : ""}: ${reason}`);
    this.elementId = gateway.id;
    this.file = file;
  }
}

/**
 * A loop that cannot do what it is drawn for: a multi-instance collection
 * that is not a collection, or a condition loop that would repeat forever
 * (its value and the data did not change across an iteration).
 */
export class LoopError extends AdhesiveError {
  /** always `ADHESIVE_LOOP` */
  declare readonly code: "ADHESIVE_LOOP";
  /** the looped element's id */
  readonly elementId: string;
  /** what the loop's expression gave */
  readonly value: unknown;

  constructor(elementId: string, expression: string, value: unknown, reason: string) {
    super("ADHESIVE_LOOP", `loop \`${expression}\` on ${elementId} is ${preview(value)}: ${reason}`);
    this.elementId = elementId;
    this.value = value;
  }
}

/* a value as the user wrote it in data, short enough for one line */
function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Every live token waits for something (a message a flow would bring, a
 * signal, a condition) that nothing left in the run can bring: no task
 * runs, no timer is armed, no event source can send. The run would wait
 * forever; it fails instead, naming where the tokens wait.
 */
export class StalledError extends AdhesiveError {
  /** always `ADHESIVE_STALLED` */
  declare readonly code: "ADHESIVE_STALLED";
  /** the elements tokens wait at */
  readonly elementIds: readonly string[];

  constructor(waiting: ReadonlyArray<{ id: string; name: string }>, hint?: string) {
    const list = waiting.map((node) => (node.name ? `"${node.name}" (${node.id})` : node.id)).join(", ");
    super("ADHESIVE_STALLED", `the run cannot go on: tokens wait at ${list}, and nothing left in the run can trigger them (no task runs, no timer is armed, no event source sends)${hint === undefined ? "" : `; ${hint}`}`);
    this.elementIds = waiting.map((node) => node.id);
  }
}

/** A call activity that a failing element runs in, and the process it called (plain data: `data._error.calledBy` holds these). */
export interface CallRecord {
  /** the call activity's id */
  elementId: string;
  /** the call activity's name */
  name: string;
  /** the called process's id */
  process: string;
  /** the called process's name */
  processName: string;
}

/** ` in process "Payment" (Payment) called by call activity "Pay" (Call_Pay)`, per call, innermost first; "" outside called processes. */
export function callChain(calls: readonly CallRecord[]): string {
  return calls.map((call) => ` in process ${named(call.processName, call.process)} called by call activity ${named(call.name, call.elementId)}`).join("");
}

/* `"Pay" (Call_Pay)`, or the id alone */
function named(name: string, id: string): string {
  return name ? `"${name}" (${id})` : id;
}

/** A task (or expression on an element) failed and no error boundary event caught it. */
export class TaskError extends AdhesiveError {
  /** always `ADHESIVE_TASK_FAILED` */
  declare readonly code: "ADHESIVE_TASK_FAILED";
  /** the task's name as it ran (placeholders such as `{loop.value}` filled in) */
  readonly taskName: string;
  /** the failed element's id */
  readonly elementId: string;
  /** the token that failed (finds the task's captured output) */
  readonly tokenId: number | undefined;
  /** what the failed task printed (its commands and console calls), when it printed anything */
  output: string | undefined;
  /** the call activities the failed element runs in, innermost first */
  readonly calls: readonly CallRecord[];
  /** the message instance the element failed in (`ctx.instance` of its tasks); undefined outside one */
  readonly instance: number | undefined;

  /**
   * `callers`: the call activities the failed element runs in, innermost
   * first: an element of a called process is named by the process and by
   * where it was called from. `instance`: the message instance it failed in
   * (0 or undefined: none).
   */
  constructor(taskName: string, elementId: string, cause: unknown, tokenId?: number, callers: readonly CallRecord[] = [], instance?: number) {
    super("ADHESIVE_TASK_FAILED", `task "${taskName}" (${elementId})${callChain(callers)} failed: ${describe(cause)}`, { cause });
    this.taskName = taskName;
    this.elementId = elementId;
    this.tokenId = tokenId;
    this.output = undefined;
    this.calls = callers;
    this.instance = instance === undefined || instance === 0 ? undefined : instance;
  }
}

/**
 * A value that cannot be kept in process data (a class instance, a
 * function, a Promise, ...), named by its key path and by who put it there.
 */
export class DataError extends AdhesiveError {
  /** always `ADHESIVE_DATA` */
  declare readonly code: "ADHESIVE_DATA";
  /** the key path of the value (`order.items[2].price`) */
  readonly path: string;

  constructor(owner: string, path: string, reason: string) {
    super(
      "ADHESIVE_DATA",
      `${owner}: ${path} ${reason}; process data must be plain values (objects, arrays, Map, Set, Date, RegExp, typed arrays, primitives), because it is copied at forks, merged at joins and journaled`,
    );
    this.path = path;
  }
}

/** The run started more tasks than its task limit allows: most likely a cycle that never ends. */
export class TaskLimitError extends AdhesiveError {
  /** always `ADHESIVE_TASK_LIMIT` */
  declare readonly code: "ADHESIVE_TASK_LIMIT";
  constructor(limit: number, taskName: string, elementId: string) {
    super(
      "ADHESIVE_TASK_LIMIT",
      `the run started ${limit} tasks, its limit (task_limit in the config, taskLimit in the API), and was stopped at task "${taskName}" (${elementId}); a loop or cycle that never ends? Raise the limit if the run really needs more`,
    );
  }
}

/** The run was cancelled: its `signal` option aborted (or, as an InterruptedError, a signal to the process stopped it). */
export class CancelledError extends AdhesiveError {
  /** always `ADHESIVE_CANCELLED` */
  declare readonly code: "ADHESIVE_CANCELLED";
  /** @internal what the message says befell the run: the state its journal and summary record (see InterruptedError) */
  protected static readonly befell: string = "cancelled";

  constructor(reason: string) {
    super("ADHESIVE_CANCELLED", `run ${(new.target as typeof CancelledError).befell}: ${reason}`);
  }
}

/**
 * The run was stopped by a signal to the process (SIGINT, SIGTERM, SIGHUP):
 * its journal says "interrupted", and `adhesive resume` continues it; its
 * message says so too ("run interrupted: SIGTERM received"). Still a
 * CancelledError, with the same code, for code that catches those.
 */
export class InterruptedError extends CancelledError {
  /** @internal */
  protected static override readonly befell: string = "interrupted";
  /** the signal's name: "SIGINT", "SIGTERM", "SIGHUP" */
  readonly signal: string;

  constructor(signal: string) {
    super(`${signal} received`);
    this.signal = signal;
  }
}

/**
 * A task, script or expression called process.exit(). Ending the process
 * from inside a run would report whatever exit code it was given (0:
 * "success") with the rest of the process never run and the lanes left up,
 * so the call fails the task instead.
 */
export class ProcessExitError extends AdhesiveError {
  /** always `ADHESIVE_PROCESS_EXIT` */
  declare readonly code: "ADHESIVE_PROCESS_EXIT";
  /** what process.exit() was called with */
  readonly exitCode: string | number | null | undefined;

  constructor(exitCode: string | number | null | undefined) {
    super(
      "ADHESIVE_PROCESS_EXIT",
      `process.exit(${exitCode ?? ""}) was called inside a task: it would end the whole run; throw an error to fail the task, or return to let the process go on`,
    );
    this.exitCode = exitCode;
  }
}

/** A task marked `onInterrupted: "fail"` was running when its run was interrupted: on resume it fails instead of running twice. */
export class InterruptedTaskError extends AdhesiveError {
  /** always `ADHESIVE_TASK_INTERRUPTED` */
  declare readonly code: "ADHESIVE_TASK_INTERRUPTED";
  constructor(taskName: string, elementId: string, attempt: number) {
    super(
      "ADHESIVE_TASK_INTERRUPTED",
      `task "${taskName}" (${elementId}) was running when the run was interrupted, and it is marked onInterrupted: "fail" (this would have been attempt ${attempt}); check what it did, then resume with --retry to run it again`,
    );
  }
}

/** Bad options passed to the API (wrong matcher, unknown option, ...). */
export class UsageError extends AdhesiveError {
  /** always `ADHESIVE_USAGE` */
  declare readonly code: "ADHESIVE_USAGE";
  constructor(message: string) {
    super("ADHESIVE_USAGE", message);
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === "object") {
    // a thrown plain object (`throw { code: 404, message: "..." }`): its message, else what it holds
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string") return message;
    try {
      return JSON.stringify(error) ?? String(error);
    } catch {
      return String(error);
    }
  }
  return String(error);
}

/** Why the file system refused, in words a user can act on (the error's own message for anything else). */
export function fileSystemReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "ENOSPC":
      return "the disk is full (ENOSPC: no space left on the device)";
    case "EDQUOT":
      return "the disk quota is used up (EDQUOT)";
    case "EROFS":
      return "the file system is read-only (EROFS)";
    case "EACCES":
    case "EPERM":
      return `permission denied (${(error as NodeJS.ErrnoException).code}): the folder is not writable by this user`;
    case "ENOTDIR":
      return "a part of the path is a file, not a folder (ENOTDIR)";
    case "EMFILE":
    case "ENFILE":
      return `too many open files (${(error as NodeJS.ErrnoException).code})`;
    default:
      return describe(error);
  }
}
