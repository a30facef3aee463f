import { Supervisor } from "./supervisor.js";

/* A killed command gets SIGTERM, then SIGKILL if its group has not emptied after this long. */
export const KILL_GRACE_MS = 2000;
/*
 * After SIGKILL a process is gone at once, unless it is stuck in the kernel
 * or its parent never reaps it (an init that leaves zombies in a container):
 * then the wait gives up after this long rather than hang the run's end.
 */
const AFTER_KILL_MS = 1000;
const POLL_MS = 25;

const supervisor = new Supervisor(KILL_GRACE_MS);
const running = new Set<CommandGroup>();

/** Hears of every command group of this thread starting and ending (the runs' journals note them). */
export interface GroupListener {
  started(pgid: number): void;
  ended(pgid: number): void;
}

const listeners = new Set<GroupListener>();

export function listenToCommandGroups(listener: GroupListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
const dying = new Set<Promise<void>>();

/**
 * The process group of one running command (it was started as its leader,
 * detached). While it runs it is supervised, so it dies with this runner
 * even when the runner is killed with SIGKILL.
 */
export class CommandGroup {
  readonly pgid: number;
  private dead: Promise<void> | undefined;

  constructor(pgid: number) {
    this.pgid = pgid;
    running.add(this);
    supervisor.addGroup(pgid);
    for (const listener of listeners) listener.started(pgid);
  }

  /** SIGTERM to the whole group, SIGKILL after the grace period; resolves once no process of it is left. */
  kill(): Promise<void> {
    if (this.dead === undefined) {
      const dead = terminate(this.pgid).finally(() => {
        dying.delete(dead);
        this.release();
      });
      dying.add(dead);
      this.dead = dead;
    }
    return this.dead;
  }

  /** Whether kill() was called. */
  get killed(): boolean {
    return this.dead !== undefined;
  }

  /** The command ended on its own: no longer killed with the runner. */
  release(): void {
    if (!running.delete(this)) return;
    supervisor.removeGroup(this.pgid);
    for (const listener of listeners) listener.ended(this.pgid);
  }
}

/** Resolves once every command group being killed (by any run of this thread) is gone. */
export async function killedCommandsGone(): Promise<void> {
  while (dying.size > 0) await Promise.all(dying);
}

/** SIGKILL to a group another runner left behind (it died with its commands running); false if it is gone. */
export function killLeftoverGroup(pgid: number): boolean {
  return signalGroup(pgid, "SIGKILL");
}

/** SIGKILL to every running command now: for a runner that exits at once (a second Ctrl-C). */
export function killAllCommandsNow(): void {
  for (const group of running) signalGroup(group.pgid, "SIGKILL");
}

/** Removes the local file if this runner dies before the returned function is called (a secret on disk). */
export function removeIfRunnerDies(path: string): () => void {
  supervisor.addFile(path);
  return () => supervisor.removeFile(path);
}

/** The supervisor's process id, once a command has started it (for status output and tests). */
export function supervisorPid(): number | undefined {
  return supervisor.pid;
}

async function terminate(pgid: number): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  if (await emptied(pgid, KILL_GRACE_MS)) return;
  if (!signalGroup(pgid, "SIGKILL")) return;
  await emptied(pgid, AFTER_KILL_MS);
}

/* No event tells when a group's last process (some not our children) exits, so this polls, only while a kill is under way. */
async function emptied(pgid: number, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!signalGroup(pgid, 0)) return true;
  }
  return false;
}

/** Sends `signal` to the group; false when it has no process left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
