/*
 * A long journal's index beside it (console-index.bin): signups.bpmn run
 * through the API with 16k signups (rejected, a few taken names caught and
 * a name suggested), over 5 MB of journal (format 4 folds the starts of
 * the events of one millisecond, so the size depends on the machine's
 * speed: 12k signups came to 4.6 MB, at the threshold). A console reads the journal once
 * and writes its index; a console that starts again reads the index and
 * what the journal got since, and shows the same as a console that read
 * the journal whole. An index of another journal, or of the same file
 * written again, is not used.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { elementPage, timelinePage } from "../../src/console/entries.js";
import { INDEX_MIN_BYTES, loadIndex } from "../../src/console/journal-index.js";
import { journalState } from "../../src/console/journal-state.js";
import { JournalFollower } from "../../src/console/journal-follower.js";
import { JournalView } from "../../src/console/journal-view.js";
import { forgetJournalViews, journalViewOf } from "../../src/console/journal-views.js";
import { instancesPage } from "../../src/console/instances.js";
import { variables } from "../../src/console/variables.js";
import type { MonitorSummary } from "../../src/monitor/run-monitor.js";
import { CONSOLE_INDEX_FILE, JOURNAL_FILE } from "../../src/runs/files.js";
import { signupTasks, type Signup } from "../fixtures/console/signup-tasks.js";
import { until } from "../waiting.js";

const SIGNUP_FILE = fileURLToPath(new URL("../fixtures/console/signups.bpmn", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "adhesive-console-index-"));
const run = join(folder, "long");
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const SIGNUPS: Signup[] = Array.from({ length: 16_000 }, (_, n) => (n % 500 === 7 ? { name: "taken", email: `taken${n}@example.org` } : { name: `user${n}`, email: `user${n}-at-example.org` }));

beforeAll(async () => {
  const adhesive = new Adhesive();
  signupTasks(adhesive, SIGNUPS);
  await adhesive.bpmnBuild(SIGNUP_FILE, { runId: "long", runsFolder: folder, tempFolder: folder, initialData: { plan: "pro" } });
  expect(statSync(join(run, JOURNAL_FILE)).size).toBeGreaterThan(INDEX_MIN_BYTES * 1.1);
}, 120_000);

/* what the run page asks for, as JSON: the diagram's counts and failures, timeline pages, an element's executions, the instances, the variables */
async function pageOf(folder: string) {
  const { view } = await journalViewOf(folder);
  const summary = { state: "done" } as MonitorSummary;
  return JSON.parse(
    JSON.stringify({
      size: view!.size,
      state: journalState(view!, summary),
      first: timelinePage(view!, {}),
      middle: timelinePage(view!, { offset: 30_000 }),
      reject: timelinePage(view!, { elementId: "reject", offset: 5000 }),
      instance: timelinePage(view!, { instance: 508 }),
      create: elementPage(view!, "create", "done"),
      instances: instancesPage(view!, "done", { offset: 100 }),
      // the 508th signup's name was taken: caught, a name suggested
      caught: instancesPage(view!, "done", { state: "done", offset: 505, limit: 5 }),
      variables: variables(view!, "done", { instance: 508 }),
      result: variables(view!, "done", {}),
    }),
  ) as Record<string, unknown>;
}

/* the index written after a read: once the answers have gone */
async function indexWritten(folder: string): Promise<void> {
  await until(() => existsSync(join(folder, CONSOLE_INDEX_FILE)), "the index written");
}

