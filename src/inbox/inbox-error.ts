import { AdhesiveError } from "../errors.js";

/**
 * A message or answer the inbox cannot take: no run with that id, nobody
 * waiting for the message, no such form, an answer that does not fit the
 * form. `status` is what the web API answers with.
 */
export class InboxError extends AdhesiveError {
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(code, message);
    this.status = status;
  }
}

/** The reason a front end's form is withdrawn: another front end answered it first. */
export class FormAnsweredError extends AdhesiveError {
  /** "in the browser", "with adhesive complete" */
  readonly by: string;

  constructor(taskName: string, by: string) {
    super("ADHESIVE_FORM_ANSWERED", `user task "${taskName}" was answered ${by}`);
    this.by = by;
  }
}
