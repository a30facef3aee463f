/*
 * adhesive cancel from another process, against a run of the real CLI that
 * waits for stock: the run ends "cancelled" for good (its journal says so,
 * its process exits 130, resume refuses it), a second cancel finds nothing
 * running, and bad usage exits 2.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readJournal } from "../../src/journal/reader.js";
import { adhesiveIn, startCli } from "../web/cli-run.js";

const stock = fileURLToPath(new URL("../fixtures/console/stock.ts", import.meta.url));
const run = startCli([stock]);
afterAll(() => run.cleanup());

describe("adhesive cancel", () => {
  it("cancels a running run for good, and refuses what is not one", async () => {
    const id = await run.runId();
    await run.waitFor(/run\s+Wait For Stock/);
    const cancelled = await adhesiveIn(run, ["cancel", id.slice(0, 8)]);
    expect(cancelled).toMatchObject({ code: 0, stdout: `run ${id} was cancelled\n` });
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain("cancelled: run cancelled: with adhesive cancel");
    const journal = await readJournal(join(run.project, "runs", id, "journal.ndjson"));
    expect(journal.end).toMatchObject({ state: "cancelled", error: "run cancelled: with adhesive cancel" });

    const again = await adhesiveIn(run, ["cancel", id]);
    expect(again).toMatchObject({ code: 1, stderr: `adhesive: run ${id} is not running (its process has ended)\n` });
    const resumed = await adhesiveIn(run, ["resume", id]);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain("it was cancelled (run cancelled: with adhesive cancel): start a new run instead");
    const usage = await adhesiveIn(run, ["cancel"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("adhesive cancel takes a run id (or the start of one)");
  });
});
