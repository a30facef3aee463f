/** Options of `workspace.run()`. */
export interface CommandOptions {
  /**
   * the shell that runs the command: `true` (the default) is /bin/sh, a string names another one (`"bash"`);
   * `false` runs the first word as the program and the others as its arguments (no quotes or variables; `\ ` keeps a space in a word)
   */
  shell?: boolean | string;
  /** return the command's output instead of only checking its exit code */
  capture?: boolean;
  /** extra environment variables */
  env?: Record<string, string>;
  /** working folder, relative to the workspace's `pwd` */
  cwd?: string;
}

/** Where a workspace sends what its commands print (the run's per-task log capture). */
export interface OutputSink {
  /** takes a piece of output, secrets already masked */
  write(text: string): void;
  /**
   * A stream of its own for one source (a command's stdout, its stderr), so
   * a secret value split across two pieces of it is still masked; without
   * it, workspaces mask each stream themselves before `write`.
   */
  stream?(): OutputStream;
}

/** One stream of output, in pieces, then an end. */
export interface OutputStream {
  /** takes the next piece (a secret may be split across pieces) */
  write(text: string): void;
  /** writes out what is still held back; later writes are dropped */
  end(): void;
}

/** What ties a workspace to the task using it: its cancellation and its output. */
export interface TaskIo {
  /**
   * Read when a command starts (a getter is fine: a task's signal is only
   * created when something asks for it); the command is killed when it fires.
   */
  readonly signal: AbortSignal | undefined;
  /** where the task's commands print (its log); undefined: nowhere but a command's own capture */
  readonly output: OutputSink | undefined;
}

/**
 * Where a task's commands and files go. Every method is relative to `pwd`;
 * `withChdir` and `withTempFolder` hand a workspace for another folder to
 * their callback instead of changing this one, because many tasks share a
 * workspace at once.
 */
export interface Workspace {
  /** identifies the workspace (the run's execution id for the local one) */
  readonly id: string;
  /** the folder commands run in */
  readonly pwd: string;
  /** runs a shell command; resolves to its stdout when `capture` is set, else to "" */
  run(command: string, options?: CommandOptions): Promise<string>;
  /** runs a shell command and resolves to its stdout, trimmed */
  runOutput(command: string, options?: Omit<CommandOptions, "capture">): Promise<string>;
  /** writes a file (relative to `pwd`), replacing it */
  writeFile(path: string, content: string | Uint8Array): Promise<void>;
  /** reads a file (relative to `pwd`) as UTF-8 text */
  readFile(path: string): Promise<string>;
  /** removes a file or folder (recursively); without a path, the whole workspace folder */
  rm(path?: string): Promise<void>;
  /** makes a folder and the folders above it that are missing */
  mkdir(path: string): Promise<void>;
  /** copies a local file or folder into the workspace */
  copyToAgent(from: string, to: string): Promise<void>;
  /** copies a file or folder from the workspace to the local machine */
  copyFromAgent(from: string, to: string): Promise<void>;
  /** calls `fn` with a workspace in a fresh temporary folder, removed afterwards */
  withTempFolder<T>(fn: (workspace: Workspace) => T | Promise<T>): Promise<T>;
  /** calls `fn` with a workspace whose `pwd` is `dir` (relative to this one) */
  withChdir<T>(dir: string, fn: (workspace: Workspace) => T | Promise<T>): Promise<T>;
  /** the same place, as a separate object (lanes that hand out a copy of the current workspace) */
  clone(): Workspace;
  /**
   * The same workspace as one task sees it: its commands are killed when the
   * task is cancelled and print to the task's log. The runner calls this for
   * every task, so it must be cheap (no I/O, no new connection).
   */
  forTask(io: TaskIo): Workspace;
}
