import { createHash, randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readFile, readdir, readlink, rm, symlink } from "node:fs/promises";
import type { Stats } from "node:fs";
import { dirname as localDirname, join as localJoin, resolve as localResolve } from "node:path";
import { posix } from "node:path";
import { quote } from "shell-quote";
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from "ssh2";
import { AdhesiveError, UsageError, describe } from "../errors.js";
import { CommandError } from "./command-error.js";
import { commandStream } from "./command-output.js";
import type { CommandOptions, TaskIo, Workspace } from "./workspace.js";

/** How to reach the ssh server and where the workspace lives on it. */
export interface SshOptions {
  host: string;
  /** default 22 */
  port?: number;
  username: string;
  /** path of a private key file (OpenSSH, PEM or PPK format) on this machine */
  keyFile?: string;
  /** the private key itself */
  privateKey?: string | Buffer;
  /** decrypts an encrypted private key */
  passphrase?: string;
  password?: string;
  /**
   * The remote folder commands run in, absolute or relative to the remote
   * home; created if missing and left in place on close. Default: a fresh
   * folder under the remote temp folder (`$TMPDIR` or /tmp) named after the
   * parent workspace's id, removed on close unless `keep` is set.
   */
  pwd?: string;
  /** keep the default remote folder on close (its path is the workspace's `pwd`) */
  keep?: boolean;
  /** how long the TCP connection plus ssh handshake may take; default 20000 */
  readyTimeoutMs?: number;
  /**
   * The server's host key fingerprint as `ssh-keygen -l` prints it
   * (`SHA256:...`). When set, a server with another key is refused; when not
   * set, any host key is accepted (like `StrictHostKeyChecking=no`).
   */
  hostKeySha256?: string;
  /**
   * At most this many commands run at once over the connection; more wait
   * for a free slot. OpenSSH allows 10 sessions per connection by default
   * (`MaxSessions`); the workspace keeps one for SFTP and one for removing
   * its folder on close. Default 8.
   */
  maxChannels?: number;
}

/** Connecting (TCP, handshake, host key or authentication) failed. */
export class SshConnectError extends AdhesiveError {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly reason: string;

  constructor(host: string, port: number, username: string, reason: string, cause?: unknown) {
    super("ADHESIVE_SSH_CONNECT", `cannot connect over ssh to ${username}@${host}:${port}: ${reason}`, { cause });
    this.host = host;
    this.port = port;
    this.username = username;
    this.reason = reason;
  }
}

