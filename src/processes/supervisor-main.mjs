// The supervisor of one adhesive runner (see supervisor.ts). Plain JavaScript
// without imports of adhesive, so it starts in a few tens of milliseconds
// with nothing but node. It reads `+PGID` / `-PGID` lines on stdin: the
// process groups of the runner's running commands. End of file means the
// runner is gone (exited, crashed or killed with SIGKILL: the kernel closes
// its end of the pipe in every case), so the groups still listed get
// SIGTERM, then SIGKILL after the grace period, and the supervisor exits.
const graceMs = Number(process.argv[2] ?? "2000");
const pollMs = 100;
const groups = new Set();
let pending = "";

process.title = "adhesive-supervisor";
// started in its own session: a terminal's Ctrl-C or hang-up is for the runner, which then closes the pipe
for (const name of ["SIGINT", "SIGHUP", "SIGTERM"]) process.on(name, () => undefined);

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  pending += chunk;
  const lines = pending.split("\n");
  pending = lines.pop();
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line.startsWith("+")) groups.add(pgid);
    else if (line.startsWith("-")) groups.delete(pgid);
  }
});
process.stdin.on("end", shutDown);
process.stdin.on("error", shutDown);

let shuttingDown = false;

function shutDown() {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const pgid of groups) signal(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  const poll = setInterval(() => {
    for (const pgid of groups) if (!signal(pgid, 0)) groups.delete(pgid);
    if (groups.size > 0 && Date.now() < deadline) return;
    for (const pgid of groups) signal(pgid, "SIGKILL");
    clearInterval(poll);
    process.exit(0);
  }, pollMs);
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
