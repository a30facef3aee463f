/*
 * Journal format 2 (src/journal/framing.ts): every record carries the
 * CRC-32 of its JSON, so a changed byte anywhere is an error naming the file
 * and the record's byte offset; what a crash leaves after the last newline
 * is told apart from damage there; journals are read line by line from the
 * file; and journals of format 1 are still read.
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../src/journal/crc32.js";
import { checkFrame, framedLine, isTornFrame } from "../../src/journal/framing.js";
import { parseJournal, readJournal, readJournalHeader } from "../../src/journal/reader.js";
import { JOURNAL_VERSION } from "../../src/journal/records.js";
import { seeded } from "../seeded.js";
import { Adhesive } from "../../src/index.js";

const fixtures = fileURLToPath(new URL("../fixtures/durable/", import.meta.url));

const definition = { id: "p", name: "p", source: "s", root: { nodes: [], flows: [] } };
const header = (v: number) => JSON.stringify({ t: "run", v, run: "r", at: 1, pid: 1, process: { source: "s", id: "p", name: "p" }, definition, hashes: { definition: "", implementations: {} }, options: { waitTasks: true, poolSize: 1 }, initial: { j: {} } });
const records = ['{"t":"s","s":1,"n":"a","at":2}', '{"t":"d","s":1,"at":3,"c":{"x":{"j":[1,2]}}}', '{"t":"s","s":2,"n":"b","at":4}'];
const journal = () => [header(2), ...records].map(framedLine).join("");

describe("the checksum of a record", () => {
  it("is zlib's CRC-32 of the record's JSON, for any length", () => {
    const random = seeded(7);
    for (const length of [0, 1, 7, 8, 9, 31, 64, 1000]) {
      const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    }
    expect(framedLine('{"t":"x"}')).toBe(`{"t":"x"}\t${zlibCrc32('{"t":"x"}').toString(16).padStart(8, "0")}\n`);
  });

  it("makes every changed byte of a journal an error naming the file and the offset of the record it is in", () => {
    const text = Buffer.from(journal());
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === 10 && i + 1 < text.length) starts.push(i + 1);
    const random = seeded(99);
    for (let at = 0; at < text.length; at++) {
      const copy = Buffer.from(text);
      // any other value, not just one bit
      copy[at] = (copy[at] + 1 + Math.floor(random() * 255)) & 0xff;
      const record = starts.filter((start) => start <= at).pop()!;
      let thrown: unknown;
      try {
        parseJournal(copy, "/runs/r/journal.ndjson");
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `byte ${at} changed`).toMatchObject({ code: "ADHESIVE_JOURNAL" });
      const message = (thrown as Error).message;
      expect(message, `byte ${at} changed`).toMatch(/^\/runs\/r\/journal\.ndjson: corrupt record at byte offset \d+: /);
      // a byte that became a newline splits the record there; a newline that became another byte joins two records
      const offset = Number(/byte offset (\d+)/.exec(message)![1]);
      expect(offset, `byte ${at} changed: ${message}`).toBeLessThanOrEqual(at);
      expect(offset, `byte ${at} changed: ${message}`).toBeGreaterThanOrEqual(starts.filter((start) => start < record).pop() ?? 0);
    }
  });
});

describe("what follows the last newline", () => {
  const full = journal();
  const last = framedLine(records[2]);
  const before = full.slice(0, full.length - last.length);

  it("is a record a crash cut off when it is a beginning of one (its task runs again)", () => {
    for (let cut = 1; cut < last.length; cut++) {
      const read = parseJournal(before + last.slice(0, cut), "j");
      expect(read.torn, `cut after ${cut} bytes`).toBe(cut);
      expect(read.inputs).toHaveLength(2);
    }
  });

  it("is damage when it cannot be what a crash left: a changed newline, a changed checksum digit", () => {
    const complete = last.slice(0, -1);
    expect(() => parseJournal(`${before}${complete}x`, "j")).toThrow(/corrupt record at byte offset \d+: the last line is neither a whole record nor the beginning of one/);
    expect(() => parseJournal(`${before}${complete}\t`, "j")).toThrow(/the last line is neither/);
    const wrongDigit = complete.slice(0, -1) + (complete.endsWith("0") ? "1" : "0");
    expect(() => parseJournal(`${before}${wrongDigit}`, "j")).toThrow(/the last line is neither/);
    expect(isTornFrame(Buffer.from(complete), 0, Buffer.byteLength(complete))).toBe(true);
    expect(checkFrame(Buffer.from(complete), 0, Buffer.byteLength(complete))).toBe(Buffer.byteLength(records[2]));
  });
});

describe("journals on disk", () => {
  it("are read line by line, whatever the length of a line, and the header alone without the rest", async () => {
    const folder = await mkdtemp(join(tmpdir(), "adhesive-framing-"));
    const file = join(folder, "journal.ndjson");
    // lines longer than the reader's buffer, and many short ones across its boundaries
    const big = `{"t":"em","n":"m","at":5,"e":{"j":"${"x".repeat(3 << 20)}"}}`;
    const many = Array.from({ length: 50_000 }, (_, i) => `{"t":"tm","a":${i},"at":${i}}`);
    await writeFile(file, [header(2), big, ...many, big].map(framedLine).join(""));
    const read = await readJournal(file);
    expect(read.inputs).toHaveLength(50_002);
    expect(read.inputs[1]).toEqual({ kind: "timer", arm: 0, at: 1 });
    expect((read.inputs[50_001] as { event: string }).event).toHaveLength(3 << 20);
    expect((await readJournalHeader(file)).run).toBe("r");
  });

  it("of format 1 (no checksums) are still read; a header that says 2 without a checksum, or 1 with one, was changed", () => {
    const v1 = [header(1), ...records].join("\n") + "\n";
    expect(parseJournal(v1, "j").inputs).toHaveLength(3);
    expect(() => parseJournal(`${[header(2), ...records].join("\n")}\n`, "j")).toThrow(/corrupt record at byte offset 0: a version 2 header without a checksum/);
    expect(() => parseJournal([header(1), ...records].map(framedLine).join(""), "j")).toThrow(/corrupt record at byte offset 0: a version 1 header with a checksum/);
  });
});

describe("a journal of format 1", () => {
  it("is continued by a resume, which writes it on in the current format", async () => {
    const folder = await mkdtemp(join(tmpdir(), "adhesive-v1-"));
    const calls: string[] = [];
    const chain = () =>
      new Adhesive()
        .task("First", (ctx) => void (calls.push(`First ${ctx.attempt}`), (ctx.data.first = 1)))
        .task("Middle", (ctx) => void (calls.push(`Middle ${ctx.attempt}`), (ctx.data.middle = ctx.attempt)))
        .task("Last", (ctx) => void (calls.push(`Last ${ctx.attempt}`), (ctx.data.last = true)));
    const options = { runsFolder: folder, tempFolder: join(folder, "temp"), runId: "old" };
    await chain().bpmnBuild(join(fixtures, "chain.bpmn"), options);
    const file = join(folder, "old", "journal.ndjson");
    // as an older adhesive wrote it, interrupted while Middle ran: no checksums, version 1
    const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean).map((line) => line.slice(0, line.lastIndexOf("\t")));
    // and by a runner that has died (this process ran it, and lives)
    lines[0] = lines[0].replace(/"v":\d+/, '"v":1').replace(/"pid":\d+/, '"pid":4194303');
    const middle = lines.findIndex((line) => line.startsWith('{"t":"s","s":2,'));
    await writeFile(file, `${lines.slice(0, middle + 1).join("\n")}\n`);
    calls.length = 0;
    expect(await chain().bpmnBuild(join(fixtures, "chain.bpmn"), options)).toEqual({ first: 1, middle: 2, last: true });
    expect(calls).toEqual(["Middle 2", "Last 1"]);
    const text = await readFile(file, "utf8");
    expect(text.split("\n").filter(Boolean).every((line) => typeof checkFrame(Buffer.from(line), 0, Buffer.byteLength(line)) === "number")).toBe(true);
    expect((await readJournal(file)).header.v).toBe(JOURNAL_VERSION);
  });
});
