import { randomBytes } from "node:crypto";
import { lstat, mkdir } from "node:fs/promises";
import { dirname as localDirname, resolve as localResolve } from "node:path";
import { posix } from "node:path";
import type { SFTPWrapper } from "ssh2";
import { AdhesiveError, UsageError, describe } from "../../errors.js";
import { CommandError } from "../command-error.js";
import { commandOutput } from "../command-output.js";
import { commandWords } from "../command-words.js";
import type { CommandOptions, TaskIo, Workspace } from "../workspace.js";
import { type SshConnection, WRAPPER, sh } from "./connection.js";
import { SshError } from "./errors.js";
import { type RemoteStats, call, download, mkdirp, upload } from "./sftp.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A workspace on another machine, reached over one ssh connection (the
 * `ssh2` library, not the ssh binary). Commands run in a POSIX shell
 * through the remote login shell, which must itself be POSIX-like (sh,
 * bash, dash, ksh, zsh); files move over SFTP.
 */
export class SshWorkspace implements Workspace {
  readonly id: string;
  readonly pwd: string;
  /** the host it runs on */
  readonly host: string;
  /** the host's ssh port */
  readonly port: number;
  /** the user it runs as */
  readonly username: string;
  private readonly connection: SshConnection;
  private readonly io: Partial<TaskIo>;

  /** @internal use connectSsh() */
  constructor(
    connection: SshConnection,
    where: { id: string; pwd: string; host: string; port: number; username: string },
    io: Partial<TaskIo> = {},
  ) {
    this.connection = connection;
    this.id = where.id;
    this.pwd = where.pwd;
    this.host = where.host;
    this.port = where.port;
    this.username = where.username;
    this.io = io;
  }

  forTask(io: TaskIo): SshWorkspace {
    return new SshWorkspace(this.connection, this, { signal: io.signal, output: io.output ?? this.io.output });
  }

  clone(): SshWorkspace {
    return new SshWorkspace(this.connection, this, this.io);
  }

  async run(command: string, options: CommandOptions = {}): Promise<string> {
    const signal = this.io.signal;
    signal?.throwIfAborted();
    const remote = this.remoteCommand(command, options);
    const stdout: Buffer[] = [];
    const output = commandOutput(this.io.output);
    let result: { code: number | undefined; signal: string | undefined };
    try {
      result = await this.connection.exec(remote, {
        signal,
        onStdout: (chunk) => {
          if (options.capture) stdout.push(chunk);
          output.out.write(chunk);
        },
        onStderr: (chunk) => output.err.write(chunk),
      });
    } catch (error) {
      output.end();
      signal?.throwIfAborted();
      if (error instanceof SshError) throw error;
      throw new CommandError(command, undefined, undefined, output.tail(), `could not start over ssh on ${this.connection.label}: ${describe(error)}`);
    }
    output.end();
    signal?.throwIfAborted();
    if (result.code !== 0) {
      const reason =
        result.code === undefined && result.signal === undefined
          ? `stopped without an exit status: the ssh connection to ${this.connection.label} closed`
          : undefined;
      throw new CommandError(command, result.code, result.signal, output.tail(), reason);
    }
    return options.capture ? Buffer.concat(stdout).toString("utf8") : "";
  }

  async runOutput(command: string, options: Omit<CommandOptions, "capture"> = {}): Promise<string> {
    return (await this.run(command, { ...options, capture: true })).trim();
  }

  /** writes a file on the host, over SFTP, replacing it */
  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    const target = this.path(path);
    await this.files("writeFile", target, async (sftp) => {
      await mkdirp(sftp, posix.dirname(target));
      await call<void>((cb) => sftp.writeFile(target, typeof content === "string" ? content : Buffer.from(content), cb));
    });
  }

  /** reads a file on the host, over SFTP, as UTF-8 text */
  readFile(path: string): Promise<string> {
    const target = this.path(path);
    return this.files("readFile", target, async (sftp) => {
      const data = await call<Buffer | string>((cb) => sftp.readFile(target, cb));
      return typeof data === "string" ? data : data.toString("utf8");
    });
  }

  async rm(path?: string): Promise<void> {
    // one `rm -rf` instead of an SFTP request per file: a workspace can hold many thousands of them
    await this.remove(path === undefined ? this.pwd : this.path(path));
  }

  /** makes a folder on the host, over SFTP, and the ones above it that are missing */
  async mkdir(path: string): Promise<void> {
    const target = this.path(path);
    await this.files("mkdir", target, (sftp) => mkdirp(sftp, target));
  }

  async copyToAgent(from: string, to: string): Promise<void> {
    const source = localResolve(from);
    const target = this.path(to);
    await this.files("copyToAgent", target, async (sftp) => {
      await mkdirp(sftp, posix.dirname(target));
      await upload(sftp, source, target, await lstat(source));
    });
  }

  async copyFromAgent(from: string, to: string): Promise<void> {
    const source = this.path(from);
    const target = localResolve(to);
    await this.files("copyFromAgent", source, async (sftp) => {
      const stats = await call<RemoteStats>((cb) => sftp.lstat(source, cb));
      await mkdir(localDirname(target), { recursive: true });
      await download(sftp, source, target, stats);
    });
  }

  async withTempFolder<T>(fn: (workspace: Workspace) => T | Promise<T>): Promise<T> {
    const folder = posix.join(this.pwd, `.tmp-${randomBytes(6).toString("hex")}`);
    await this.files("withTempFolder", folder, (sftp) => call<void>((cb) => sftp.mkdir(folder, { mode: 0o700 }, cb)));
    try {
      return await fn(this.at(folder));
    } finally {
      await this.remove(folder);
    }
  }

  async withChdir<T>(dir: string, fn: (workspace: Workspace) => T | Promise<T>): Promise<T> {
    return fn(this.at(this.path(dir)));
  }

  /**
   * Closes the connection, which every view of this workspace shares, after
   * removing the remote folder it created (unless `keep`). Idempotent.
   */
  close(): Promise<void> {
    return this.connection.close();
  }

  private at(pwd: string): SshWorkspace {
    return new SshWorkspace(this.connection, { id: this.id, pwd, host: this.host, port: this.port, username: this.username }, this.io);
  }

  private path(path: string): string {
    return posix.isAbsolute(path) ? posix.normalize(path) : posix.join(this.pwd, path);
  }

  private remoteCommand(command: string, options: CommandOptions): string {
    const env = Object.entries(options.env ?? {}).map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new UsageError(`invalid environment variable name ${JSON.stringify(name)}`);
      return `${name}=${value}`;
    });
    const shell = options.shell ?? true;
    const program = shell === false ? commandWords(command) : [shell === true ? "/bin/sh" : shell, "-c", command];
    const cwd = options.cwd === undefined ? this.pwd : this.path(options.cwd);
    return `exec /bin/sh -c ${sh(WRAPPER)} adhesive-ssh ${sh(cwd, ...env, ...program)}`;
  }

  private async remove(path: string): Promise<void> {
    const result = await this.connection.exec(`rm -rf -- ${sh(path)}`, {});
    if (result.code !== 0) {
      throw new SshError("ADHESIVE_SSH_FILE", `rm ${path} on ${this.connection.label} failed (exit ${result.code ?? result.signal})`);
    }
  }

  private async files<T>(operation: string, path: string, fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const sftp = await this.connection.sftp();
    try {
      return await fn(sftp);
    } catch (error) {
      if (error instanceof AdhesiveError) throw error;
      throw new SshError("ADHESIVE_SSH_FILE", `${operation} ${path} on ${this.connection.label}: ${describe(error)}`, error);
    }
  }
}
