import { UsageError } from "../errors.js";
import { buttonValue, pressedButton, sharedButtonValues, type FormField, type UiProvider, type UserTaskForm } from "./form.js";

/** The answers scriptedUi() gives: the same field answers for every form, or a function of the form that gives them. */
export type ScriptedAnswers = Record<string, unknown> | ((form: UserTaskForm) => Record<string, unknown> | Promise<Record<string, unknown>>);

/**
 * Answers user tasks without a person: from an object of field answers (the
 * same answers for every form), or a function of the form. Fields left
 * unanswered keep their default value; a button counts as pressed when it is
 * answered (or, when none is, the first button).
 */
export function scriptedUi(answers: ScriptedAnswers): UiProvider {
  return {
    async ask(form) {
      const given = typeof answers === "function" ? await answers(form) : answers;
      return fillDefaults(form, given);
    },
  };
}

/**
 * Fields left unanswered keep their preset; the pressed button (or the
 * first) gets its value. A button is pressed by answering its name; of
 * buttons sharing a name, by answering that name with the button's value.
 */
export function fillDefaults(form: UserTaskForm, given: Record<string, unknown>): Record<string, unknown> {
  // no prototype: a field named __proto__ is an answer like any other
  const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const buttons = form.fields.filter((f) => f.kind === "button");
  for (const field of form.fields) {
    if (field.kind === "button") continue;
    result[field.name] = field.name in given ? given[field.name] : defaultValue(field);
  }
  const answered = [...new Set(buttons.map((b) => b.name))].filter((name) => name in given);
  const pressed = answered.map((name) => pressedButton(form, name, given[name]) ?? noSuchButton(form, name, given[name]));
  for (const button of pressed.length > 0 ? pressed : buttons.slice(0, 1)) {
    result[button.name] = buttonValue(button);
  }
  return result;
}

function noSuchButton(form: UserTaskForm, name: string, answer: unknown): never {
  const values = (sharedButtonValues(form, name) ?? []).map((value) => JSON.stringify(value)).join(", ");
  throw new UsageError(`user task "${form.taskName}": the buttons "${name}" have the values ${values}; the answer ${JSON.stringify(answer)} presses none of them`);
}

function defaultValue(field: FormField): unknown {
  if (field.value !== undefined) return field.value;
  if (field.kind === "checkboxGroup") return [];
  return field.kind === "text" || field.kind === "password" ? "" : undefined;
}

/** Used when no front end can be shown: the run fails with a clear reason. */
export function noUi(reason: string): UiProvider {
  return {
    ask(form) {
      return Promise.reject(new UsageError(`user task "${form.taskName}" needs an answer, but ${reason}; pass { ui: scriptedUi(...) } or run on a terminal`));
    },
  };
}
