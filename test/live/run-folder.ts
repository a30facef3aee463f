/* The run folder a test's run leaves, and the view.json the live view starts from. */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import type { MonitorUpdate } from "../../src/monitor/run-monitor.js";

export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/live/${name}`, import.meta.url));

let folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  folders = [];
});

/** Runs `run` with a fresh temporary folder (removed after the test) as its runs folder, and gives the folder of the one run it made. */
export async function runFolderOf(run: (tempFolder: string) => Promise<unknown>): Promise<string> {
  const temp = await mkdtemp(join(tmpdir(), "adhesive-live-"));
  folders.push(temp);
  await run(temp);
  const [id] = await readdir(temp);
  return join(temp, id);
}

export const viewOf = async (folder: string) => JSON.parse(await readFile(join(folder, "view.json"), "utf8")) as MonitorUpdate;
