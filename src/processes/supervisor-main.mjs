// The supervisor of one adhesive runner (see supervisor.ts). Plain JavaScript
// without imports of adhesive, so it starts in a few tens of milliseconds
// with nothing but node. It reads one JSON array per line on stdin:
// ["+group", pgid] / ["-group", pgid] for the process groups of the runner's
// running commands, ["+file", path] / ["-file", path] for its secret files.
// End of file means the runner is gone (exited, crashed or killed with
// SIGKILL: the kernel closes its end of the pipe in every case), so the
// files still listed are removed and the groups get SIGTERM, then SIGKILL
// after the grace period, and the supervisor exits.
import { rmSync } from "node:fs";

const graceMs = Number(process.argv[2] ?? "2000");
const pollMs = 100;
const groups = new Set();
const files = new Set();
let pending = "";

process.title = "adhesive-supervisor";
// started in its own session: a terminal's Ctrl-C or hang-up is for the runner, which then closes the pipe
for (const name of ["SIGINT", "SIGHUP", "SIGTERM"]) process.on(name, () => undefined);

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  pending += chunk;
  const lines = pending.split("\n");
  pending = lines.pop();
  for (const line of lines) receive(line);
});
process.stdin.on("end", shutDown);
process.stdin.on("error", shutDown);

function receive(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (!Array.isArray(message)) return;
  const [what, value] = message;
  if (what === "+file" && typeof value === "string") files.add(value);
  else if (what === "-file") files.delete(value);
  else if (!Number.isInteger(value) || value <= 1) return;
  else if (what === "+group") groups.add(value);
  else if (what === "-group") groups.delete(value);
}

let shuttingDown = false;

function shutDown() {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const pgid of groups) signal(pgid, "SIGTERM");
  for (const file of files) remove(file);
  const deadline = Date.now() + graceMs;
  const poll = setInterval(() => {
    for (const pgid of groups) if (!signal(pgid, 0)) groups.delete(pgid);
    if (groups.size > 0 && Date.now() < deadline) return;
    for (const pgid of groups) signal(pgid, "SIGKILL");
    clearInterval(poll);
    process.exit(0);
  }, pollMs);
}

function remove(file) {
  try {
    rmSync(file, { force: true });
  } catch {
    // nothing more can be done from here; the groups must still be killed
  }
}

/** Whether the group still had a process to signal. */
function signal(pgid, name) {
  try {
    process.kill(-pgid, name);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
