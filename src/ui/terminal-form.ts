/*
 * A user task's whole form on the terminal, as the original adhesive drew
 * it: every field with its value, the buttons at the foot. The person moves
 * between the fields, edits any of them as often as they like, and the form
 * is submitted only by pressing a button. Built on @inquirer/core's prompt
 * hooks: it draws, reads the keys (a text field is edited by readline, with
 * its usual keys) and turns Ctrl-C and an aborted signal into errors.
 */
import { createPrompt, isDownKey, isEnterKey, isSpaceKey, isTabKey, isUpKey, useEffect, useKeypress, useState } from "@inquirer/core";
import type { createColors } from "picocolors";
import { shown } from "../terminal-text.js";
import { choiceLabel, choiceValue, type FormField, type UserTaskForm } from "./form.js";
import { answersOf, editorOf, initialState, moveFocus, stopsOf, toggleOption, turnChoice, withValue, type FormState, type Stop } from "./form-state.js";

type Colors = ReturnType<typeof createColors>;
type Readline = Parameters<Parameters<typeof useKeypress>[0]>[1];

export interface FormPromptConfig {
  form: UserTaskForm;
  c: Colors;
}

const SHOW_CURSOR = "\u001b[?25h";
const HIDE_CURSOR = "\u001b[?25l";
const FOCUS = "❯ ";
const NO_FOCUS = "  ";
const HELP = "↑ ↓ tab: move · ← → space: change · enter: next field, or press the button";

/** Shows the form until a button is pressed; resolves with the answers (field name -> value, then the button's). */
export const formPrompt = createPrompt<Record<string, unknown>, FormPromptConfig>((config, done) => {
  const { form, c } = config;
  const stops = stopsOf(form);
  const [state, setState] = useState<FormState>(() => initialState(form));
  const [pressed, setPressed] = useState<FormField | undefined>(undefined);
  const stop = stops[state.focus];
  const editor = editorOf(form.fields[stop.field]);
  const editsText = editor === "text" || editor === "password";

  // readline edits the focused text field: it starts with the field's value, and
  // the form is drawn again to put the cursor after it
  const [, setStarted] = useState(false);
  useEffect((rl) => {
    setLine(rl, textAt(state, stop));
    setStarted(true);
  }, []);

  useKeypress((key, rl) => {
    if (pressed !== undefined) return;
    const focus = (next: FormState): void => {
      setState(next);
      setLine(rl, textAt(next, stops[next.focus]));
    };
    if (isEnterKey(key)) {
      if (editor !== "button") return focus(moveFocus(state, stops, 1));
      const button = form.fields[stop.field];
      setPressed(button);
      rl.clearLine(0);
      return done(answersOf(form, state, button));
    }
    if (isTabKey(key)) return focus(moveFocus(state, stops, key.shift ? -1 : 1));
    if (isUpKey(key) || isDownKey(key)) return focus(moveFocus(state, stops, isUpKey(key) ? -1 : 1));
    if (editsText) return setState(withValue(state, stop.field, rl.line));
    // readline took the key as typing: a choice, a checkbox or a button has no line to type into
    rl.clearLine(0);
    if (editor === "choice" && (key.name === "left" || key.name === "right" || isSpaceKey(key))) {
      setState(turnChoice(state, form, stop, key.name === "left" ? -1 : 1));
    } else if (editor === "checkbox" && isSpaceKey(key)) {
      setState(toggleOption(state, form, stop));
    } else if (editor === "button" && (key.name === "left" || key.name === "right")) {
      // the buttons stand side by side
      focus(moveFocus(state, stops, key.name === "left" ? -1 : 1));
    }
  });

  if (pressed !== undefined) return drawAnswered(form, state, pressed, c);
  const { above, below } = drawOpen(form, state, stop, c);
  // the cursor is left at the end of the last line above: the focused row
  return [`${editsText ? SHOW_CURSOR : HIDE_CURSOR}${above}`, [...below, c.dim(HELP)].join("\n")];
});

function setLine(rl: Readline, text: string): void {
  rl.clearLine(0);
  if (text !== "") rl.write(text);
}

