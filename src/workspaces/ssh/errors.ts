import { AdhesiveError } from "../../errors.js";

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
