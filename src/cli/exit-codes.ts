/* The CLI's exit codes (its help text lists them); a module of their own so that --version loads nothing else. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;
