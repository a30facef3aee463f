/**
 * The kube workspace: commands run in a container of an existing pod with
 * `kubectl exec`, files move with `kubectl cp` (which needs `tar` in the
 * container). kubectl is run by the PARENT workspace's `run`, so the task's
 * cancellation, its log and the parent's location (and kubeconfig) apply.
 *
 * kubectl exec has no working-folder or environment flags, so every command
 * goes through a small fixed wrapper that changes folder and then `exec`s the
 * command's own argument vector, which therefore reaches the pod unchanged:
 *
 *     kubectl exec [-n NS] [-c C] POD -- sh -c 'cd "$1" && shift && exec "$@"' sh CWD [env K=V...] SHELL -c COMMAND
 *
 * Cancellation kills the local `kubectl exec`; Kubernetes does not pass that
 * on to the process in the pod, which may keep running until it ends.
 */
import { posix } from "node:path";
import { AdhesiveError, UsageError } from "../errors.js";
import {
  asUserCommandError,
  cliFailure,
  commandLine,
  envPairs,
  withTempSubfolder,
  runArgv,
  shellArgv,
  uncancellable,
} from "./cli-exec.js";
import { CommandError } from "./command-error.js";
import type { CommandOptions, TaskIo, Workspace } from "./workspace.js";

/** Which pod and container kube.inside() and kube.connect() run in. */
export interface KubeOptions {
  /** the pod's name */
  pod: string;
  /** `-n` (default: the context's namespace) */
  namespace?: string;
  /** `-c` (default: the pod's default container) */
  container?: string;
  /** `kubectl --context` (default: the current context) */
  context?: string;
  /** the shell commands run in (default `sh`); `run(cmd, { shell: "bash" })` overrides it per command */
  shell?: string;
  /** the folder commands run in (default: the container's working folder, asked once with `pwd`) */
  pwd?: string;
  /** the kubectl CLI (default `kubectl`) */
  cli?: string;
}

/* changes to "$1", then runs the remaining arguments as they are */
const WRAPPER = 'cd "$1" && shift && exec "$@"';

interface Target {
  readonly options: KubeOptions;
  readonly cli: string;
  readonly shell: string;
  /** the parent, not tied to any task's signal (removal still works after a cancellation) */
  readonly control: Workspace;
  /** how error messages name the pod */
  readonly where: string;
}

/** A workspace inside a container of a running pod. */
export class KubeWorkspace implements Workspace {
  readonly id: string;
  readonly pwd: string;
  private readonly parent: Workspace;
  private readonly target: Target;

  /** @internal use `kubeInside` or `connectKube` */
  constructor(parent: Workspace, target: Target, pwd: string) {
    this.parent = parent;
    this.target = target;
    const { pod, namespace, container } = target.options;
    this.id = `${namespace ? `${namespace}/` : ""}${pod}${container ? `/${container}` : ""}`;
    this.pwd = pwd;
  }

  forTask(io: TaskIo): KubeWorkspace {
    return new KubeWorkspace(this.parent.forTask(io), this.target, this.pwd);
  }

  async run(command: string, options: CommandOptions = {}): Promise<string> {
    const program = shellArgv(command, options.shell, this.target.shell);
    const env = envPairs(options.env, "kubectl exec");
    const argv = this.execArgv([...(env.length > 0 ? ["env", ...env] : []), ...program], this.resolve(options.cwd));
    try {
      return await runArgv(this.parent, argv, { capture: options.capture });
    } catch (error) {
      throw asUserCommandError(error, command, this.target.where);
    }
  }

  async runOutput(command: string, options: Omit<CommandOptions, "capture"> = {}): Promise<string> {
    return (await this.run(command, { ...options, capture: true })).trim();
  }

