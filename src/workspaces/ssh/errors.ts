import { AdhesiveError } from "../../errors.js";

/** Connecting (TCP, handshake, host key or authentication) failed. */
export class SshConnectError extends AdhesiveError {
  /** always `ADHESIVE_SSH_CONNECT` */
  declare readonly code: "ADHESIVE_SSH_CONNECT";
  /** the host connected to */
  readonly host: string;
  /** its ssh port */
  readonly port: number;
  /** the user logged in as */
  readonly username: string;
  /** why the connection failed, in words (what the ssh library or the server said) */
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
  /** `ADHESIVE_SSH_FILE` or `ADHESIVE_SSH_CLOSED` */
  declare readonly code: "ADHESIVE_SSH_FILE" | "ADHESIVE_SSH_CLOSED";
  constructor(code: "ADHESIVE_SSH_FILE" | "ADHESIVE_SSH_CLOSED", message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}
