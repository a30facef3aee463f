import { AdhesiveError } from "../errors.js";

/**
 * A message or answer the inbox cannot take: no run with that id, nobody
 * waiting for the message, no such form, an answer that does not fit the
 * form. `status` is what the web API answers with.
 */
export class InboxError extends AdhesiveError {
  /**
   * One of the inbox's codes (docs/errors.md): `ADHESIVE_NO_SUCH_RUN`,
   * `ADHESIVE_RUN_ENDED`, `ADHESIVE_RUN_UNREACHABLE`, `ADHESIVE_NO_SUCH_MESSAGE`,
   * `ADHESIVE_NO_SUCH_FORM`, `ADHESIVE_BAD_ANSWER`, `ADHESIVE_BAD_CORRELATION`,
   * `ADHESIVE_NOT_DELIVERED`, ...; one a run answered with is passed on as it came.
   */
  declare readonly code: string;
  /** the HTTP status the web API answers with (400, 404, 409, ...) */
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(code, message);
    this.status = status;
  }
}

/** The reason a front end's form is withdrawn: another front end answered it first. */
export class FormAnsweredError extends AdhesiveError {
  /** always `ADHESIVE_FORM_ANSWERED` */
  declare readonly code: "ADHESIVE_FORM_ANSWERED";
  /** "in the browser", "with adhesive complete" */
  readonly by: string;

  constructor(taskName: string, by: string) {
    super("ADHESIVE_FORM_ANSWERED", `user task "${taskName}" was answered ${by}`);
    this.by = by;
  }
}
