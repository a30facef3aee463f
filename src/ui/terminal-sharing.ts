/*
 * The terminal is shared by the user-task forms and whoever else draws on it
 * (the CLI's task lines and status line). A form owns the screen while it is
 * open: the others hold their output until it closes. This module only
 * carries that fact between the two; it draws nothing.
 */

type Listener = (open: boolean) => void;

let openForms = 0;
let formWriting = 0;
const listeners = new Set<Listener>();

/** A form is shown (terminalUi); returns the function that marks it closed. */
export function formOpened(): () => void {
  openForms++;
  if (openForms === 1) notify(true);
  let closed = false;
  return () => {
    if (closed) return;
    closed = true;
    openForms--;
    if (openForms === 0) notify(false);
  };
}

export function isFormOpen(): boolean {
  return openForms > 0;
}

/** Runs `write` as the form's own drawing, which must reach the terminal while others are held. */
export function writeAsForm<T>(write: () => T): T {
  formWriting++;
  try {
    return write();
  } finally {
    formWriting--;
  }
}

export function isFormWrite(): boolean {
  return formWriting > 0;
}

/** Calls `listener(true)` when the first form opens and `listener(false)` when the last one closes. */
export function onFormChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(open: boolean): void {
  for (const listener of listeners) listener(open);
}
