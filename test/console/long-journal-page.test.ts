/*
 * A long message run's page in Debian's chromium: signups.bpmn run through
 * the API with 12k signups (over 4 MB of journal, 20 chunks of reading),
 * served as `adhesive ui` serves it. The first time, the server has not
 * read the journal: the page is shown from what was read so far, says so,
 * and shows the whole run once the journal is read (the counts on the
 * diagram are the journal's). A console started again finds the index the
 * first read left beside the journal: its first answer is the whole run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { forgetJournalViews } from "../../src/console/journal-views.js";
import { CONSOLE_INDEX_FILE, JOURNAL_FILE } from "../../src/runs/files.js";
import { startLiveServer, type LiveServer } from "../../src/web/server.js";
import { signupTasks, type Signup } from "../fixtures/console/signup-tasks.js";
import { openBrowser, type Browser } from "../web/browser.js";
import { until } from "../waiting.js";
import { perTask } from "../journal/journal-records.js";

const SIGNUP_FILE = fileURLToPath(new URL("../fixtures/console/signups.bpmn", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "adhesive-long-page-"));
const SIGNUPS: Signup[] = Array.from({ length: 12_000 }, (_, n) => ({ name: `user${n}`, email: `user${n}-at-example.org` }));
let server: LiveServer;
let browser: Browser;

beforeAll(async () => {
  const adhesive = new Adhesive();
  signupTasks(adhesive, SIGNUPS);
  await adhesive.bpmnBuild(SIGNUP_FILE, { runId: "long", runsFolder: folder, tempFolder: folder });
  [server, browser] = await Promise.all([startLiveServer({ runsFolder: folder, project: process.cwd() }, 0), openBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(folder, { recursive: true, force: true });
});

/* how many times the journal says `element` completed */
function completions(element: string): number {
  const lines = readFileSync(join(folder, "long", JOURNAL_FILE), "utf8").trim().split("\n").slice(1);
  const records = perTask(lines.map((line) => JSON.parse(line.slice(0, line.lastIndexOf("\t"))) as { t: string; s?: number; n?: string }));
  const seqs = new Set(records.filter((r) => r.t === "s" && r.n === element).map((r) => r.s));
  return records.filter((r) => r.t === "d" && seqs.has(r.s)).length;
}

/* the run's page, and whether the server's first answer about the run said it was still reading the journal */
async function openRun(): Promise<{ page: Page; firstReading: () => boolean | undefined }> {
  const page = await browser.context.newPage();
  let firstReading: boolean | undefined;
  page.on("response", async (response) => {
    if (firstReading === undefined && new URL(response.url()).pathname === "/api/runs/long") firstReading = "reading" in ((await response.json()) as object);
  });
  // a run of another process gets its counts once on its stream, maybe after the journal was read: here only the page's own asking again can complete them
  await page.route(/\/api\/runs\/long\/events/, (route) => route.fulfill({ status: 200, headers: { "content-type": "text/event-stream" }, body: "retry: 600000\n\n" }));
  await page.goto(`${new URL("/runs/long", server.url).href}${new URL(server.url).search}`);
  return { page, firstReading: () => firstReading };
}

const badge = (page: Page, element: string) => page.locator(`.djs-overlays[data-container-id="${element}"] .badge.completed`);

describe("a long message run's page", () => {
  it("is shown from what the server read so far the first time, then whole once the journal is read", async () => {
    const { page, firstReading } = await openRun();
    await until(() => firstReading() !== undefined, "the run's first answer");
    expect(firstReading()).toBe(true);
    await page.locator('body[data-journal="read"]').waitFor({ state: "attached" });
    const expected = completions("reject");
    expect(expected).toBe(SIGNUPS.length);
    await until(async () => (await badge(page, "reject").textContent()) === String(expected), "every rejection counted on the diagram");
    expect(await page.locator('#summary [data-field="reading"]').count()).toBe(0);
    await until(async () => (await page.textContent("#instances-count")) === `${SIGNUPS.length} instances`, "every instance counted");
    await page.close();
  });

  it("is shown whole at once by a console started again, from the index the first read left", async () => {
    await until(() => existsSync(join(folder, "long", CONSOLE_INDEX_FILE)), "the index written");
    forgetJournalViews();
    const { page, firstReading } = await openRun();
    await until(() => firstReading() !== undefined, "the run's first answer");
    expect(firstReading()).toBe(false);
    await until(async () => (await badge(page, "reject").textContent()) === String(SIGNUPS.length), "every rejection counted on the diagram");
    expect(await page.getAttribute("body", "data-journal")).toBe("read");
    await page.close();
  });
});
