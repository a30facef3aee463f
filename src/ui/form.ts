import { isDeepStrictEqual } from "node:util";
import { UsageError } from "../errors.js";

/** What a form field is: a text or password input, a combobox, a checkbox or radio group, or a button. */
export type FieldKind = "text" | "password" | "combobox" | "checkboxGroup" | "radioGroup" | "button";

/** A choice: a value, or a [value, label] pair. */
export type Choice = string | readonly [string, string];

/** The options of a field added to a form. */
export interface FieldOptions {
  /** the label shown (default: the field's name; a button sharing its name with others: its value) */
  title?: string;
  /** the value the field starts with (for a checkbox group, the list of checked values); a button's value is what pressing it writes */
  value?: unknown;
  /** the choices of a combobox, checkbox group or radio group */
  values?: readonly Choice[];
}

/** One field or button of a user task's form, as front ends get it. */
export interface FormField {
  /** what the field is */
  kind: FieldKind;
  /** the data key its answer goes to */
  name: string;
  /** its label */
  title: string;
  /** the value it starts with; a button's value, written under its name when it is pressed */
  value: unknown;
  /** its choices (empty for inputs and buttons) */
  values: readonly Choice[];
  /** the OK button a form without buttons gets: it submits the form, its answer is no data */
  implicit?: true;
}

/** What a user task asks: its fields and buttons, in the order they were added. */
export interface UserTaskForm {
  /** the user task's name as it runs (placeholders filled in) */
  taskName: string;
  /** its fields and buttons, in the order they were added */
  fields: FormField[];
  /** the user task's element and token, for front ends that list forms (the live view, `adhesive complete`) */
  elementId?: string;
  /** the token the form is for (a user task in a loop has one form per iteration) */
  tokenId?: number;
}

/** A front end that shows a form and returns the answers (field name -> value). */
export interface UiProvider {
  /** Shows `form` and resolves to the answers by field name; `signal` aborts when the task is cancelled or another front end answered first. */
  ask(form: UserTaskForm, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/**
 * The `ui` object user task functions fill. Buttons may share a name when
 * their values differ (`decision` with "approve" and "reject", as in the
 * original): pressing one writes its value under that name, and a button
 * without a title of its own is labelled with its value.
 */
export class UiBuilder {
  /** the form as built so far */
  readonly form: UserTaskForm;
  /* buttons added without a title: labelled by their value once another button shares their name */
  private readonly untitled = new Set<FormField>();

  constructor(taskName: string, task?: { elementId: string; tokenId: number }) {
    this.form = { taskName, fields: [], ...task };
  }

  /** A text input; its answer, a string, goes to `data[name]`. */
  addInputText(name: string, options: FieldOptions = {}): void {
    this.add("text", name, options);
  }

  /** A text input whose text is hidden as it is typed; its answer, a string, goes to `data[name]`. */
  addInputPassword(name: string, options: FieldOptions = {}): void {
    this.add("password", name, options);
  }

  /** A choice of one of `options.values`; the chosen value goes to `data[name]`. */
  addCombobox(name: string, options: FieldOptions = {}): void {
    this.add("combobox", name, options);
  }

  /** Checkboxes, one per choice of `options.values`; the list of checked values goes to `data[name]`. */
  addCheckboxGroup(name: string, options: FieldOptions = {}): void {
    this.add("checkboxGroup", name, options);
  }

  /** Radio buttons, one per choice of `options.values`; the chosen value goes to `data[name]`. */
  addRadioGroup(name: string, options: FieldOptions = {}): void {
    this.add("radioGroup", name, options);
  }

  /**
   * A button that submits the form, writing its `options.value` (else its
   * name) under `name`. Several buttons may share a name when their values
   * differ (`decision`: "approve" and "reject"). A form without buttons gets
   * an OK button.
   */
  addDefaultButton(name: string, options: FieldOptions = {}): void {
    this.add("button", name, options);
  }

  private add(kind: FieldKind, name: string, options: FieldOptions): void {
    const field: FormField = { kind, name, title: options.title ?? name, value: options.value, values: options.values ?? [] };
    const same = this.form.fields.filter((f) => f.name === name);
    if (kind === "button" && same.length > 0 && same.every((f) => f.kind === "button")) this.addSharing(field, same, options.title === undefined);
    else if (same.length > 0) throw new UsageError(`user task "${this.form.taskName}": field "${name}" is added twice`);
    else if (kind === "button" && options.title === undefined) this.untitled.add(field);
    this.form.fields.push(field);
  }

  private addSharing(button: FormField, same: readonly FormField[], untitled: boolean): void {
    const value = buttonValue(button);
    if (same.some((other) => isDeepStrictEqual(buttonValue(other), value))) {
      throw new UsageError(`user task "${this.form.taskName}": two buttons "${button.name}" with the value ${JSON.stringify(value)}; buttons that share a name need different values`);
    }
    for (const other of same) if (this.untitled.delete(other)) other.title = valueLabel(buttonValue(other));
    if (untitled) button.title = valueLabel(value);
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

function valueLabel(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** What pressing a button writes under its name: its value, else its name. */
export function buttonValue(button: FormField): unknown {
  return button.value ?? button.name;
}

/**
 * The button that `answer` presses among those named `name`: the one whose
 * value it is when several share the name, the only one whatever the answer
 * otherwise (`{ approve: true }`). undefined when it presses none.
 */
export function pressedButton(form: UserTaskForm, name: string, answer: unknown): FormField | undefined {
  const named = form.fields.filter((f) => f.kind === "button" && f.name === name);
  if (named.length === 1) return named[0];
  return named.find((button) => isDeepStrictEqual(buttonValue(button), answer));
}

/** The values of the buttons sharing `name` (what an answer must give to press one of them). */
export function sharedButtonValues(form: UserTaskForm, name: string): unknown[] | undefined {
  const named = form.fields.filter((f) => f.kind === "button" && f.name === name);
  return named.length > 1 ? named.map(buttonValue) : undefined;
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
