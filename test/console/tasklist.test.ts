/*
 * The console's tasklist as the people who answer user tasks use it: the
 * real CLI runs approvals.ts twice (`--ui`, so that off a terminal their
 * forms wait for an answer from outside), each waiting at a user task whose
 * form was drawn in Camunda Modeler; `adhesive ui` lists both, with their
 * forms, in Debian's chromium. An answer given there reaches the run's
 * journal; a task answered first with `adhesive complete` leaves the list,
 * and a late answer to it is refused.
 * `UPDATE_SCREENSHOTS=1 npx vitest run test/console/tasklist.test.ts`
 * writes docs/console-tasklist.png.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJournal, type Journal } from "../../src/journal/reader.js";
import { decodeValue, type EncodedValue } from "../../src/journal/values.js";
import { openBrowser, type Browser } from "../web/browser.js";
import { adhesiveIn, startCli, type CliRun } from "../web/cli-run.js";
import { until } from "../waiting.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/console/${name}`, import.meta.url));
const docs = (name: string) => (process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)) : join(project, name));

const project = mkdtempSync(join(tmpdir(), "adhesive-tasklist-"));
let first: CliRun;
let second: CliRun;
let ui: CliRun;
let url: string;
let browser: Browser;
let opening: Promise<Browser> | undefined;

const journal = (run: CliRun, id: string): Promise<Journal> => readJournal(join(run.project, "runs", id, "journal.ndjson"));

/* what the user task's execution set in the data, as its journal's completion holds it */
function answerIn(read: Journal): unknown {
  const started = read.inputs.find((input) => input.kind === "started" && input.node === "approve");
  const done = read.inputs.find((input) => input.kind === "done" && started?.kind === "started" && input.seq === started.seq);
  return done?.kind === "done" ? done.set : undefined;
}

beforeAll(async () => {
  opening = openBrowser();
  first = startCli(["--ui", fixture("approvals.ts"), "--data", JSON.stringify({ order: "A-17" })], project);
  second = startCli(["--ui", fixture("approvals.ts"), "--data", JSON.stringify({ order: "B-4" })], project);
  ui = startCli(["ui"], project, { HOME: project });
  await Promise.all([first.waitFor(/user task Approve Refund waits for an answer/), second.waitFor(/user task Approve Refund waits for an answer/)]);
  [, url] = await ui.waitFor(/console: (http:\S+)/);
  browser = await opening;
});

afterAll(async () => {
  await (await opening?.catch(() => undefined))?.close();
  for (const cli of [ui, first, second]) cli?.child.kill("SIGKILL");
  rmSync(project, { recursive: true, force: true });
});

async function openTasklist(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 900, height: 720 });
  await page.goto(new URL("/tasks", url).href + new URL(url).search);
  return page;
}

/* a request as the page makes it, with the token in its header */
async function post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const { origin, searchParams } = new URL(url);
  const response = await fetch(`${origin}${path}`, { method: "POST", headers: { "x-adhesive-token": searchParams.get("token")!, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

const card = (page: Page, runId: string) => page.locator(`#task-cards li.task-card[data-run="${runId}"]`);

describe("adhesive ui: the tasklist", () => {
  it("lists the open user tasks of every running run with their modeler forms, and an answer there reaches the run's journal", async () => {
    const [idA, idB] = await Promise.all([first.runId(), second.runId()]);
    const page = await openTasklist();
    await card(page, idA).waitFor();
    await card(page, idB).waitFor();
    expect(await page.textContent("#tasks-count")).toBe("2 user tasks wait for an answer, the longest waiting first.");
    const mine = card(page, idA);
    expect(await mine.locator("h2").textContent()).toBe("User task: Approve Refund");
    expect(await mine.locator(".task-run").textContent()).toContain(`run ${idA.slice(0, 8)} · Refund · waiting since`);
    // the form drawn in the modeler: a yes/no choice, a number, a choice of two
    expect(await mine.locator('input[name="approved"]').evaluateAll((inputs) => inputs.map((input) => input as unknown as { value: string; checked: boolean }).map((i) => `${i.value}${i.checked ? "*" : ""}`))).toEqual(["true", "false*"]);
    expect(await mine.locator('select[name="channel"] option').allTextContents()).toEqual(["the card", "a voucher"]);
    await page.screenshot({ path: docs("console-tasklist.png") });

    await mine.locator('input[name="approved"][value="true"]').check();
    await mine.locator('input[name="refunded"]').fill("25");
    await mine.locator('select[name="channel"]').selectOption("voucher");
    await mine.locator('button[name="OK"]').click();
    expect(await first.exited).toBe(0);
    const read = await journal(first, idA);
    // typed as the modeler's form says: a boolean, a number
    expect(answerIn(read)).toEqual({ approved: true, refunded: 25, channel: "voucher" });
    expect(read.end?.state).toBe("done");
    expect(decodeValue(read.end?.data as EncodedValue)).toMatchObject({ order: "A-17", paid: 25 });
    await until(async () => (await card(page, idA).count()) === 0, "the answered task to leave the list");
    await page.close();
  });

  it("takes the first answer only: a task answered with adhesive complete leaves the list, and a late answer is refused", async () => {
    const idB = await second.runId();
    const page = await openTasklist();
    await card(page, idB).waitFor();
    const form = await card(page, idB).getAttribute("data-form");
    const completed = await adhesiveIn(second, ["complete", idB.slice(0, 8), "Approve Refund", "--data", JSON.stringify({ approved: "false", channel: "card" })]);
    expect(completed.code).toBe(0);
    await until(async () => (await card(page, idB).count()) === 0, "the task answered elsewhere to leave the list");
    expect(await page.textContent("#tasks-count")).toBe("No user task waits for an answer.");
    expect(await second.exited).toBe(0);
    const late = await post(`/api/tasks/${idB}/${form!}`, { approved: "true" });
    expect(late).toEqual({ status: 409, body: { code: "ADHESIVE_RUN_ENDED", message: `run ${idB} is not running (its process has ended)` } });
    expect(answerIn(await journal(second, idB))).toMatchObject({ approved: false, channel: "card" });
    await page.close();
  });

  it("answers 404 for an unknown run, 405 for a GET of a task and 401 without the token", async () => {
    const { port, searchParams } = new URL(url);
    const base = `http://127.0.0.1:${port}`;
    const headers = { "x-adhesive-token": searchParams.get("token")!, "content-type": "application/json" };
    const unknown = await fetch(`${base}/api/tasks/0123abcd-no-such-run/1`, { method: "POST", headers, body: "{}" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "ADHESIVE_NO_SUCH_RUN" });
    expect((await fetch(`${base}/api/tasks/0123abcd-no-such-run/1`, { headers })).status).toBe(405);
    expect((await fetch(`${base}/api/tasks`)).status).toBe(401);
    expect(await (await fetch(`${base}/api/tasks`, { headers })).json()).toEqual({ tasks: [], unreachable: [] });
  });

  it("leaves no process behind once the console stops", async () => {
    ui.child.kill("SIGTERM");
    expect(await ui.exited).toBe(0);
    const left = readdirSync("/proc").filter((pid) => {
      try {
        return /^\d+$/.test(pid) && readlinkSync(`/proc/${pid}/cwd`).startsWith(project);
      } catch {
        return false;
      }
    });
    expect(left).toEqual([]);
  });
});
