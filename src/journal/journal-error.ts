import { AdhesiveError } from "../errors.js";

/** A journal that cannot be written, or read back (a corrupt record, a newer format, no header). */
export class JournalError extends AdhesiveError {
  /** always `ADHESIVE_JOURNAL` */
  declare readonly code: "ADHESIVE_JOURNAL";
  /** the journal file */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super("ADHESIVE_JOURNAL", `${file}: ${message}`, options);
    this.file = file;
  }
}