function textAt(state: FormState, stop: Stop): string {
  const value = state.values[stop.field];
  return typeof value === "string" ? value : "";
}

/** The rows up to the focused one, and the rest. */
function drawOpen(form: UserTaskForm, state: FormState, focused: Stop, c: Colors): { above: string; below: string[] } {
  const width = labelWidth(form);
  const lines: string[] = [];
  let focusLine = 0;
  form.fields.forEach((field, index) => {
    if (field.kind === "button") return;
    const label = padded(field.title, width);
    const value = state.values[index];
    const here = focused.field === index;
    if (editorOf(field) === "checkbox") {
      if (field.values.length === 0) lines.push(`${NO_FOCUS}${label}  ${c.dim("(nothing to choose)")}`);
      field.values.forEach((choice, option) => {
        const on = here && focused.option === option;
        if (on) focusLine = lines.length;
        const box = (value as readonly string[]).includes(choiceValue(choice)) ? "[x]" : "[ ]";
        const text = `${box} ${shown(choiceLabel(choice))}`;
        lines.push(`${on ? c.cyan(FOCUS) : NO_FOCUS}${option === 0 ? label : " ".repeat(width)}  ${on ? c.cyan(text) : text}`);
      });
      return;
    }
    if (here) focusLine = lines.length;
    lines.push(`${here ? c.cyan(FOCUS) : NO_FOCUS}${here ? c.bold(label) : label}  ${drawValue(field, value as string, here, c)}`);
  });
  const buttons = form.fields.flatMap((field, index) => (field.kind === "button" ? [{ field, index }] : []));
  const buttonLine = buttons
    .map(({ field, index }) => {
      const text = `[ ${shown(field.title)} ]`;
      return focused.field === index ? `${c.cyan(FOCUS)}${c.inverse(c.bold(text))}` : `${NO_FOCUS}${text}`;
    })
    .join(" ");
  lines.push("");
  if (buttons.some(({ index }) => focused.field === index)) focusLine = lines.length;
  lines.push(buttonLine);
  return { above: lines.slice(0, focusLine + 1).join("\n"), below: lines.slice(focusLine + 1) };
}

/** A field's value on its row; a focused text field's row ends with its text exactly, where readline's cursor is. */
function drawValue(field: FormField, value: string, focused: boolean, c: Colors): string {
  switch (editorOf(field)) {
    case "password":
      return "*".repeat(value.length);
    case "choice":
      if (field.kind === "radioGroup") {
        return field.values.map((choice) => `${choiceValue(choice) === value ? "(•)" : "( )"} ${shown(choiceLabel(choice))}`).join("  ");
      }
      return `‹ ${focused ? c.cyan(labelOf(field, value)) : labelOf(field, value)} ›`;
    default:
      return value;
  }
}

/** The form as it was submitted: every field's answer and the button pressed, nothing to edit. */
function drawAnswered(form: UserTaskForm, state: FormState, pressed: FormField, c: Colors): string {
  const width = labelWidth(form);
  const lines: string[] = [];
  form.fields.forEach((field, index) => {
    if (field.kind === "button") return;
    const value = state.values[index];
    const editor = editorOf(field);
    const answer =
      editor === "password"
        ? "*".repeat((value as string).length)
        : editor === "checkbox"
          ? (value as readonly string[]).map((checked) => labelOf(field, checked)).join(", ")
          : editor === "choice"
            ? labelOf(field, value as string)
            : shown(value as string);
    lines.push(`${NO_FOCUS}${padded(field.title, width)}  ${c.cyan(answer)}`);
  });
  lines.push(`${c.green("✔")} ${c.bold(shown(pressed.title))}`);
  return lines.join("\n");
}

function labelOf(field: FormField, value: string): string {
  const choice = field.values.find((candidate) => choiceValue(candidate) === value);
  return shown(choice === undefined ? value : choiceLabel(choice));
}

function labelWidth(form: UserTaskForm): number {
  return Math.max(0, ...form.fields.filter((field) => field.kind !== "button").map((field) => shown(field.title).length));
}

function padded(title: string, width: number): string {
  return shown(title).padEnd(width);
}
