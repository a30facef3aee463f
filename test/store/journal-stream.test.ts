/*
 * A run's journal in the store is a stream of the journal file's own lines,
 * one record per entry. Given a real run's journal (Maps, Sets, a user
 * task's answers, notes, the end), when its lines are appended to a stream
 * and read back, then the journal is the one the file reads as: the replay
 * and resume consume it unchanged. A changed byte in an entry fails its
 * checksum, naming the stream entry.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { JournalError, scriptedUi } from "../../src/index.js";
import { readJournal } from "../../src/journal/reader.js";
import { framedLine } from "../../src/journal/framing.js";
import { type Store } from "../../src/store/connection.js";
import { appendJournal, journalStreamName, readStreamJournal } from "../../src/store/journal-stream.js";
import { runKeys } from "../../src/store/keys.js";
import { StoreLease } from "../../src/store/lease.js";
import { releaseTasks } from "../journal/release-tasks.js";
import { claimFreeRun, redisStorePerFile, type TestRedis } from "./redis-server.js";

const release = fileURLToPath(new URL("../fixtures/durable/release.bpmn", import.meta.url));

let redis: TestRedis;
let store: Store;
redisStorePerFile((server, connected) => {
  redis = server;
  store = connected;
});

const claim = (runId: string): Promise<StoreLease> => claimFreeRun(store, runId);

describe("a journal in the store", () => {
  it("reads back as the same journal as the file it was copied from", async () => {
    const folder = await mkdtemp(join(tmpdir(), "adhesive-stream-"));
    await releaseTasks().bpmnBuild(release, { runsFolder: folder, tempFolder: join(folder, "temp"), runId: "release", initialData: { platforms: ["linux", "mac", "windows"] }, ui: scriptedUi({ approved: true, reviewers: ["ana"] }) });
    const file = join(folder, "release", "journal.ndjson");
    const bytes = await readFile(file);
    const lease = await claim("release");
    // in three writes, as group commits would append them: the header alone, then the records in two parts
    const firstNewline = bytes.indexOf(10) + 1;
    const middle = bytes.indexOf(10, Math.floor((firstNewline + bytes.length) / 2)) + 1;
    await appendJournal(lease, bytes.subarray(0, firstNewline));
    await appendJournal(lease, bytes.subarray(firstNewline, middle));
    await appendJournal(lease, bytes.subarray(middle));

    const fromFile = await readJournal(file);
    const fromStream = await readStreamJournal(store, "release");
    expect(fromStream.file).toBe(journalStreamName(store, "release"));
    expect({ ...fromStream, file: undefined }).toEqual({ ...fromFile, file: undefined });
    expect(fromStream.inputs.length).toBeGreaterThan(10);
    expect(fromStream.end?.state).toBe("done");
    // the entries, one a line, are the file
    const entries = await store.redis.xrange(runKeys("release").journal, "-", "+");
    expect(entries.map(([, fields]) => `${fields[1]}\n`).join("")).toBe(bytes.toString());
  });

  it("reads a journal longer than one page of entries", async () => {
    const lease = await claim("long");
    const header = (await readFile(join(await firstJournalFolder(), "journal.ndjson"), "utf8")).split("\n")[0];
    const lines = [header, ...Array.from({ length: 2500 }, (_, i) => JSON.stringify({ t: "tm", a: i, at: i })).map((json) => framedLine(json).slice(0, -1))];
    await appendJournal(lease, Buffer.from(`${lines.join("\n")}\n`));
    const journal = await readStreamJournal(store, "long");
    expect(journal.inputs).toHaveLength(2500);
    expect(journal.inputs.at(-1)).toMatchObject({ kind: "timer", arm: 2499 });
  });

  it("fails on a changed byte, naming the stream entry", async () => {
    const lease = await claim("changed");
    const header = (await readFile(join(await firstJournalFolder(), "journal.ndjson"), "utf8")).split("\n")[0];
    await appendJournal(lease, Buffer.from(`${header}\n${framedLine('{"t":"tm","a":1,"at":5}')}`));
    const id = await store.redis.xadd(runKeys("changed").journal, "*", "r", framedLine('{"t":"tm","a":2,"at":6}').replace('"a":2', '"a":3').slice(0, -1));
    const failure = await readStreamJournal(store, "changed").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JournalError);
    expect((failure as Error).message).toBe(`${redis.url} run changed (journal stream): corrupt record at stream entry ${id}: its checksum does not match (the record was changed after it was written)`);
  });

  it("without a header is not a journal", async () => {
    await expect(readStreamJournal(store, "never-written")).rejects.toThrow(/run never-written \(journal stream\): the journal has no complete first record/);
  });
});

let journalFolder: string | undefined;
/* a real header to build short journals on */
async function firstJournalFolder(): Promise<string> {
  if (journalFolder !== undefined) return journalFolder;
  const folder = await mkdtemp(join(tmpdir(), "adhesive-stream-"));
  await releaseTasks().bpmnBuild(release, { runsFolder: folder, tempFolder: join(folder, "temp"), runId: "header", initialData: { platforms: ["linux", "mac", "windows"] }, ui: scriptedUi({ approved: true, reviewers: ["ana"] }) });
  return (journalFolder = join(folder, "header"));
}
