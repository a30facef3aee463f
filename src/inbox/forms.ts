import { redact } from "../secrets/redact.js";
import { choiceLabel, choiceValue, pressedButton, sharedButtonValues, type FieldKind, type UserTaskForm } from "../ui/form.js";
import { fillDefaults } from "../ui/scripted.js";
import { InboxError } from "./inbox-error.js";

/** A field as the web page and `adhesive complete` see it: a password's preset value never leaves the process. */
export interface FieldView {
  kind: FieldKind;
  name: string;
  title: string;
  value: unknown;
  /** a password field with a preset value (kept when left empty) */
  hasValue: boolean;
  values: Array<{ value: string; label: string }>;
}

export interface FormView {
  /** unique in the run; what the API and `adhesive complete` may name */
  id: string;
  taskName: string;
  elementId: string | undefined;
  tokenId: number | undefined;
  openedAt: number;
  fields: FieldView[];
}

interface OpenForm {
  view: FormView;
  form: UserTaskForm;
  settle(answer: RemoteAnswer): void;
}

/** An answer from outside the process, and where it came from ("in the browser", "with adhesive complete"). */
export interface RemoteAnswer {
  answers: Record<string, unknown>;
  by: string;
}

/**
 * The user-task forms of one run that wait for an answer from outside the
 * process: the web page and `adhesive complete`. The first answer for a
 * form wins; answering a form that is gone is an error the caller sees.
 */
export class PendingForms {
  private readonly open = new Map<string, OpenForm>();
  private nextId = 1;
  /** a form opened or closed */
  onChange: (() => void) | undefined;
  /** a form opened (the CLI says how to answer it when no terminal can) */
  onOpen: ((view: FormView) => void) | undefined;

  /** Makes the form answerable from outside until `close()`; `answered` resolves with the first answer. */
  add(form: UserTaskForm): { answered: Promise<RemoteAnswer>; close: () => void } {
    const id = String(this.nextId++);
    const view: FormView = {
      id,
      taskName: form.taskName,
      elementId: form.elementId,
      tokenId: form.tokenId,
      openedAt: Date.now(),
      fields: form.fields.map(fieldView),
    };
    let settle!: (answer: RemoteAnswer) => void;
    const answered = new Promise<RemoteAnswer>((resolve) => (settle = resolve));
    this.open.set(id, { view, form, settle });
    this.onOpen?.(view);
    this.onChange?.();
    const close = (): void => {
      if (this.open.delete(id)) this.onChange?.();
    };
    return { answered, close };
  }

  list(): FormView[] {
    return [...this.open.values()].map((entry) => entry.view);
  }

  /**
   * Answers the form named by its id, element id or task name; `given`
   * holds field answers (and at most one button). Fields left out keep
   * their preset value, as with scriptedUi. Returns the form answered;
   * `taking` hears the form's token first.
   */
  answer(name: string, given: unknown, by: string, taking?: (tokenId: number) => void): FormView {
    const entry = this.find(name);
    const answers = checkAnswers(entry.form, given);
    // told before the form takes the answer: its task may end right after
    if (entry.view.tokenId !== undefined) taking?.(entry.view.tokenId);
    this.open.delete(entry.view.id);
    entry.settle({ answers, by });
    this.onChange?.();
    return entry.view;
  }

  private find(name: string): OpenForm {
    const byId = this.open.get(name);
    if (byId !== undefined) return byId;
    const matching = [...this.open.values()].filter((entry) => entry.view.elementId === name || entry.view.taskName === name);
    if (matching.length === 1) return matching[0];
    const waiting = this.list().map((view) => `${view.id}: "${view.taskName}"${view.elementId ? ` (${view.elementId})` : ""}`);
    if (matching.length > 1) {
      throw new InboxError("ADHESIVE_FORM_AMBIGUOUS", `${matching.length} forms wait for "${name}"; name one by its id: ${waiting.join(", ")}`, 409);
    }
    const open = waiting.length > 0 ? `forms waiting: ${waiting.join(", ")}` : "no user task waits for an answer";
    throw new InboxError("ADHESIVE_NO_SUCH_FORM", `no user task "${name}" waits for an answer (${open})`, 404);
  }
}

function fieldView(field: UserTaskForm["fields"][number]): FieldView {
  const secret = field.kind === "password";
  const values = field.values.map((choice) => ({ value: choiceValue(choice), label: redact(choiceLabel(choice)) }));
  return { kind: field.kind, name: field.name, title: redact(field.title), value: secret ? undefined : redactValue(field.value), hasValue: field.value !== undefined, values };
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  return value;
}

/** The answers a form gets from outside: only its own fields, at most one button, choices from the list. */
function checkAnswers(form: UserTaskForm, given: unknown): Record<string, unknown> {
  const where = `user task "${form.taskName}"`;
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    throw new InboxError("ADHESIVE_BAD_ANSWER", `${where}: the answer must be a JSON object of field names and values`);
  }
  const answers = given as Record<string, unknown>;
  // buttons sharing a name are one key: its value says which one is pressed
  const fields = new Map(form.fields.map((field) => [field.name, field]));
  const unknown = Object.keys(answers).filter((key) => !fields.has(key));
  if (unknown.length > 0) {
    throw new InboxError("ADHESIVE_BAD_ANSWER", `${where} has no field ${unknown.map((k) => `"${k}"`).join(", ")}; its fields: ${[...fields.keys()].join(", ")}`);
  }
  const buttons = Object.keys(answers).filter((key) => fields.get(key)!.kind === "button");
  if (buttons.length > 1) throw new InboxError("ADHESIVE_BAD_ANSWER", `${where}: press one button, not ${buttons.join(" and ")}`);
  for (const name of buttons) {
    const values = sharedButtonValues(form, name);
    if (values !== undefined && pressedButton(form, name, answers[name]) === undefined) {
      const shown = values.map((value) => JSON.stringify(value)).join(", ");
      throw new InboxError("ADHESIVE_BAD_ANSWER", `${where}: the buttons "${name}" have the values ${shown}; answer "${name}" with one of them, not ${JSON.stringify(answers[name])}`);
    }
  }
  const fixed: Record<string, unknown> = { ...answers };
  for (const [name, value] of Object.entries(answers)) {
    const field = fields.get(name)!;
    const allowed = field.values.map(choiceValue);
    if (field.kind === "checkboxGroup") {
      if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
        throw new InboxError("ADHESIVE_BAD_ANSWER", `${where}: field "${name}" takes a list of choices`);
      }
      const wrong = value.filter((item) => allowed.length > 0 && !allowed.includes(item as string));
      if (wrong.length > 0) throw new InboxError("ADHESIVE_BAD_ANSWER", `${where}: field "${name}" has no choice ${wrong.join(", ")}; choices: ${allowed.join(", ")}`);
    } else if ((field.kind === "radioGroup" || field.kind === "combobox") && allowed.length > 0 && !allowed.includes(value as string)) {
      throw new InboxError("ADHESIVE_BAD_ANSWER", `${where}: field "${name}" has no choice ${JSON.stringify(value)}; choices: ${allowed.join(", ")}`);
    } else if (field.kind === "password" && value === "" && field.value !== undefined) {
      // an empty password keeps the preset, as on the terminal
      fixed[name] = field.value;
    }
  }
  return fillDefaults(form, fixed);
}
