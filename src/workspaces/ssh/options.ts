/** How to reach the ssh server and where the workspace lives on it. */
export interface SshOptions {
  /** the host name or address */
  host: string;
  /** default 22 */
  port?: number;
  /** the user to log in as */
  username: string;
  /** path of a private key file (OpenSSH, PEM or PPK format) on this machine */
  keyFile?: string;
  /** the private key itself */
  privateKey?: string | Buffer;
  /** decrypts an encrypted private key */
  passphrase?: string;
  /** log in with a password instead of a key */
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
   * its folder on close. Default 8. A channel the server refuses (a busy
   * server may still count a session that just closed) is opened again for
   * about 3 s before the command fails with the server's reason.
   */
  maxChannels?: number;
}
