import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { posix } from "node:path";
import type { ConnectConfig } from "ssh2";
import { AdhesiveError, UsageError, describe } from "../../errors.js";
import type { Workspace } from "../workspace.js";
import { SshConnection, sh } from "./connection.js";
import { SshConnectError, SshError } from "./errors.js";
import type { SshOptions } from "./options.js";
import { SshWorkspace } from "./workspace.js";
import { optionalPackage } from "../../optional-package.js";

const DEFAULT_PORT = 22;
const DEFAULT_READY_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_CHANNELS = 8;
const KEEPALIVE_INTERVAL_MS = 15_000;

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
      throw fail(`cannot read the key file ${options.keyFile}: ${describe(error)}`, error);
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

  // ssh2 is loaded by the first connection, not when adhesive is imported; only ssh() users install it
  const { Client } = await optionalPackage("ssh2", "ssh (ssh.connect, ssh.inside, ssh.lane)", () => import("ssh2"));
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
      reject(fail(describe(error), error));
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
