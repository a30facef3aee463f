/*
 * The real CLI on a pseudo-terminal: a private tmux server (its own socket,
 * so no clash with other tmux users) whose panes outlive the CLI, so its
 * last screen and exit code can be read.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { builtCli } from "../built-package.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = await builtCli();

/** Polls `condition`; the limit only caps a hang (the CLI's start-up alone takes seconds on a loaded machine). */
export async function until(condition: () => boolean, what: string, describeState: () => string, ms = 30_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms waiting for ${what}; screen:\n${describeState()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Fails (never skips): these tests are the only proof that a person can use the terminal output. */
function requireTmux(): void {
  try {
    execFileSync("tmux", ["-V"], { stdio: "pipe" });
  } catch (error) {
    throw new Error(`tmux is needed to drive the CLI through a pseudo-terminal (apt-get install tmux): ${String(error)}`);
  }
}

export interface TmuxCli {
  /** resolves with the whole screen (and history) once it matches */
  waitFor(pattern: RegExp): Promise<string>;
  keys(...keys: string[]): void;
  type(text: string): void;
}

export class TmuxServer {
  readonly dir = mkdtempSync(join(tmpdir(), "adhesive-tmux-"));
  private readonly socket = join(this.dir, "socket");

  /** `adhesive [options] <file>` (with `env` assignments before it) in a fresh 200x60 pane of its own. */
  startCli(session: string, file: string, env = "", options: readonly string[] = []): TmuxCli {
    requireTmux();
    // the pane outlives the CLI (until close() kills the server), so its last screen and exit code can be read
    const command = `cd '${root}' && ${env} node '${bin}' ${options.join(" ")} '${file}'; echo "[exit $?]"; sleep 3600`;
    this.tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "60", command);
    const screen = () => this.tmux("capture-pane", "-p", "-J", "-t", session, "-S", "-500");
    return {
      waitFor: async (pattern) => {
        let last = "";
        // each look at the screen is a tmux process: every 50 ms, or the polling itself loads a busy machine
        await until(() => pattern.test((last = screen())), String(pattern), () => last, 60_000, 50);
        return last;
      },
      keys: (...keys) => void this.tmux("send-keys", "-t", session, ...keys),
      type: (text) => void this.tmux("send-keys", "-t", session, "-l", text),
    };
  }

  close(): void {
    try {
      this.tmux("kill-server");
    } catch {
      // already gone: no session ever started
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private tmux(...args: string[]): string {
    const env = { ...process.env };
    delete env.TMUX;
    return execFileSync("tmux", ["-S", this.socket, "-f", "/dev/null", ...args], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }
}
