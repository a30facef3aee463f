import { AdhesiveError } from "../errors.js";

/** One thing wrong with the configuration, already phrased for the user. */
export interface ConfigProblem {
  /** the file path or environment variable name the bad value came from */
  readonly source: string;
  /** the configuration key (`pool_size`), or undefined when the whole file is at fault */
  readonly key: string | undefined;
  /** a complete line naming the source, the key, what is expected and what was found */
  readonly message: string;
}

/** The configuration cannot be used; lists every problem of every layer at once. */
export class ConfigError extends AdhesiveError {
  /** always `ADHESIVE_CONFIG` */
  declare readonly code: "ADHESIVE_CONFIG";
  /** every problem of every layer (files, environment), not only the first */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super("ADHESIVE_CONFIG", format(problems));
    this.problems = problems;
  }
}

function format(problems: readonly ConfigProblem[]): string {
  if (problems.length === 1) return problems[0].message;
  const lines = problems.map((problem) => `  - ${problem.message}`);
  return `${problems.length} problems in the adhesive configuration:\n${lines.join("\n")}`;
}