/** A file operation over SFTP failed (`ADHESIVE_SSH_FILE`), or the connection is gone (`ADHESIVE_SSH_CLOSED`). */
export class SshError extends AdhesiveError {
  constructor(code: "ADHESIVE_SSH_FILE" | "ADHESIVE_SSH_CLOSED", message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

const DEFAULT_PORT = 22;
const DEFAULT_READY_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_CHANNELS = 8;
const KEEPALIVE_INTERVAL_MS = 15_000;
/* Matches the local workspace: a cancelled command gets SIGTERM, then SIGKILL this long after. */
const KILL_GRACE_SECONDS = 2;
/* After cancelling, how long to wait for the remote side to close the channel before closing it ourselves. */
const CANCEL_CLOSE_MS = (KILL_GRACE_SECONDS + 1) * 1000;
/* How much combined output a command keeps for its CommandError (the error shows the last lines of it). */
const OUTPUT_TAIL_CHARS = 64 * 1024;
/* Parallel SFTP transfers when copying a folder. */
const COPY_CONCURRENCY = 8;
/* SSH_FX_NO_SUCH_FILE */
const SFTP_NO_SUCH_FILE = 2;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The script every command runs under (with /bin/sh, whatever the login
 * shell): `$1` is the folder, the rest is `NAME=value`... and the command
 * line for `env`. sshd starts each command in its own session and process
 * group (setsid), and does not kill it when the channel closes. So a
 * watcher in the background waits for end-of-file on the channel's stdin:
 * the client sends it when the task is cancelled (and the channel closes
 * when the connection drops), and the watcher then sends SIGTERM, and
 * SIGKILL after a grace period, to the whole process group. When the
 * command ends by itself the watcher is killed first, so background
 * processes it deliberately left running are not touched. This does not
 * depend on the ssh `signal` request, which OpenSSH refuses for root
 * logins ("session signalling requires privilege separation"); the client
 * sends that too.
 */
const WRAPPER = [
  'cd -- "$1" || exit 1',
  "shift",
  "exec 3<&0",
  `{ trap '' TERM; cat >/dev/null; kill -s TERM 0; sleep ${KILL_GRACE_SECONDS}; kill -s KILL 0; } 0<&3 >/dev/null 2>&1 &`,
  "watcher=$!",
  'env -- "$@" 0</dev/null 3<&-',
  "status=$?",
  'kill -s KILL "$watcher" 2>/dev/null',
  'exit "$status"',
].join("\n");

/**
 * Quotes words for the remote POSIX shell with `shell-quote`, whose output
 * (single quotes, or double quotes with `$`, `` ` ``, `"` and `\` escaped,
 * or backslashes) is read the same way by sh, dash, bash, ksh and zsh.
 */
function sh(...words: string[]): string {
  return quote(words);
}

/** The ssh connection shared by a workspace and every view of it (forTask, withChdir, clone...). */
class SshConnection {
  readonly label: string;
  private readonly client: Client;
  private readonly slots: Slots;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private lost: string | undefined;
  private closing: Promise<void> | undefined;
  /** the folder created on connect, removed on close */
  removeOnClose: string | undefined;

  constructor(client: Client, label: string, maxChannels: number) {
    this.client = client;
    this.label = label;
    this.slots = new Slots(maxChannels);
    client.on("error", (error) => (this.lost ??= error.message));
    client.on("close", () => (this.lost ??= "the connection closed"));
  }

  /**
   * Runs `remote` (a command line for the remote login shell) in a new
   * channel. Output goes to `onStdout`/`onStderr`; `signal` cancels it.
   */
  async exec(
    remote: string,
    handlers: { onStdout?: (chunk: Buffer) => void; onStderr?: (chunk: Buffer) => void; signal?: AbortSignal },
  ): Promise<{ code: number | undefined; signal: string | undefined }> {
    this.assertOpen();
    const release = await this.slots.take(handlers.signal);
    try {
      this.assertOpen();
      return await this.execNow(remote, handlers);
    } finally {
      release();
    }
  }

  private async execNow(remote: string, handlers: Parameters<typeof watch>[1]): Promise<{ code: number | undefined; signal: string | undefined }> {
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      this.client.exec(remote, (error, stream) => (error ? reject(error) : resolve(stream)));
    });
    return watch(channel, handlers);
  }

  sftp(): Promise<SFTPWrapper> {
    this.assertOpen();
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((error, sftp) => {
        if (error) return reject(error);
        sftp.on("close", () => (this.sftpSession = undefined));
        resolve(sftp);
      });
    }).catch((error: unknown) => {
      this.sftpSession = undefined;
      throw new SshError("ADHESIVE_SSH_FILE", `cannot open SFTP on ${this.label}: ${message(error)}`, error);
    });
    return this.sftpSession;
  }

  /**
   * Removes the folder created on connect (unless it was kept), then closes
   * the connection. Idempotent; a failed removal is reported after closing.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      let failure: unknown;
      const folder = this.removeOnClose;
      if (folder !== undefined && this.lost === undefined) {
        try {
          // outside the channel limit, which leaves room for this one (see maxChannels), so that
          // closing does not wait for commands still running
          const result = await this.execNow(`rm -rf -- ${sh(folder)}`, {});
          if (result.code !== 0) throw new Error(`rm -rf exited with ${result.code ?? result.signal}`);
        } catch (error) {
          failure = new SshError("ADHESIVE_SSH_FILE", `could not remove the workspace folder ${folder} on ${this.label}: ${message(error)}`, error);
        }
      }
      const closed = new Promise<void>((resolve) => {
        if (this.lost !== undefined) resolve();
        else this.client.once("close", () => resolve());
      });
      this.client.end();
      const timer = setTimeout(() => this.client.destroy(), 2000);
      await closed;
      clearTimeout(timer);
      if (failure !== undefined) throw failure;
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new SshError("ADHESIVE_SSH_CLOSED", `the ssh workspace on ${this.label} is closed`);
    if (this.lost !== undefined) throw new SshError("ADHESIVE_SSH_CLOSED", `the ssh connection to ${this.label} is lost: ${this.lost}`);
  }
}

/** Follows a command's channel until it closes; on `signal`, stops the remote command. */
function watch(
  channel: ClientChannel,
  handlers: { onStdout?: (chunk: Buffer) => void; onStderr?: (chunk: Buffer) => void; signal?: AbortSignal },
): Promise<{ code: number | undefined; signal: string | undefined }> {
  return new Promise((resolve) => {
    let code: number | undefined;
    let exitSignal: string | undefined;
    let forceClose: NodeJS.Timeout | undefined;
    channel.on("data", (chunk: Buffer) => handlers.onStdout?.(chunk));
    channel.stderr.on("data", (chunk: Buffer) => handlers.onStderr?.(chunk));
    channel.on("exit", (exitCode: number | null, signalName?: string) => {
      if (typeof exitCode === "number") code = exitCode;
      else exitSignal = signalName;
    });
    const cancel = (): void => {
      // the ssh "signal" request (killpg on the remote session; OpenSSH ignores it for root logins)...
      try {
        channel.signal("TERM");
      } catch {
        // the channel is already closing
      }
      // ...and end-of-file on stdin, which makes the wrapper's watcher kill the process group
      channel.end();
      forceClose = setTimeout(() => channel.close(), CANCEL_CLOSE_MS);
    };
    const signal = handlers.signal;
    if (signal?.aborted) cancel();
    else signal?.addEventListener("abort", cancel, { once: true });
    channel.on("close", () => {
      signal?.removeEventListener("abort", cancel);
      if (forceClose) clearTimeout(forceClose);
      resolve({ code, signal: exitSignal });
    });
  });
}

