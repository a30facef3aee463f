/*
 * Where a message run failed, by instance: signups.bpmn run through the API
 * (one message event per signup). The run's end record names the instance
 * of the gateway that had no flow to take, and the note of a caught failure
 * names the instance of the task it caught, so the console marks those
 * instances whatever input the journal holds last (a timer, a message to
 * waiting events, a resume).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { journalRecords } from "./journal-records.js";
import { Adhesive, TaskError } from "../../src/index.js";
import { signupTasks } from "../fixtures/console/signup-tasks.js";

const SIGNUP_FILE = fileURLToPath(new URL("../fixtures/console/signups.bpmn", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "adhesive-failure-instance-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

type Line = { t: string; i?: number; n?: string; element?: { id: string; i?: number } };
const lines = (file: string): Promise<Line[]> => journalRecords<Line>(file);

describe("a message run's failure names its instance", () => {
  it("on the run's end when a gateway of the second signup has no flow to take, and on the note of the third signup's caught failure", async () => {
    const adhesive = new Adhesive();
    signupTasks(adhesive);
    const failure = await adhesive
      .bpmnBuild(SIGNUP_FILE, { runId: "gateway", runsFolder: folder, tempFolder: folder, initialData: { undecidedOn: "bo" } })
      .then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(TaskError);
    expect(failure).toMatchObject({ elementId: "valid", instance: 2 });

    const records = await lines(join(folder, "gateway", "journal.ndjson"));
    expect(records.find((record) => record.t === "end")?.element).toMatchObject({ id: "valid", i: 2 });
  });

  it("on the caught note, in the instance of the task that threw", async () => {
    const adhesive = new Adhesive();
    signupTasks(adhesive);
    await adhesive.bpmnBuild(SIGNUP_FILE, { runId: "caught", runsFolder: folder, tempFolder: folder, initialData: {} });
    const records = await lines(join(folder, "caught", "journal.ndjson"));
    const caught = records.filter((record) => record.t === "caught");
    // "taken" is the third signup: its Create Account throws into the error boundary
    expect(caught.map((record) => record.i)).toEqual([3]);
  });
});