  /** writes a file in the pod's container, replacing it */
  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    const target = this.resolve(path);
    await this.exec(["mkdir", "-p", posix.dirname(target)]);
    await this.viaLocalFolder(async (local, folder) => {
      await folder.writeFile("file", content);
      await this.kubectlCp(`${local}/file`, this.remote(target));
    });
  }

  /** reads a file in the pod's container, as UTF-8 text */
  async readFile(path: string): Promise<string> {
    const source = this.resolve(path);
    return this.viaLocalFolder(async (local, folder) => {
      await this.kubectlCp(this.remote(source), `${local}/file`);
      return folder.readFile("file");
    });
  }

  /* removal is cleanup (temporary folders, secrets): it goes through the uncancellable parent so it still works after a cancellation */
  async rm(path?: string): Promise<void> {
    const target = this.resolve(path);
    if (target === "/") throw new UsageError(`rm: refusing to remove / in ${this.target.where}`);
    await this.exec(["rm", "-rf", target], this.target.control);
  }

  /** makes a folder in the pod's container, and the ones above it that are missing */
  async mkdir(path: string): Promise<void> {
    await this.exec(["mkdir", "-p", this.resolve(path)]);
  }

  async copyToAgent(from: string, to: string): Promise<void> {
    const target = this.resolve(to);
    await this.exec(["mkdir", "-p", posix.dirname(target)]);
    await this.viaLocalFolder(async (local, folder) => {
      await folder.copyToAgent(from, "copy");
      await this.kubectlCp(`${local}/copy`, this.remote(target));
    });
  }

  async copyFromAgent(from: string, to: string): Promise<void> {
    const source = this.resolve(from);
    await this.viaLocalFolder(async (local, folder) => {
      await this.kubectlCp(this.remote(source), `${local}/copy`);
      await folder.copyFromAgent("copy", to);
    });
  }

  withTempFolder<T>(fn: (workspace: Workspace) => T | Promise<T>): Promise<T> {
    return withTempSubfolder(this, (folder) => this.at(folder), fn);
  }

  async withChdir<T>(dir: string, fn: (workspace: Workspace) => T | Promise<T>): Promise<T> {
    return fn(this.at(this.resolve(dir)));
  }

  clone(): KubeWorkspace {
    return new KubeWorkspace(this.parent, this.target, this.pwd);
  }

  private at(pwd: string): KubeWorkspace {
    return new KubeWorkspace(this.parent, this.target, pwd);
  }

  private resolve(path: string | undefined): string {
    return path === undefined ? this.pwd : posix.resolve(this.pwd, path);
  }

  private execArgv(program: string[], cwd: string): string[] {
    return execArgv(this.target, [WRAPPER, "sh", cwd, ...program]);
  }

  /** runs a program (no shell) in the pod, from `/` */
  private async exec(program: string[], via: Workspace = this.parent): Promise<void> {
    try {
      await runArgv(via, this.execArgv(program, "/"));
    } catch (error) {
      throw asUserCommandError(error, commandLine(program), this.target.where);
    }
  }

  private remote(path: string): string {
    return `${this.target.options.pod}:${path}`;
  }

  private async kubectlCp(from: string, to: string): Promise<void> {
    const { cli, options } = this.target;
    await runArgv(this.parent, [cli, ...contextArgs(options), "cp", ...podArgs(options), from, to]);
  }

  /**
   * A temporary folder of the parent, named for kubectl by a path relative to
   * the parent's folder (where kubectl runs): kubectl cp reads any argument
   * with a `:` as POD:PATH, so an absolute path with a colon could not be
   * given to it.
   */
  private viaLocalFolder<T>(fn: (local: string, folder: Workspace) => Promise<T>): Promise<T> {
    return this.parent.withTempFolder((folder) => {
      const local = `./${posix.relative(this.parent.pwd, folder.pwd)}`;
      if (local.includes(":")) throw new UsageError(`kubectl cp cannot use the local folder ${local} (it has a ":")`);
      return fn(local, folder);
    });
  }
}

/**
 * A workspace in a container of an existing pod. Asks the container's working
 * folder once (unless `options.pwd` is given), which also checks that the
 * pod can be reached.
 */
export async function connectKube(parent: Workspace, options: KubeOptions): Promise<KubeWorkspace> {
  if (options.pod.trim() === "") throw new UsageError("kube: the pod name is empty");
  const target: Target = {
    options: { ...options },
    cli: options.cli ?? "kubectl",
    shell: options.shell ?? "sh",
    control: uncancellable(parent),
    where: `in pod ${describePod(options)}`,
  };
  let pwd = options.pwd;
  if (pwd === undefined) {
    try {
      pwd = (await runArgv(parent, execArgv(target, ["pwd"]), { capture: true })).trim();
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      throw new AdhesiveError(
        "ADHESIVE_KUBE_CONNECT",
        `could not reach pod ${describePod(options)}: kubectl exec ${cliFailure(error)}`,
        { cause: error },
      );
    }
    if (!pwd.startsWith("/")) throw new AdhesiveError("ADHESIVE_KUBE_CONNECT", `pod ${describePod(options)}: unexpected working folder ${JSON.stringify(pwd)}`);
  }
  return new KubeWorkspace(parent, target, posix.resolve("/", pwd));
}

/** Runs `fn` with a workspace in a container of an existing pod (see `connectKube`). */
export async function kubeInside<T>(parent: Workspace, options: KubeOptions, fn: (workspace: KubeWorkspace) => T | Promise<T>): Promise<T> {
  return fn(await connectKube(parent, options));
}

/* `kubectl [--context C] exec [-n NS] [-c C] POD -- sh -c SCRIPT ARGS...` */
function execArgv(target: Target, script: [string, ...string[]]): string[] {
  const { cli, options } = target;
  return [cli, ...contextArgs(options), "exec", ...podArgs(options), options.pod, "--", "sh", "-c", ...script];
}

function contextArgs(options: KubeOptions): string[] {
  return options.context === undefined ? [] : ["--context", options.context];
}

function podArgs(options: KubeOptions): string[] {
  return [...(options.namespace === undefined ? [] : ["-n", options.namespace]), ...(options.container === undefined ? [] : ["-c", options.container])];
}

function describePod(options: KubeOptions): string {
  const parts = [options.namespace && `namespace ${options.namespace}`, options.container && `container ${options.container}`, options.context && `context ${options.context}`];
  const details = parts.filter(Boolean).join(", ");
  return `"${options.pod}"${details ? ` (${details})` : ""}`;
}