/**
 * A workspace on another machine, reached over one ssh connection (the
 * `ssh2` library, not the ssh binary). Commands run in a POSIX shell
 * through the remote login shell, which must itself be POSIX-like (sh,
 * bash, dash, ksh, zsh); files move over SFTP.
 */
export class SshWorkspace implements Workspace {
  readonly id: string;
  readonly pwd: string;
  readonly host: string;
  readonly port: number;
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
    const remote = await this.remoteCommand(command, options);
    const stdout: Buffer[] = [];
    let tail = "";
    const keep = (text: string): void => void (tail = (tail + text).slice(-OUTPUT_TAIL_CHARS));
    const out = commandStream(this.io.output, keep);
    const err = commandStream(this.io.output, keep);
    const flush = (): void => (out.end(), err.end());
    let result: { code: number | undefined; signal: string | undefined };
    try {
      result = await this.connection.exec(remote, {
        signal,
        onStdout: (chunk) => {
          if (options.capture) stdout.push(chunk);
          out.write(chunk);
        },
        onStderr: (chunk) => err.write(chunk),
      });
    } catch (error) {
      flush();
      signal?.throwIfAborted();
      if (error instanceof SshError) throw error;
      throw new CommandError(command, undefined, undefined, tail, `could not start over ssh on ${this.connection.label}: ${message(error)}`);
    }
    flush();
    signal?.throwIfAborted();
    if (result.code !== 0) {
      const reason =
        result.code === undefined && result.signal === undefined
          ? `stopped without an exit status: the ssh connection to ${this.connection.label} closed`
          : undefined;
      throw new CommandError(command, result.code, result.signal, tail, reason);
    }
    return options.capture ? Buffer.concat(stdout).toString("utf8") : "";
  }

  async runOutput(command: string, options: Omit<CommandOptions, "capture"> = {}): Promise<string> {
    return (await this.run(command, { ...options, capture: true })).trim();
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    const target = this.path(path);
    await this.files("writeFile", target, async (sftp) => {
      await mkdirp(sftp, posix.dirname(target));
      await call<void>((cb) => sftp.writeFile(target, typeof content === "string" ? content : Buffer.from(content), cb));
    });
  }

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

  private async remoteCommand(command: string, options: CommandOptions): Promise<string> {
    const env = Object.entries(options.env ?? {}).map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new UsageError(`invalid environment variable name ${JSON.stringify(name)}`);
      return `${name}=${value}`;
    });
    const shell = options.shell ?? true;
    const program =
      shell === false ? (await import("execa")).parseCommandString(command) : [shell === true ? "/bin/sh" : shell, "-c", command];
    if (program.length === 0) throw new UsageError("cannot run an empty command");
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
      throw new SshError("ADHESIVE_SSH_FILE", `${operation} ${path} on ${this.connection.label}: ${message(error)}`, error);
    }
  }
}

/**
 * Opens the ssh connection of a workspace on `options.host`, and its
 * folder there. Close it with `close()`, or use `sshInside`.
 */
