/*
 * The console reads flat journal records (a task started or ended, an
 * instance ended) straight from their bytes, and leaves every other to
 * JSON.parse: what it reads is what JSON.parse reads, record by record, for
 * the journal of a real run (signups.bpmn through the API: a failure, a
 * caught error, messages, data) and for records that are almost flat.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { flatRecord } from "../../src/console/flat-record.js";
import { JOURNAL_FILE } from "../../src/runs/files.js";
import { signupTasks } from "../fixtures/console/signup-tasks.js";

const SIGNUP_FILE = fileURLToPath(new URL("../fixtures/console/signups.bpmn", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "adhesive-flat-record-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const read = (text: string) => {
  const bytes = Buffer.from(text);
  return flatRecord(bytes, 0, bytes.length);
};

describe("a flat journal record", () => {
  it("reads as JSON.parse reads it, for every record of a real journal that it reads at all", async () => {
    const adhesive = new Adhesive();
    signupTasks(adhesive);
    await adhesive.bpmnBuild(SIGNUP_FILE, { runId: "signups", runsFolder: folder, tempFolder: folder, initialData: { failOn: "cy" } }).catch(() => undefined);
    const lines = readFileSync(join(folder, "signups", JOURNAL_FILE), "utf8").trim().split("\n");
    const flat: string[] = [];
    for (const line of lines) {
      const json = line.slice(0, line.lastIndexOf("\t"));
      const record = read(json);
      if (record === undefined) continue;
      flat.push(record.t as string);
      expect(record).toEqual(JSON.parse(json));
    }
    // the tasks' starts, the instances' ends (a task's end that changed data, a message, a failure have objects in them, and tasks started together, or by instances in a row, an array)
    const starts = lines.filter((line) => (line.startsWith('{"t":"s",') && !line.includes('"n":[')) || line.startsWith('{"t":"ie",')).length;
    expect(flat.filter((t) => t === "s" || t === "ie")).toHaveLength(starts);
    expect(starts).toBeGreaterThan(3);
  });

  it("is read as JSON.parse reads it when it has integers and plain strings only, and left to it otherwise", () => {
    for (const json of ['{"t":"s","s":1,"i":1,"n":"t2","at":14}', '{"t":"d","s":0,"at":-3}', '{"t":"log","s":12,"file":"t1.12.log"}', '{"t":"x","n":""}', '{"a":999999999999999}']) {
      expect(read(json), json).toEqual(JSON.parse(json));
    }
    for (const json of ['{"t":"d","s":1,"c":{"a":1}}', '{"t":"n","n":"caf\\u00e9"}', '{"t":"n","n":"café"}', '{"t":"f","at":1.5}', '{"t":"f","at":1e3}', '{"t":"x","at":007}', '{"t":"x","ok":true}', '{"t":"x","n":null}', '{"t":"x","big":12345678901234567}', '{ "t":"s"}', "{}", '{"t":"s",}', '{"t":"s"}x']) {
      expect(read(json), json).toBeUndefined();
    }
  });
});
