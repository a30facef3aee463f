/**
 * The docker workspace: commands run in a container started from an image,
 * with the parent workspace's folder mounted at the same path, so files the
 * parent wrote are where the container's commands expect them and the other
 * way round.
 *
 * Everything goes through the docker CLI, run by the PARENT workspace's
 * `run`: the task's cancellation, its log and the parent's location apply (a
 * docker workspace over an ssh workspace talks to the docker engine of the
 * ssh host).
 *
 * Cancellation kills the `docker exec` client. The docker CLI does not pass
 * that on to the process inside the container (without `-t` it forwards no
 * signals), so such a process keeps running until the container is removed,
 * which `dockerInside` always does when its block ends.
 */
import { stat } from "node:fs/promises";
import { posix } from "node:path";
import { AdhesiveError, UsageError, describe } from "../errors.js";
import {
  asUserCommandError,
  cliFailure,
  commandLine,
  envPairs,
  randomSuffix,
  withTempSubfolder,
  runArgv,
  shellArgv,
  uncancellable,
} from "./cli-exec.js";
import { CommandError } from "./command-error.js";
import type { CommandOptions, TaskIo, Workspace } from "./workspace.js";

/** How docker.inside(), docker.start() and docker.lane() start the container. */
export interface DockerOptions {
  /** extra `docker run` arguments, e.g. `["--network", "host"]`; placed before the image */
  args?: string[];
  /**
   * `docker run -u`: by default the parent's `id -u`:`id -g`, so files the
   * container writes into the mounted folder belong to the parent's user (and
   * the run folder can be removed afterwards); `false` keeps the image's user.
   */
  user?: string | false;
  /** environment variables of the container (`docker run -e`) */
  env?: Record<string, string>;
  /** the shell commands run in (default `sh`); `run(cmd, { shell: "bash" })` overrides it per command */
  shell?: string;
  /** the container's name (default `adhesive-<random>`) */
  name?: string;
  /** the docker CLI (default `docker`; `podman` takes the same arguments) */
  cli?: string;
}

interface Container {
  readonly cli: string;
  readonly name: string;
  readonly image: string;
  /** the parent's folder, mounted at the same path */
  readonly mount: string;
  readonly shell: string;
  /** the parent, not tied to any task's signal: stopping and removing still works after a cancellation */
  readonly control: Workspace;
  stopped: boolean;
}

/**
 * A workspace inside a running container. Paths inside the mounted folder are
 * read and written through the parent (the mount); other paths in the
 * container go through `docker cp`/`docker exec`.
 */
export class DockerWorkspace implements Workspace {
  readonly id: string;
  readonly pwd: string;
  private readonly parent: Workspace;
  private readonly container: Container;

  /** @internal use `dockerInside` or `startDocker` */
  constructor(parent: Workspace, container: Container, pwd: string) {
    this.parent = parent;
    this.container = container;
    this.id = container.name;
    this.pwd = pwd;
  }

  /** the image the container was started from */
  get image(): string {
    return this.container.image;
  }

  forTask(io: TaskIo): DockerWorkspace {
    return new DockerWorkspace(this.parent.forTask(io), this.container, this.pwd);
  }

  async run(command: string, options: CommandOptions = {}): Promise<string> {
    const cwd = this.resolve(options.cwd);
    const argv = this.execArgv(shellArgv(command, options.shell, this.container.shell), cwd, options.env);
    try {
      return await runArgv(this.parent, argv, { capture: options.capture });
    } catch (error) {
      throw asUserCommandError(error, command, `in docker container ${this.container.name} (image ${this.container.image})`);
    }
  }

  async runOutput(command: string, options: Omit<CommandOptions, "capture"> = {}): Promise<string> {
    return (await this.run(command, { ...options, capture: true })).trim();
  }

