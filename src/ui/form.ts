import { UsageError } from "../errors.js";

export type FieldKind = "text" | "password" | "combobox" | "checkboxGroup" | "radioGroup" | "button";

/** A choice: a value, or a [value, label] pair. */
export type Choice = string | readonly [string, string];

export interface FieldOptions {
  title?: string;
  value?: unknown;
  values?: readonly Choice[];
}

export interface FormField {
  kind: FieldKind;
  name: string;
  title: string;
  value: unknown;
  values: readonly Choice[];
  /** the OK button a form without buttons gets: it submits the form, its answer is no data */
  implicit?: true;
}

/** What a user task asks: its fields and buttons, in the order they were added. */
export interface UserTaskForm {
  taskName: string;
  fields: FormField[];
  /** the user task's element and token, for front ends that list forms (the live view, `adhesive complete`) */
  elementId?: string;
  tokenId?: number;
}

/** A front end that shows a form and returns the answers (field name -> value). */
export interface UiProvider {
  ask(form: UserTaskForm, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/** The `ui` object user task functions fill. */
export class UiBuilder {
  readonly form: UserTaskForm;

  constructor(taskName: string, task?: { elementId: string; tokenId: number }) {
    this.form = { taskName, fields: [], ...task };
  }

  addInputText(name: string, options: FieldOptions = {}): void {
    this.add("text", name, options);
  }

  addInputPassword(name: string, options: FieldOptions = {}): void {
    this.add("password", name, options);
  }

  addCombobox(name: string, options: FieldOptions = {}): void {
    this.add("combobox", name, options);
  }

  addCheckboxGroup(name: string, options: FieldOptions = {}): void {
    this.add("checkboxGroup", name, options);
  }

  addRadioGroup(name: string, options: FieldOptions = {}): void {
    this.add("radioGroup", name, options);
  }

  addDefaultButton(name: string, options: FieldOptions = {}): void {
    this.add("button", name, options);
  }

  private add(kind: FieldKind, name: string, options: FieldOptions): void {
    if (this.form.fields.some((f) => f.name === name)) {
      throw new UsageError(`user task "${this.form.taskName}": field "${name}" is added twice`);
    }
    this.form.fields.push({ kind, name, title: options.title ?? name, value: options.value, values: options.values ?? [] });
  }

  /** A form without buttons gets an OK button, so every form has a way to be submitted. */
  finish(): UserTaskForm {
    if (!this.form.fields.some((f) => f.kind === "button")) {
      this.addDefaultButton("OK");
      this.form.fields[this.form.fields.length - 1].implicit = true;
    }
    return this.form;
  }
}

/**
 * What of a form's answers lands in ctx.data: every field the user task
 * added, buttons included (the pressed one with its value), but not the OK
 * button a form without buttons gets, as with a form drawn in the modeler.
 */
export function answersAsData(form: UserTaskForm, answers: Record<string, unknown>): Record<string, unknown> {
  const implicit = form.fields.find((field) => field.implicit === true);
  if (implicit === undefined || !Object.hasOwn(answers, implicit.name)) return answers;
  const data = { ...answers };
  delete data[implicit.name];
  return data;
}

export function choiceValue(choice: Choice): string {
  return typeof choice === "string" ? choice : choice[0];
}

export function choiceLabel(choice: Choice): string {
  return typeof choice === "string" ? choice : choice[1];
}
