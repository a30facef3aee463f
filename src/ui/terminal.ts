import { Writable } from "node:stream";
import { createColors } from "picocolors";
import { CancelledError, UsageError } from "../errors.js";
import { FormAnsweredError } from "../inbox/inbox-error.js";
import { optionalPackage } from "../optional-package.js";
import { formOpened, writeAsForm } from "./terminal-sharing.js";
import type { FormField, UiProvider, UserTaskForm } from "./form.js";
import { shown } from "../terminal-text.js";

/** Where terminalUi() reads keys and draws forms. */
export interface TerminalUiOptions {
  /** where keys come from (default: process.stdin, which must then be a terminal) */
  input?: NodeJS.ReadableStream;
  /** where forms are drawn (default: process.stdout) */
  output?: NodeJS.WritableStream;
  /** colours in the form header (default: when the output is a terminal) */
  color?: boolean;
}

const OK_BUTTON: FormField = { kind: "button", name: "OK", title: "OK", value: undefined, values: [], implicit: true };

/** Context argument the form prompt takes (@inquirer/core's). */
interface PromptContext {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  signal: AbortSignal;
}

interface PendingForm {
  form: UserTaskForm;
  signal: AbortSignal;
  resolve(answers: Record<string, unknown>): void;
  reject(reason: unknown): void;
  dropOnAbort(): void;
}

/** Forms waiting for one input stream: a terminal shows a single form at a time. */
interface FormQueue {
  waiting: PendingForm[];
  open: boolean;
}

// Keyed by input stream rather than per provider, so two runs on the same
// terminal (each with its own default terminalUi) still take turns.
const queues = new WeakMap<NodeJS.ReadableStream, FormQueue>();

/**
 * Answers user tasks on the terminal with the whole form (ui/terminal-form.ts,
 * loaded with the first form, so runs without user tasks never pay for it).
 * Forms are shown one at a time in arrival order; a form that arrives while another is open
 * waits, while the rest of the process keeps running. A form whose task is
 * cancelled closes (or leaves the queue); Ctrl-C in a form interrupts the run
 * as Ctrl-C anywhere else would. Without a terminal on stdin (and no injected
 * input) every form is refused with a UsageError.
 */
export function terminalUi(options: TerminalUiOptions = {}): UiProvider {
  const injected = options.input !== undefined;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const outputIsTty = (output as { isTTY?: boolean }).isTTY === true;
  const c = createColors(options.color ?? (outputIsTty && !process.env.NO_COLOR));
  let queue = queues.get(input);
  if (queue === undefined) {
    queue = { waiting: [], open: false };
    queues.set(input, queue);
  }
  const forms = queue;

  const pump = (): void => {
    if (forms.open) return;
    const next = forms.waiting.shift();
    if (next === undefined) return;
    forms.open = true;
    next.signal.removeEventListener("abort", next.dropOnAbort);
    const closed = formOpened();
    showForm(next.form, { input, output, signal: next.signal }, () => forms.waiting.length, c)
      .then(next.resolve, (error: unknown) => {
        if (isCtrlC(error)) {
          // raw mode swallowed the terminal's SIGINT, so hand it to the process first: the CLI
          // then cancels the whole run (exit 130) before these rejections could fail a task
          if (input === process.stdin) interruptProcess();
          const cancelled = new CancelledError(`Ctrl-C in the form of user task "${next.form.taskName}"`);
          for (const waiting of forms.waiting.splice(0)) {
            waiting.signal.removeEventListener("abort", waiting.dropOnAbort);
            waiting.reject(cancelled);
          }
          next.reject(cancelled);
        } else if (isAbort(error)) {
          writeAsForm(() => output.write(`${c.dim(`  form "${shown(next.form.taskName)}" closed: ${closeReason(next.signal.reason)}`)}\n`));
          next.reject(next.signal.reason);
        } else {
          next.reject(error);
        }
      })
      .finally(() => {
        forms.open = false;
        closed();
        pump();
      });
  };

  return {
    ask(form, signal) {
      if (!injected && !process.stdin.isTTY) {
        return Promise.reject(
          new UsageError(
            `user task "${form.taskName}" needs an answer, but stdin is not a terminal; pass { ui: scriptedUi(...) } or run on a terminal`,
          ),
        );
      }
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve, reject) => {
        const pending: PendingForm = {
          form,
          signal,
          resolve,
          reject,
          dropOnAbort() {
            const index = forms.waiting.indexOf(pending);
            if (index >= 0) forms.waiting.splice(index, 1);
            reject(signal.reason);
          },
        };
        signal.addEventListener("abort", pending.dropOnAbort, { once: true });
        forms.waiting.push(pending);
        pump();
      });
    },
  };
}

async function showForm(
  form: UserTaskForm,
  context: PromptContext,
  waitingCount: () => number,
  c: ReturnType<typeof createColors>,
): Promise<Record<string, unknown>> {
  // @inquirer/core is an optional peer dependency: only forms answered on the terminal need it
  const { formPrompt } = await optionalPackage("@inquirer/core", "a user task form on the terminal", () => import("./terminal-form.js"));
  // counted after the import, when forms that arrived in the same tick have queued up
  const stillWaiting = waitingCount();
  const more = stillWaiting > 0 ? c.dim(` (${stillWaiting} more form${stillWaiting === 1 ? "" : "s"} waiting)`) : "";
  // the task name may be rendered from data: masked, its control characters escaped
  writeAsForm(() => context.output.write(`\n${c.cyan(c.bold(`User task: ${shown(form.taskName)}`))}${more}\n`));
  // a form made without UiBuilder.finish() gets its OK button here: only a button submits
  const submittable = form.fields.some((field) => field.kind === "button") ? form : { ...form, fields: [...form.fields, OK_BUTTON] };
  return formPrompt({ form: submittable, c }, promptContext(context));
}

/**
 * A prompt pipes into its output and ends the pipe when it is done, so it
 * gets a proxy per prompt (an injected stream must outlive the prompt). The
 * proxy marks what it passes on as the form's own drawing: the CLI holds
 * every other output while a form is open (ui/terminal-sharing.ts).
 */
function promptContext(context: PromptContext): PromptContext {
  const output = context.output as NodeJS.WritableStream & { columns?: number; rows?: number; isTTY?: boolean };
  const proxy = new Writable({
    // passed on at once: waiting for the target's callback would let the header of the next form
    // overtake the last drawing of this one (a form is a few lines, so backpressure does not matter)
    write(chunk: Buffer, _encoding, callback) {
      writeAsForm(() => output.write(chunk));
      callback();
    },
  });
  // the prompt sizes (and wraps) what it draws by the terminal's width
  Object.defineProperty(proxy, "columns", { get: () => output.columns });
  Object.defineProperty(proxy, "rows", { get: () => output.rows });
  Object.defineProperty(proxy, "isTTY", { get: () => output.isTTY });
  return { ...context, output: proxy };
}

/** What Ctrl-C does outside raw mode: the SIGINT handlers run now, or with none the process ends. */
function interruptProcess(): void {
  if (process.listenerCount("SIGINT") > 0) process.emit("SIGINT", "SIGINT");
  else process.kill(process.pid, "SIGINT");
}

/* another front end (the live view, `adhesive complete`) may have answered the form first */
function closeReason(reason: unknown): string {
  if (reason instanceof FormAnsweredError) return `answered ${reason.by}`;
  return "the task was cancelled";
}

// by name: @inquirer/core's classes are only loaded with the first form
function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortPromptError";
}

function isCtrlC(error: unknown): boolean {
  return error instanceof Error && error.name === "ExitPromptError";
}