  /** writes a file in the container (through its mount when the path is under it), replacing it */
  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    const target = this.resolve(path);
    if (this.mounted(target)) return this.parent.writeFile(target, content);
    await this.exec(["mkdir", "-p", posix.dirname(target)]);
    await this.parent.withTempFolder(async (temp) => {
      await temp.writeFile("file", content);
      await this.docker(["cp", posix.join(temp.pwd, "file"), `${this.container.name}:${target}`]);
    });
  }

  /** reads a file in the container (through its mount when the path is under it), as UTF-8 text */
  async readFile(path: string): Promise<string> {
    const source = this.resolve(path);
    if (this.mounted(source)) return this.parent.readFile(source);
    return this.parent.withTempFolder(async (temp) => {
      await this.docker(["cp", `${this.container.name}:${source}`, posix.join(temp.pwd, "file")]);
      return temp.readFile("file");
    });
  }

  /* removal is cleanup (temporary folders, secrets): it goes through the uncancellable parent so it still works after a cancellation */
  async rm(path?: string): Promise<void> {
    const target = this.resolve(path);
    if (this.mounted(target)) return this.parent.rm(target);
    if (target === "/") throw new UsageError(`rm: refusing to remove / in docker container ${this.container.name}`);
    await this.exec(["rm", "-rf", target], this.container.control);
  }

  /** makes a folder in the container (through its mount when the path is under it), and the ones above it that are missing */
  async mkdir(path: string): Promise<void> {
    const target = this.resolve(path);
    if (this.mounted(target)) return this.parent.mkdir(target);
    await this.exec(["mkdir", "-p", target]);
  }

  async copyToAgent(from: string, to: string): Promise<void> {
    const target = this.resolve(to);
    if (this.mounted(target)) return this.parent.copyToAgent(from, target);
    const folder = (await stat(from)).isDirectory();
    await this.exec(["mkdir", "-p", folder ? target : posix.dirname(target)]);
    await this.parent.withTempFolder(async (temp) => {
      await temp.copyToAgent(from, "copy");
      const source = posix.join(temp.pwd, "copy");
      // `dir/.` copies the folder's content into the (existing) target, like `cp -r from to` onto a new path
      await this.docker(["cp", folder ? `${source}/.` : source, `${this.container.name}:${target}`]);
    });
  }

  async copyFromAgent(from: string, to: string): Promise<void> {
    const source = this.resolve(from);
    if (this.mounted(source)) return this.parent.copyFromAgent(source, to);
    await this.parent.withTempFolder(async (temp) => {
      await this.docker(["cp", `${this.container.name}:${source}`, posix.join(temp.pwd, "copy")]);
      await temp.copyFromAgent("copy", to);
    });
  }

  withTempFolder<T>(fn: (workspace: Workspace) => T | Promise<T>): Promise<T> {
    return withTempSubfolder(this, (folder) => this.at(folder), fn);
  }

  async withChdir<T>(dir: string, fn: (workspace: Workspace) => T | Promise<T>): Promise<T> {
    return fn(this.at(this.resolve(dir)));
  }

  clone(): DockerWorkspace {
    return new DockerWorkspace(this.parent, this.container, this.pwd);
  }

  /**
   * Removes the container (`docker rm -f`: kills what still runs in it).
   * Done once for the container, whichever view calls it; not tied to the
   * task's signal.
   */
  async stop(): Promise<void> {
    const { cli, name, image, control } = this.container;
    if (this.container.stopped) return;
    this.container.stopped = true;
    try {
      await runArgv(control, [cli, "rm", "-f", name]);
    } catch (error) {
      throw new AdhesiveError(
        "ADHESIVE_DOCKER_STOP",
        `could not remove docker container ${name} (image ${image}): ${error instanceof CommandError ? cliFailure(error) : describe(error)}`,
        { cause: error },
      );
    }
  }

  private at(pwd: string): DockerWorkspace {
    return new DockerWorkspace(this.parent, this.container, pwd);
  }

  private resolve(path: string | undefined): string {
    return path === undefined ? this.pwd : posix.resolve(this.pwd, path);
  }

  private mounted(path: string): boolean {
    const mount = this.container.mount;
    return path === mount || path.startsWith(mount.endsWith("/") ? mount : `${mount}/`);
  }

  private execArgv(command: string[], cwd: string, env?: Record<string, string>): string[] {
    const { cli, name } = this.container;
    const envArgs = envPairs(env, "docker exec").flatMap((pair) => ["-e", pair]);
    return [cli, "exec", ...envArgs, "-w", cwd, name, ...command];
  }

  /** runs a program (no shell) in the container, from `/` */
  private async exec(command: string[], via: Workspace = this.parent): Promise<void> {
    const argv = this.execArgv(command, "/");
    try {
      await runArgv(via, argv);
    } catch (error) {
      throw asUserCommandError(error, commandLine(command), `in docker container ${this.container.name} (image ${this.container.image})`);
    }
  }

  private async docker(args: string[]): Promise<void> {
    await runArgv(this.parent, [this.container.cli, ...args]);
  }
}

