import { setTimeout as sleep } from "node:timers/promises";
import { quote } from "shell-quote";
import type { Client, ClientChannel, SFTPWrapper } from "ssh2";
import { describe } from "../../errors.js";
import { SshError } from "./errors.js";
import { Slots } from "./slots.js";

/* Waits before opening a refused channel again (see SshConnection.open): about 3 s in all. */
const OPEN_RETRY_MS = [20, 50, 100, 200, 400, 800, 1600];
/* SSH_OPEN_UNKNOWN_CHANNEL_TYPE: a refusal that trying again cannot change */
const UNKNOWN_CHANNEL_TYPE = 3;

/* The server answered the open with a refusal (ssh2 puts its reason code on the error); not a connection that failed. */
function refused(error: unknown): boolean {
  const reason = (error as { reason?: unknown } | null)?.reason;
  return typeof reason === "number" && reason !== UNKNOWN_CHANNEL_TYPE;
}

/* Matches the local workspace: a cancelled command gets SIGTERM, then SIGKILL this long after. */
const KILL_GRACE_SECONDS = 2;
/* After cancelling, how long to wait for the remote side to close the channel before closing it ourselves. */
const CANCEL_CLOSE_MS = (KILL_GRACE_SECONDS + 1) * 1000;

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
export const WRAPPER = [
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
export function sh(...words: string[]): string {
  return quote(words);
}

/** The ssh connection shared by a workspace and every view of it (forTask, withChdir, clone...). */
export class SshConnection {
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
    return watch(await this.open(remote, handlers.signal), handlers);
  }

  /*
   * A new channel for `remote`. The slots keep the channels open below the
   * server's MaxSessions, but a server counts a closed session until it has
   * cleaned it up, and a busy one reads the next open first: it refuses
   * that one. A refusal is tried again a few times over about 3 s; one that
   * lasts (a MaxSessions below maxChannels + 2) fails with the server's
   * reason.
   */
  private async open(remote: string, signal: AbortSignal | undefined): Promise<ClientChannel> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Promise<ClientChannel>((resolve, reject) => {
          this.client.exec(remote, (error, stream) => (error ? reject(error) : resolve(stream)));
        });
      } catch (error) {
        if (!refused(error) || attempt === OPEN_RETRY_MS.length) throw error;
        // a command cancelled while it waits fails as one cancelled while it waits for a slot: with the signal's reason
        await sleep(OPEN_RETRY_MS[attempt], undefined, { signal }).catch(() => {
          throw signal!.reason;
        });
        this.assertOpen();
      }
    }
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
      throw new SshError("ADHESIVE_SSH_FILE", `cannot open SFTP on ${this.label}: ${describe(error)}`, error);
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
          failure = new SshError("ADHESIVE_SSH_FILE", `could not remove the workspace folder ${folder} on ${this.label}: ${describe(error)}`, error);
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
