import { readFileSync } from "node:fs";

/** A process as the journal names it: its pid, and when it started (so a reused pid is not mistaken for it). */
export interface ProcessIdentity {
  pid: number;
  /** start time in clock ticks since boot (/proc/<pid>/stat), undefined where /proc is missing */
  start: number | undefined;
}

let own: ProcessIdentity | undefined;

export function processIdentity(pid = process.pid): ProcessIdentity {
  // this process's is asked for at every run's start: read once
  if (pid === process.pid) return (own ??= { pid, start: startTime(pid) });
  return { pid, start: startTime(pid) };
}

/** Whether that very process is still alive. */
export function isAlive(identity: ProcessIdentity): boolean {
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else; that is not our runner
    return (error as NodeJS.ErrnoException).code === "EPERM" && identity.start === undefined;
  }
  return identity.start === undefined || startTime(identity.pid) === identity.start;
}

/* field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so count from its end */
function startTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}