/**
 * Starts a container from `image` with `parent.pwd` mounted at the same path
 * and the same working folder, kept alive by `cat` on a terminal (`-t`, as
 * Jenkins does: every image has `cat`, not every `sleep` knows `infinity`).
 * The caller must `stop()` it; `dockerInside` does that for you.
 */
export async function startDocker(parent: Workspace, image: string, options: DockerOptions = {}): Promise<DockerWorkspace> {
  if (image.trim() === "") throw new UsageError("docker: the image is empty");
  const cli = options.cli ?? "docker";
  const name = options.name ?? `adhesive-${randomSuffix()}`;
  const control = uncancellable(parent);
  const envArgs = envPairs(options.env, "docker run").flatMap((pair) => ["-e", pair]);
  const user = options.user === false ? undefined : (options.user ?? (await parentUser(parent)));
  const argv = [
    cli,
    "run",
    "-d",
    "-t",
    "--rm",
    "--name",
    name,
    ...(user === undefined ? [] : ["-u", user]),
    "--mount",
    bindMount(parent.pwd),
    "-w",
    parent.pwd,
    ...envArgs,
    ...(options.args ?? []),
    "--entrypoint",
    "cat",
    image,
  ];
  try {
    await runArgv(parent, argv);
  } catch (error) {
    // a failed or cancelled `docker run` may still have created the container; removing a missing one is fine
    await control.run(`${commandLine([cli, "rm", "-f", name])} >/dev/null 2>&1 || true`).catch(() => undefined);
    if (!(error instanceof CommandError)) throw error;
    throw new AdhesiveError(
      "ADHESIVE_DOCKER_START",
      `could not start a docker container from image "${image}": docker run ${cliFailure(error)}`,
      { cause: error },
    );
  }
  const container: Container = { cli, name, image, mount: parent.pwd, shell: options.shell ?? "sh", control, stopped: false };
  return new DockerWorkspace(parent, container, parent.pwd);
}

/**
 * Runs `fn` with a workspace inside a fresh container of `image` (see
 * `startDocker`) and always removes the container afterwards: when `fn`
 * returns, throws, or its task is cancelled.
 */
export async function dockerInside<T>(
  parent: Workspace,
  image: string,
  fn: (workspace: DockerWorkspace) => T | Promise<T>,
  options: DockerOptions = {},
): Promise<T> {
  const workspace = await startDocker(parent, image, options);
  let result: T;
  try {
    result = await fn(workspace);
  } catch (error) {
    await stopAfterFailure(workspace, error);
    throw error;
  }
  await workspace.stop();
  return result;
}

/**
 * For a lane: `lane("build", (ctx) => dockerLane(ctx.workspace, "node:20"))`
 * yields the container's workspace and removes the container when the lane
 * is torn down.
 */
export async function* dockerLane(parent: Workspace, image: string, options: DockerOptions = {}): AsyncGenerator<Workspace, void, unknown> {
  const workspace = await startDocker(parent, image, options);
  try {
    yield workspace;
  } finally {
    await workspace.stop();
  }
}

/* `fn` failed: its error is what the caller sees, unless the container could not be removed either, which must not go unnoticed */
async function stopAfterFailure(workspace: DockerWorkspace, failure: unknown): Promise<void> {
  try {
    await workspace.stop();
  } catch (stopError) {
    throw new AdhesiveError("ADHESIVE_DOCKER_STOP", `${describe(stopError)}\n(after the block failed: ${describe(failure)})`, {
      cause: failure,
    });
  }
}

async function parentUser(parent: Workspace): Promise<string> {
  const [uid, gid] = (await parent.runOutput("id -u && id -g")).split(/\s+/);
  return `${uid}:${gid}`;
}

/**
 * `--mount type=bind,source=P,target=P`. Unlike `-v P:P`, this works for
 * paths with `:`; the value is read as one CSV record, so a field with a
 * comma, a quote or a line break is put in double quotes (quotes doubled).
 */
export function bindMount(path: string): string {
  const field = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return ["type=bind", field(`source=${path}`), field(`target=${path}`)].join(",");
}
