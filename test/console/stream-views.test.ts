/*
 * A store run's journal as the console reads it: given the journal of a
 * real message run, its lines as stream entries (the format the store keeps,
 * one framed line per entry), when the console reads the stream, then its
 * timeline, instances and data are those it reads from the journal file;
 * entries added later are read on from the last one; a damaged entry stops
 * the read with its position; a stream started again is read from its
 * header.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { timelinePage } from "../../src/console/entries.js";
import { instancesPage } from "../../src/console/instances.js";
import { journalViewOf } from "../../src/console/journal-views.js";
import { streamJournalOf } from "../../src/console/stream-views.js";
import { variables } from "../../src/console/variables.js";
import type { Store } from "../../src/store/connection.js";
import { runKeys } from "../../src/store/keys.js";
import { JOURNAL_FILE } from "../../src/runs/files.js";
import { signupTasks } from "../fixtures/console/signup-tasks.js";
import { redisStorePerFile } from "../store/redis-server.js";

const SIGNUP_FILE = fileURLToPath(new URL("../fixtures/console/signups.bpmn", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "adhesive-console-stream-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let store: Store;
redisStorePerFile((_, connected) => (store = connected));

async function journalLines(runId: string): Promise<string[]> {
  const adhesive = new Adhesive();
  signupTasks(adhesive);
  await adhesive.bpmnBuild(SIGNUP_FILE, { runId, runsFolder: folder, tempFolder: folder, initialData: { plan: "pro" } }).catch(() => undefined);
  return readFileSync(join(folder, runId, JOURNAL_FILE), "utf8").split("\n").filter((line) => line !== "");
}

/* the entries as the orchestrator appends them: field r, the framed line without its newline */
async function append(runId: string, lines: readonly string[]): Promise<void> {
  for (const line of lines) await store.redis.xadd(runKeys(runId).journal, "*", "r", line);
}

describe("a store run's journal stream in the console", () => {
  it("reads as its journal file does, and reads on from the last entry as the stream grows", async () => {
    const lines = await journalLines("signups");
    const fromFile = (await journalViewOf(join(folder, "signups"))).view!;
    const half = Math.floor(lines.length / 2);
    await append("signups", lines.slice(0, half));
    const first = await streamJournalOf(store, "signups");
    expect(first.view!.size).toBeLessThan(fromFile.size);
    await append("signups", lines.slice(half));
    const { view, problem } = await streamJournalOf(store, "signups");
    expect(problem).toBeUndefined();
    // the same view, read on from where the first read stopped
    expect(view).toBe(first.view);
    expect(timelinePage(view!, { limit: 500 })).toEqual(timelinePage(fromFile, { limit: 500 }));
    expect(instancesPage(view!, "done", {})).toEqual(instancesPage(fromFile, "done", {}));
    expect(variables(view!, "done", { path: [] })).toEqual(variables(fromFile, "done", { path: [] }));
    expect(view!.size).toBeGreaterThan(10);
  });

  it("stops at a damaged entry, naming its offset, and reads a stream started again from its header", async () => {
    const lines = await journalLines("damaged");
    await append("damaged", [...lines.slice(0, 3), lines[3].replace(/"t":/, '"t" :'), ...lines.slice(4)]);
    const damaged = await streamJournalOf(store, "damaged");
    expect(damaged.problem).toMatch(/^corrupt record at byte offset \d+: /);
    expect(damaged.view!.size).toBeLessThan(4);

    // trimmed to a new start (as a snapshot would): a new first entry, a new view from its header
    await store.redis.del(runKeys("damaged").journal);
    await append("damaged", lines);
    const again = await streamJournalOf(store, "damaged");
    expect(again.problem).toBeUndefined();
    expect(again.view).not.toBe(damaged.view);
    expect(timelinePage(again.view!, { limit: 500 })).toEqual(timelinePage((await journalViewOf(join(folder, "damaged"))).view!, { limit: 500 }));
  });

  it("has no view of a run the store has no journal of", async () => {
    expect(await streamJournalOf(store, "nowhere")).toEqual({ header: undefined, view: undefined, problem: undefined });
  });
});
