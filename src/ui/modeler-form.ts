import type { FormFieldDefinition } from "../model/definition.js";
import type { UiBuilder } from "./form.js";

/**
 * The form a modeler drew for a user task (Camunda 7 `camunda:formData`, a
 * Zeebe form embedded in the file), as fields of the terminal UI. Answers
 * come back typed as the form says: a `long` field a number, a `boolean`
 * one true or false.
 */
export function addModelerForm(ui: UiBuilder, fields: readonly FormFieldDefinition[]): void {
  for (const field of fields) {
    const options = { title: field.label, value: field.defaultValue };
    switch (field.type) {
      case "boolean":
        ui.addRadioGroup(field.id, { ...options, values: [["true", "Yes"], ["false", "No"]], value: field.defaultValue ?? "false" });
        break;
      case "enum":
        ui.addCombobox(field.id, { ...options, values: (field.values ?? []).map((value) => [value.id, value.name] as const) });
        break;
      case "password":
        ui.addInputPassword(field.id, options);
        break;
      default:
        ui.addInputText(field.id, options);
    }
  }
}

/**
 * The answers of the form's fields, with their types. The button the
 * terminal adds to submit the form is no field of the drawn form: it does
 * not become data.
 */
export function typedAnswers(fields: readonly FormFieldDefinition[], answers: Record<string, unknown>): Record<string, unknown> {
  // no prototype: a field named __proto__ is an answer like any other
  const typed: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const field of fields) {
    if (!Object.hasOwn(answers, field.id)) continue;
    typed[field.id] = answers[field.id];
    const answer = answers[field.id];
    if (field.type === "boolean") typed[field.id] = answer === true || answer === "true";
    else if (field.type === "long" && typeof answer === "string" && answer.trim() !== "" && Number.isFinite(Number(answer))) typed[field.id] = Number(answer);
  }
  return typed;
}