export async function connectSsh(parent: Workspace, options: SshOptions): Promise<SshWorkspace> {
  const host = options.host;
  const port = options.port ?? DEFAULT_PORT;
  const username = options.username;
  const fail = (reason: string, cause?: unknown): SshConnectError => new SshConnectError(host, port, username, reason, cause);
  if (!host || !username) throw new UsageError("ssh: `host` and `username` are required");
  if (options.keyFile === undefined && options.privateKey === undefined && options.password === undefined) {
    throw new UsageError(`ssh to ${username}@${host}:${port}: give one of keyFile, privateKey or password`);
  }

  let privateKey = options.privateKey;
  if (privateKey === undefined && options.keyFile !== undefined) {
    try {
      privateKey = await readFile(options.keyFile);
    } catch (error) {
      throw fail(`cannot read the key file ${options.keyFile}: ${message(error)}`, error);
    }
  }
  const readyTimeout = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  let offeredHostKey: string | undefined;
  const expectedHostKey = options.hostKeySha256?.replace(/^SHA256:/, "").replace(/=+$/, "");
  const config: ConnectConfig = {
    host,
    port,
    username,
    privateKey,
    passphrase: options.passphrase,
    password: options.password,
    readyTimeout,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    hostVerifier: (key: Buffer): boolean => {
      offeredHostKey = createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
      return expectedHostKey === undefined || offeredHostKey === expectedHostKey;
    },
  };

  // ssh2 is loaded by the first connection, not when adhesive is imported
  const { Client } = await import("ssh2");
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error & { level?: string; code?: string }): void => {
      cleanup();
      client.destroy();
      reject(fail(connectReason(error, readyTimeout, config, offeredHostKey, expectedHostKey), error));
    };
    const onClose = (): void => {
      cleanup();
      reject(fail("the server closed the connection during the handshake"));
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      client.off("error", onError);
      client.off("close", onClose);
      client.off("ready", onReady);
    };
    client.on("error", onError);
    client.on("close", onClose);
    client.on("ready", onReady);
    try {
      client.connect(config);
    } catch (error) {
      // ssh2 throws right away on a key it cannot parse (or an encrypted one without passphrase)
      cleanup();
      reject(fail(message(error), error));
    }
  });

  // commands are many small request/response exchanges: Nagle's algorithm would delay each of them
  client.setNoDelay(true);
  const label = `${username}@${host}:${port}`;
  const connection = new SshConnection(client, label, Math.max(1, options.maxChannels ?? DEFAULT_MAX_CHANNELS));
  try {
    const pwd = await preparePwd(connection, parent.id, options.pwd);
    if (options.pwd === undefined && !options.keep) connection.removeOnClose = pwd;
    return new SshWorkspace(connection, { id: parent.id, pwd, host, port, username });
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Connects, calls `fn` with the workspace, and always closes it. When `fn`
 * fails and closing fails too, the error names both.
 */
export async function sshInside<T>(
  parent: Workspace,
  options: SshOptions,
  fn: (workspace: SshWorkspace) => T | Promise<T>,
): Promise<T> {
  const workspace = await connectSsh(parent, options);
  let result: T;
  try {
    result = await fn(workspace);
  } catch (failure) {
    try {
      await workspace.close();
    } catch (closeError) {
      throw new AdhesiveError("ADHESIVE_SSH_CLOSE", `${describe(closeError)}\n(after the block failed: ${describe(failure)})`, {
        cause: failure,
      });
    }
    throw failure;
  }
  await workspace.close();
  return result;
}

/**
 * For a lane: `lane("server", (ctx) => sshLane(ctx.workspace, { host, username, keyFile }))`
 * yields the ssh workspace and closes the connection when the lane is torn down.
 */
export async function* sshLane(parent: Workspace, options: SshOptions): AsyncGenerator<Workspace, void, unknown> {
  const workspace = await connectSsh(parent, options);
  try {
    yield workspace;
  } finally {
    await workspace.close();
  }
}

/** Creates (or finds) the remote folder and returns its absolute path. */
async function preparePwd(connection: SshConnection, parentId: string, pwd: string | undefined): Promise<string> {
  const name = `adhesive-${parentId.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 80) || "run"}-XXXXXXXX`;
  const script =
    pwd === undefined
      ? `base=\${TMPDIR:-/tmp}; mktemp -d "\${base%/}/"${sh(name)}`
      : `mkdir -p -- ${sh(pwd)} && cd -- ${sh(pwd)} && pwd`;
  let stdout = "";
  let stderr = "";
  const result = await connection.exec(script, {
    onStdout: (chunk) => (stdout += chunk.toString()),
    onStderr: (chunk) => (stderr += chunk.toString()),
  });
  const folder = stdout.trim();
  if (result.code !== 0 || !posix.isAbsolute(folder)) {
    throw new SshError(
      "ADHESIVE_SSH_FILE",
      `cannot create the workspace folder ${pwd ?? `${name} in the remote temp folder`} on ${connection.label}: ${stderr.trim() || `exit ${result.code ?? result.signal}`}`,
    );
  }
  return folder;
}

function connectReason(
  error: Error & { level?: string; code?: string },
  readyTimeout: number,
  config: ConnectConfig,
  offeredHostKey: string | undefined,
  expectedHostKey: string | undefined,
): string {
  if (expectedHostKey !== undefined && offeredHostKey !== undefined && offeredHostKey !== expectedHostKey) {
    return `the host key is SHA256:${offeredHostKey}, not the expected SHA256:${expectedHostKey}`;
  }
  switch (error.level) {
    case "client-timeout":
      return `no ssh handshake within ${readyTimeout} ms`;
    case "client-authentication": {
      const tried = [config.privateKey !== undefined ? "public key" : undefined, config.password !== undefined ? "password" : undefined];
      return `authentication failed (tried: ${tried.filter(Boolean).join(", ")})`;
    }
    case "client-socket":
      if (error.code === "ECONNREFUSED") return "connection refused";
      if (error.code === "ENOTFOUND" || error.code === "EAI_AGAIN") return "host not found";
      if (error.code === "ETIMEDOUT") return "connection timed out";
      return error.code ? `${error.code}: ${error.message}` : error.message;
    default:
      return error.message;
  }
}

/* SFTP helpers ----------------------------------------------------------------------- */

interface RemoteStats {
  mode: number;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

/** Adapts a node-style callback API to a promise. */
function call<T>(start: (callback: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown })?.code === SFTP_NO_SUCH_FILE;
}

async function mkdirp(sftp: SFTPWrapper, path: string): Promise<void> {
  try {
    const stats = await call<RemoteStats>((cb) => sftp.stat(path, cb));
    if (stats.isDirectory()) return;
    throw new Error(`${path} exists and is not a folder`);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const parent = posix.dirname(path);
  if (parent !== path) await mkdirp(sftp, parent);
  try {
    await call<void>((cb) => sftp.mkdir(path, cb));
  } catch (error) {
    // created meanwhile by a concurrent call?
    const stats = await call<RemoteStats>((cb) => sftp.stat(path, cb)).catch(() => undefined);
    if (!stats?.isDirectory()) throw error;
  }
}

async function upload(sftp: SFTPWrapper, source: string, target: string, stats: Stats): Promise<void> {
  if (stats.isDirectory()) {
    await mkdirp(sftp, target);
    const entries = await readdir(source);
    await eachLimited(entries, COPY_CONCURRENCY, async (name) => {
      const from = localJoin(source, name);
      await upload(sftp, from, posix.join(target, name), await lstat(from));
    });
  } else if (stats.isSymbolicLink()) {
    const link = await readlink(source);
    await call<void>((cb) => sftp.unlink(target, cb)).catch(() => undefined);
    await call<void>((cb) => sftp.symlink(link, target, cb));
  } else if (stats.isFile()) {
    const mode = stats.mode & 0o7777;
    await call<void>((cb) => sftp.fastPut(source, target, { mode }, cb));
    await call<void>((cb) => sftp.chmod(target, mode, cb));
  } else {
    throw new Error(`${source} is not a file, folder or symbolic link`);
  }
}

async function download(sftp: SFTPWrapper, source: string, target: string, stats: RemoteStats): Promise<void> {
  if (stats.isDirectory()) {
    await mkdir(target, { recursive: true });
    const entries = await call<{ filename: string; attrs: RemoteStats }[]>((cb) => sftp.readdir(source, cb));
    await eachLimited(entries, COPY_CONCURRENCY, (entry) =>
      download(sftp, posix.join(source, entry.filename), localJoin(target, entry.filename), entry.attrs),
    );
  } else if (stats.isSymbolicLink()) {
    const link = await call<string>((cb) => sftp.readlink(source, cb));
    await rm(target, { force: true });
    await symlink(link, target);
  } else if (stats.isFile()) {
    await call<void>((cb) => sftp.fastGet(source, target, cb));
    await chmod(target, stats.mode & 0o7777);
  } else {
    throw new Error(`${source} is not a file, folder or symbolic link`);
  }
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A counting semaphore whose waiters can be cancelled. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  take(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", abort);
        resolve(release);
      };
      const abort = (): void => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      this.waiting.push(grant);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }
}

const message = describe;
