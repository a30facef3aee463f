/*
 * The terminal form while it is edited, apart from how it is drawn: where
 * the focus can go, what each key does to the values, and the answers the
 * form gives when a button is pressed (the same shape scriptedUi gives).
 */
import { buttonValue, choiceValue, type FormField, type UserTaskForm } from "./form.js";

/** A place the focus stops at: a field, one option of a checkbox group, or a button. */
export interface Stop {
  field: number;
  /** the option of a checkbox group */
  option?: number;
}

/** How a field is edited. */
export type Editor = "text" | "password" | "choice" | "checkbox" | "button";

export interface FormState {
  /** index into stopsOf(form) */
  focus: number;
  /** per field: the text of a text field, the chosen value of a choice, the checked values of a checkbox group ("" for a button) */
  values: ReadonlyArray<string | readonly string[]>;
}

export function editorOf(field: FormField): Editor {
  switch (field.kind) {
    case "password":
      return "password";
    case "checkboxGroup":
      return "checkbox";
    case "button":
      return "button";
    case "combobox":
    case "radioGroup":
      // nothing to choose from: free text is the only useful way to answer
      return field.values.length > 0 ? "choice" : "text";
    default:
      return "text";
  }
}

/** The fields first, in their order, then the buttons: the focus goes down the form to the buttons at its foot. */
export function stopsOf(form: UserTaskForm): Stop[] {
  const stops: Stop[] = [];
  form.fields.forEach((field, index) => {
    if (field.kind === "button") return;
    if (editorOf(field) === "checkbox") field.values.forEach((_, option) => stops.push({ field: index, option }));
    else stops.push({ field: index });
  });
  form.fields.forEach((field, index) => {
    if (field.kind === "button") stops.push({ field: index });
  });
  return stops;
}

/** The values a form opens with: the presets, a choice's first option when its preset is none of them. */
export function initialState(form: UserTaskForm): FormState {
  const values = form.fields.map((field) => {
    const preset = field.value;
    switch (editorOf(field)) {
      case "choice": {
        const options = field.values.map(choiceValue);
        return typeof preset === "string" && options.includes(preset) ? preset : options[0];
      }
      case "checkbox": {
        const checked = Array.isArray(preset) ? preset : preset === undefined ? [] : [preset];
        return field.values.map(choiceValue).filter((value) => checked.includes(value));
      }
      case "button":
        return "";
      default:
        return presetText(field);
    }
  });
  return { focus: 0, values };
}

/** A preset as the one line a text field edits. */
export function presetText(field: FormField): string {
  return field.value === undefined ? "" : String(field.value).replace(/[\u0000-\u001f\u007f]+/g, " ");
}

/** The focus `by` stops further, going round at either end. */
export function moveFocus(state: FormState, stops: readonly Stop[], by: number): FormState {
  return { ...state, focus: (state.focus + by + stops.length) % stops.length };
}

/** The choice `by` options further, going round. */
export function turnChoice(state: FormState, form: UserTaskForm, stop: Stop, by: number): FormState {
  const options = form.fields[stop.field].values.map(choiceValue);
  const at = options.indexOf(state.values[stop.field] as string);
  return withValue(state, stop.field, options[(at + by + options.length) % options.length]);
}

/** The focused option of a checkbox group checked or unchecked; the checked values stay in the options' order. */
export function toggleOption(state: FormState, form: UserTaskForm, stop: Stop): FormState {
  const options = form.fields[stop.field].values.map(choiceValue);
  const checked = new Set(state.values[stop.field] as readonly string[]);
  const option = options[stop.option ?? 0];
  if (checked.has(option)) checked.delete(option);
  else checked.add(option);
  return withValue(state, stop.field, options.filter((value) => checked.has(value)));
}

/** The state with one field's value replaced (a text field's as typed). */
export function withValue(state: FormState, field: number, value: string | readonly string[]): FormState {
  const values = [...state.values];
  values[field] = value;
  return { ...state, values };
}

/**
 * The answers of the form submitted with `button`: every field in order,
 * then the button's value under its name. A text field left at its preset
 * answers the preset with its own type, as scriptedUi does.
 */
export function answersOf(form: UserTaskForm, state: FormState, button: FormField): Record<string, unknown> {
  // no prototype: a field named __proto__ is an answer like any other
  const answers: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  form.fields.forEach((field, index) => {
    if (field.kind === "button") return;
    const value = state.values[index];
    const editor = editorOf(field);
    const text = editor === "text" || editor === "password";
    answers[field.name] = text && field.value !== undefined && value === presetText(field) ? field.value : value;
  });
  answers[button.name] = buttonValue(button);
  return answers;
}
