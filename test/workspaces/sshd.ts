/**
 * A throw-away OpenSSH server on 127.0.0.1 for the ssh workspace tests: host
 * and user keys are generated in a temp folder, sshd runs in the foreground
 * as a child of the test process and is stopped (and the folder removed) by
 * `stop()`. Nothing outside the temp folder is touched, except /run/sshd,
 * the privilege separation folder sshd insists on when it runs as root.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { access, chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const SSHD = "/usr/sbin/sshd";
/* only caps a hang: sshd takes a moment on a loaded machine */
const START_TIMEOUT_MS = 60_000;

export interface TestSshd {
  host: "127.0.0.1";
  port: number;
  /** the user running the tests: sshd authenticates it with `keyFile` */
  username: string;
  /** private key authorized for `username` */
  keyFile: string;
  /** a valid private key that is NOT authorized */
  wrongKeyFile: string;
  dir: string;
  /** everything sshd printed so far (it runs with -e, so its log goes to stderr) */
  log(): string;
  /** how many logins sshd accepted so far */
  acceptedLogins(): number;
  stop(): Promise<void>;
}

export async function startSshd(): Promise<TestSshd> {
  try {
    await access(SSHD);
  } catch {
    throw new Error(
      `${SSHD} is missing: the ssh workspace tests need the OpenSSH server. ` +
        "Install it with scripts/install-system-deps.sh (Debian package openssh-server).",
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "adhesive-sshd-"));
  try {
    await Promise.all([
      keygen(join(dir, "host_ed25519")),
      keygen(join(dir, "user_ed25519")),
      keygen(join(dir, "wrong_ed25519")),
    ]);
    await writeFile(join(dir, "authorized_keys"), await readFile(join(dir, "user_ed25519.pub")));
    await chmod(join(dir, "authorized_keys"), 0o600);
    const isRoot = process.getuid?.() === 0;
    // sshd running as root refuses to start without its privilege separation folder; /run is a tmpfs
    if (isRoot) await mkdir("/run/sshd", { recursive: true, mode: 0o755 });

    let lastError: unknown;
    // the free port is found before sshd binds it, so another process may take it in between: retry
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        return await launch(dir, port, isRoot);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(dir: string, port: number, isRoot: boolean): Promise<TestSshd> {
  const config = join(dir, `sshd_config_${port}`);
  await writeFile(
    config,
    [
      "ListenAddress 127.0.0.1",
      `Port ${port}`,
      `HostKey ${join(dir, "host_ed25519")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PubkeyAuthentication yes",
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication no",
      `PermitRootLogin ${isRoot ? "yes" : "no"}`,
      "UsePAM no",
      "StrictModes no",
      "Subsystem sftp internal-sftp",
      "MaxSessions 10",
      "LogLevel VERBOSE",
      // the sessions' temp folder is the test run's, which the run removes: a workspace left by a killed runner goes with it
      `SetEnv TMPDIR=${tmpdir()}`,
      "",
    ].join("\n"),
  );
  const child = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  let exited: string | undefined;
  child.on("exit", (code, signal) => (exited = `sshd exited (code ${code}, signal ${signal})`));
  child.on("error", (error) => (exited = `sshd could not start: ${error.message}`));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (exited !== undefined) throw new Error(`${exited}:\n${log}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`sshd did not accept connections on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    host: "127.0.0.1",
    port,
    username: userInfo().username,
    keyFile: join(dir, "user_ed25519"),
    wrongKeyFile: join(dir, "wrong_ed25519"),
    dir,
    log: () => log,
    acceptedLogins: () => log.split("\n").filter((line) => line.includes("Accepted publickey")).length,
    stop: () => stop(child, dir),
  };
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

export interface ProcessRow {
  pid: number;
  ppid: number;
  /** the command line, arguments joined with spaces */
  args: string;
}

/**
 * The local process table, read from /proc (sshd runs on this machine, so
 * this is also the remote side's). /proc rather than `ps`: procps is not
 * installed on minimal Debian images.
 */
export async function processTable(): Promise<ProcessRow[]> {
  const rows = await Promise.all(
    (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(async (name): Promise<ProcessRow | undefined> => {
      try {
        const [stat, cmdline] = await Promise.all([readFile(`/proc/${name}/stat`, "utf8"), readFile(`/proc/${name}/cmdline`, "utf8")]);
        // the second field (comm) is in parentheses and may itself contain spaces and parentheses
        const afterComm = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const args = cmdline.replace(/\0+$/, "").split("\0").join(" ");
        return { pid: Number(name), ppid: Number(afterComm[1]), args };
      } catch {
        return undefined; // exited while we were reading
      }
    }),
  );
  return rows.filter((row): row is ProcessRow => row !== undefined && row.args !== "");
}

async function keygen(file: string): Promise<void> {
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "adhesive-test", "-f", file]);
}

/** A port nothing listens on right now (a test may use it for "connection refused" too). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}
