/*
 * The journal format (src/journal): values keep what data may hold; a torn
 * last record is ignored, anything else unreadable is an error naming the
 * file and the byte offset; and a journal cut at any byte offset still
 * resumes to the same result.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { seeded } from "../seeded.js";
import { builtCli, builtPackage } from "../built-package.js";
import { Adhesive, JournalError, scriptedUi, SimulatedClock, type Data } from "../../src/index.js";
import { parseJournal, readJournal } from "../../src/journal/reader.js";
import { decodeValue, encodeValue } from "../../src/journal/values.js";
import { releaseTasks } from "./release-tasks.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = fileURLToPath(new URL("../fixtures/durable/", import.meta.url));

describe("values in the journal", () => {
  it("writes JSON values as JSON and keeps everything else data may hold through v8.serialize", () => {
    const cycle: Data = { name: "c" };
    cycle.self = cycle;
    const hostile = JSON.parse('{"__proto__":{"admin":true}}') as Data;
    const values: unknown[] = [
      { a: [1, "x", true, null] },
      new Map([[{ k: 1 }, new Set([1n])]]),
      new Date(Date.UTC(2026, 11, 1)),
      /a+b/giu,
      Buffer.from("bytes"),
      new Float64Array([1.5, -0]),
      undefined,
      -0,
      Number.NaN,
      new RangeError("out"),
      cycle,
      hostile,
      [1, , 3],
    ];
    expect(encodeValue({ a: [1, "x", true, null] })).toEqual({ j: { a: [1, "x", true, null] } });
    for (const value of values) {
      const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(value))) as ReturnType<typeof encodeValue>);
      if (value === cycle) expect((back as Data).self).toBe(back);
      else expect(back).toStrictEqual(value);
    }
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(hostile))) as ReturnType<typeof encodeValue>) as Data;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Data).admin).toBeUndefined();
  });
});

const header = JSON.stringify({ t: "run", v: 1, run: "r", at: 1, pid: 1, start: undefined, process: { source: "s", id: "p", name: "p" }, definition: { id: "p", name: "p", source: "s", root: { nodes: [], flows: [] } }, hashes: { definition: "", implementations: {} }, options: { waitTasks: true, poolSize: 1 }, initial: { j: {} } });

describe("reading a journal back", () => {
  it("ignores a last record the crash cut off, and says how many bytes it had", () => {
    const journal = parseJournal(`${header}\n{"t":"s","s":1,"n":"a","a":1,"at":2}\n{"t":"d","s":1,"at`, "j.ndjson");
    // times are relative to the header's at (1 here)
    expect(journal.inputs).toEqual([{ kind: "started", seq: 1, node: "a", attempt: 1, at: 3 }]);
    expect(journal.torn).toBe(18);
  });

  it("names the file and the byte offset of a corrupt record in the middle", () => {
    const text = `${header}\n{"t":"s","s":1,"n":"a","a":1,"at":2}\n{"t":"d",,}\n{"t":"d","s":1,"at":3}\n`;
    const offset = Buffer.byteLength(`${header}\n{"t":"s","s":1,"n":"a","a":1,"at":2}\n`);
    expect(() => parseJournal(text, "/runs/r/journal.ndjson")).toThrow(new RegExp(`^/runs/r/journal\\.ndjson: corrupt record at byte offset ${offset}: `));
    expect(() => parseJournal(`${header}\n{"t":"d","at":3}\n`, "j")).toThrow(/corrupt record at byte offset \d+: a "d" record has no s/);
  });

  it("refuses a journal of another format version, and one cut off before its header", () => {
    expect(() => parseJournal(`${header.replace('"v":1', '"v":7')}\n`, "j")).toThrow(/journal format version 7; this adhesive reads version 4 \(it was written by a newer adhesive\)/);
    expect(() => parseJournal(header.slice(0, 40), "j")).toThrow(JournalError);
    expect(() => parseJournal(header.slice(0, 40), "j")).toThrow(/no complete first record/);
  });
});

describe("writing a journal", () => {
  it("writes the times of a run whose clock is behind the wall clock (a SimulatedClock), which read back as they were", async () => {
    const folder = await mkdtemp(join(tmpdir(), "adhesive-journal-"));
    const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
    await new Adhesive()
      .task({ re: /.*/ }, () => undefined)
      .bpmnBuild(join(root, "test/fixtures/elements/link.bpmn"), { clock, runsFolder: folder, tempFolder: join(folder, "temp"), runId: "behind" });
    const journal = await readJournal(join(folder, "behind", "journal.ndjson"));
    expect(journal.inputs.map((input) => [input.kind, input.at])).toEqual([
      ["started", Date.UTC(2026, 0, 1)],
      ["done", Date.UTC(2026, 0, 1)],
      ["started", Date.UTC(2026, 0, 1)],
      ["done", Date.UTC(2026, 0, 1)],
    ]);
  });
});

describe("a journal cut at random byte offsets", () => {
  it("resumes to the uninterrupted run's data from any cut after its header, and says why before it", async () => {
    // the journal comes from a finished run of the real CLI, in a process that has exited (its runner is not alive)
    const dir = await mkdtemp(join(tmpdir(), "adhesive-truncated-"));
    await cp(fixtures, dir, { recursive: true });
    await mkdir(join(dir, "node_modules"));
    await symlink(await builtPackage(), join(dir, "node_modules", "adhesive-bpmn"));
    await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const runs = join(dir, "runs");
    const bin = await builtCli();
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [bin, "release.ts"], { cwd: dir, env: { ...process.env, CALLS: join(dir, "calls.log"), ADHESIVE_RUNS_FOLDER: runs }, timeout: 60_000 }, (error, _out, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
      ),
    );
    const [runId] = await readdir(runs);
    const original = join(runs, runId, "journal.ndjson");
    const text = await readFile(original, "utf8");
    const headerBytes = Buffer.byteLength(text.slice(0, text.indexOf("\n") + 1));
    const normalize = (data: Data) => ({ ...data, built: [...(data.built as Set<string>)].sort(), tests: [...(data.tests as Map<string, number>)] });
    const expected = normalize(decodeValue(parseJournal(text, original).end!.data as ReturnType<typeof encodeValue>) as Data);
    const random = seeded(42);
    const offsets = [headerBytes - 1, headerBytes, Buffer.byteLength(text) - 1, ...Array.from({ length: 12 }, () => headerBytes + Math.floor(random() * (Buffer.byteLength(text) - headerBytes)))];
    for (const offset of offsets) {
      const copy = await mkdtemp(join(tmpdir(), "adhesive-cut-"));
      await cp(join(runs, runId), join(copy, runId), { recursive: true });
      await truncate(join(copy, runId, "journal.ndjson"), offset);
      // force: these functions do what the process file's do, but they are other functions, which a resume refuses by default
      const resumed = releaseTasks().bpmnBuild(join(dir, "release.bpmn"), { runId, runsFolder: copy, force: true, ui: scriptedUi({ approved: true, reviewers: ["ana"] }) });
      if (offset < headerBytes) {
        await expect(resumed, `cut at ${offset}`).rejects.toThrow(/no complete first record/);
        continue;
      }
      const data = await resumed;
      // Sets fill in the order the builds finish, which a resumed run may change: compared sorted
      expect({ offset, data: normalize(data) }).toEqual({ offset, data: expected });
    }
  });
});
