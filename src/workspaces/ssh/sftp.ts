import { chmod, lstat, mkdir, readdir, readlink, rm, symlink } from "node:fs/promises";
import type { Stats } from "node:fs";
import { join as localJoin } from "node:path";
import { posix } from "node:path";
import type { SFTPWrapper } from "ssh2";
import { skippedInCopy } from "../copy-filter.js";

/* Parallel SFTP transfers when copying a folder. */
const COPY_CONCURRENCY = 8;
/* SSH_FX_NO_SUCH_FILE */
const SFTP_NO_SUCH_FILE = 2;

export interface RemoteStats {
  mode: number;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

/** Adapts a node-style callback API to a promise. */
export function call<T>(start: (callback: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown })?.code === SFTP_NO_SUCH_FILE;
}

export async function mkdirp(sftp: SFTPWrapper, path: string): Promise<void> {
  try {
    const stats = await call<RemoteStats>((cb) => sftp.stat(path, cb));
    if (stats.isDirectory()) return;
    throw new Error(`${path} exists and is not a folder`);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const parent = posix.dirname(path);
  if (parent !== path) await mkdirp(sftp, parent);
  try {
    await call<void>((cb) => sftp.mkdir(path, cb));
  } catch (error) {
    // created meanwhile by a concurrent call?
    const stats = await call<RemoteStats>((cb) => sftp.stat(path, cb)).catch(() => undefined);
    if (!stats?.isDirectory()) throw error;
  }
}

export async function upload(sftp: SFTPWrapper, source: string, target: string, stats: Stats): Promise<void> {
  if (stats.isDirectory()) {
    await mkdirp(sftp, target);
    const entries = await readdir(source);
    await eachLimited(entries, COPY_CONCURRENCY, async (name) => {
      const from = localJoin(source, name);
      const entry = await lstat(from);
      // as every workspace's copyToAgent: no .adhesive folder, socket or FIFO from below the source (copy-filter.ts)
      if (!skippedInCopy(name, entry)) await upload(sftp, from, posix.join(target, name), entry);
    });
  } else if (stats.isSymbolicLink()) {
    const link = await readlink(source);
    await call<void>((cb) => sftp.unlink(target, cb)).catch(() => undefined);
    await call<void>((cb) => sftp.symlink(link, target, cb));
  } else if (stats.isFile()) {
    const mode = stats.mode & 0o7777;
    await call<void>((cb) => sftp.fastPut(source, target, { mode }, cb));
    await call<void>((cb) => sftp.chmod(target, mode, cb));
  } else {
    throw new Error(`${source} is not a file, folder or symbolic link`);
  }
}

export async function download(sftp: SFTPWrapper, source: string, target: string, stats: RemoteStats): Promise<void> {
  if (stats.isDirectory()) {
    await mkdir(target, { recursive: true });
    const entries = await call<{ filename: string; attrs: RemoteStats }[]>((cb) => sftp.readdir(source, cb));
    await eachLimited(entries, COPY_CONCURRENCY, (entry) =>
      download(sftp, posix.join(source, entry.filename), localJoin(target, entry.filename), entry.attrs),
    );
  } else if (stats.isSymbolicLink()) {
    const link = await call<string>((cb) => sftp.readlink(source, cb));
    await rm(target, { force: true });
    await symlink(link, target);
  } else if (stats.isFile()) {
    await call<void>((cb) => sftp.fastGet(source, target, cb));
    await chmod(target, stats.mode & 0o7777);
  } else {
    throw new Error(`${source} is not a file, folder or symbolic link`);
  }
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