describe("a long journal's index", () => {
  let whole: Record<string, unknown>;

  it("is written beside the journal after the console read it, and a console started again shows the same from it", async () => {
    whole = await pageOf(run);
    expect(whole.size).toBeGreaterThan(70_000);
    expect(whole.caught).toMatchObject({ instances: [{ number: 506, caught: 0 }, { number: 507 }, { number: 508, caught: 1 }, { number: 509 }, { number: 510 }] });
    await indexWritten(run);
    const { ino, size } = statSync(join(run, JOURNAL_FILE));
    expect(await loadIndex(run, join(run, JOURNAL_FILE), ino, size)).toMatchObject({ position: { offset: size, ino } });
    forgetJournalViews();
    expect(await pageOf(run)).toEqual(whole);
  });

  it("of a journal that grew since is read on from where it stopped: the console shows what a whole read shows", async () => {
    // the same journal, cut at a line past the size that gets an index: its index, then the rest of its lines written after it
    const grown = join(folder, "grown");
    mkdirSync(grown);
    const bytes = readFileSync(join(run, JOURNAL_FILE));
    const half = bytes.indexOf(10, INDEX_MIN_BYTES) + 1;
    writeFileSync(join(grown, JOURNAL_FILE), bytes.subarray(0, half));
    const before = await journalViewOf(grown);
    expect(before.view!.size).toBeLessThan(whole.size as number);
    await indexWritten(grown);
    forgetJournalViews();
    appendFileSync(join(grown, JOURNAL_FILE), bytes.subarray(half));
    const index = await loadIndex(grown, join(grown, JOURNAL_FILE), statSync(join(grown, JOURNAL_FILE)).ino, bytes.length);
    expect(index?.position.offset).toBe(half);
    expect(await pageOf(grown)).toEqual(whole);
  });

  it("is not used for another file (a journal replaced, as a snapshot replaces it) nor for the same file written again", async () => {
    const replaced = join(folder, "replaced");
    mkdirSync(replaced);
    copyFileSync(join(run, JOURNAL_FILE), join(replaced, JOURNAL_FILE));
    copyFileSync(join(run, CONSOLE_INDEX_FILE), join(replaced, CONSOLE_INDEX_FILE));
    const journal = join(replaced, JOURNAL_FILE);
    // the same bytes in another file: its inode is not the index's
    expect(await loadIndex(replaced, journal, statSync(journal).ino, statSync(journal).size)).toBeUndefined();
    // the index's own file, written again with one byte changed just before where the index stopped
    const bytes = readFileSync(join(run, JOURNAL_FILE));
    const { ino, size } = statSync(join(run, JOURNAL_FILE));
    const changed = Buffer.from(bytes);
    changed[size - 100] = changed[size - 100] === 0x31 ? 0x32 : 0x31;
    writeFileSync(join(run, JOURNAL_FILE), changed);
    expect(statSync(join(run, JOURNAL_FILE)).ino).toBe(ino);
    expect(await loadIndex(run, join(run, JOURNAL_FILE), ino, size)).toBeUndefined();
    writeFileSync(join(run, JOURNAL_FILE), bytes);
    expect(await loadIndex(run, join(run, JOURNAL_FILE), ino, size)).toBeDefined();
  });

  it("keeps the counts a read as the journal grows gives: the same as one read of the whole", async () => {
    // the journal read in pieces, as a running run's page reads it
    const view = await readInPieces(join(run, JOURNAL_FILE), 7);
    forgetJournalViews();
    const { view: once } = await journalViewOf(run);
    expect([...view.counts("done")]).toEqual([...once!.counts("done")]);
    expect(view.recentFailures()).toEqual(once!.recentFailures());
    expect(instancesPage(view, "done", {}).states).toEqual(instancesPage(once!, "done", {}).states);
    expect(view.entriesPerElement()).toEqual(once!.entriesPerElement());
  });
});

/* the journal given to a follower `pieces` lines-cut parts at a time */
async function readInPieces(journal: string, pieces: number): Promise<JournalView> {
  const bytes = readFileSync(journal);
  const piecewise = join(folder, "pieces");
  mkdirSync(piecewise, { recursive: true });
  const file = join(piecewise, JOURNAL_FILE);
  writeFileSync(file, "");
  const follower = new JournalFollower(file);
  let view: JournalView | undefined;
  let from = 0;
  for (let k = 1; k <= pieces; k++) {
    const to = k === pieces ? bytes.length : bytes.indexOf(10, Math.floor((bytes.length * k) / pieces)) + 1;
    appendFileSync(file, bytes.subarray(from, to));
    from = to;
    await follower.read((record, offset) => (offset === 0 ? (view = new JournalView(record)) : view!.add(record)));
  }
  return view!;
}
