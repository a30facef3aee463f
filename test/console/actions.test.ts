/*
 * A run's incident and actions in `adhesive ui`, as an operator uses them:
 * the real CLI runs payment.ts, whose card payment fails while the gateway
 * is down, and stock.ts, which waits for stock; then `adhesive ui` serves
 * them and Debian's chromium opens its URL. The failed run shows its
 * incident (the task's error and log) and is retried once the gateway is
 * back; the retried run, waiting for its courier, is cancelled; the waiting
 * run, once its runner died, is resumed. Each effect is read back from the
 * run's journal. The API refuses what cannot be done, and the console,
 * stopped while a run it resumed goes on, says so and leaves that run
 * running to its end.
 * `UPDATE_SCREENSHOTS=1 npx vitest run test/console/actions.test.ts`
 * writes docs/console-incident.png.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "../../src/journal/process-identity.js";
import { readJournal, type Journal, type JournalNote } from "../../src/journal/reader.js";
import { decodeValue, type EncodedValue } from "../../src/journal/values.js";
import { openBrowser, type Browser } from "../web/browser.js";
import { startCli, type CliRun } from "../web/cli-run.js";
import { until } from "../waiting.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/console/${name}`, import.meta.url));
const docs = (name: string) => (process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)) : join(project, name));

const project = mkdtempSync(join(tmpdir(), "adhesive-actions-"));
const ids = { failed: "", resumed: "" };
let waiting: CliRun;
let ui: CliRun;
let url: string;
let browser: Browser;
let opening: Promise<Browser> | undefined;

const journal = (id: string): Promise<Journal> => readJournal(join(project, "runs", id, "journal.ndjson"));
const resumes = (read: Journal) => read.notes.filter((note) => note.t === "resume");
/* the process a resume note names, as the journal identifies it */
const alive = (note: JournalNote) => isAlive({ pid: note.pid as number, start: note.start as number | undefined });

/* the processes whose working folder is the project's: the CLI runs and whatever they started */
function processesHere(): string[] {
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(project);
    } catch {
      return false;
    }
  });
}

beforeAll(async () => {
  // all at once: each CLI (and the browser) takes a while to start on a busy machine
  opening = openBrowser();
  const failing = startCli([fixture("payment.ts"), "--data", JSON.stringify({ order: 7, amount: 40 })], project);
  waiting = startCli([fixture("stock.ts")], project);
  // HOME: no user configuration but the test's
  ui = startCli(["ui"], project, { HOME: project });
  expect(await failing.exited).toBe(1);
  ids.failed = /run ([0-9a-f-]{36})/.exec(failing.stdout())![1];
  ids.resumed = await waiting.runId();
  await waiting.waitFor(/run\s+Wait For Stock/);
  [, url] = await ui.waitFor(/console: (http:\S+)/);
  browser = await opening;
});

afterAll(async () => {
  // opened even when the runs before it failed to start
  await (await opening?.catch(() => undefined))?.close();
  for (const cli of [ui, waiting]) cli?.child.kill("SIGKILL");
  for (const pid of processesHere()) process.kill(Number(pid), "SIGKILL");
  rmSync(project, { recursive: true, force: true });
});

async function openRun(id: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 760 });
  await page.goto(new URL(`/runs/${id}`, url).href + new URL(url).search);
  return page;
}

const stateShown = (page: Page, state: string) => page.locator('#summary dd[data-field="state"]', { hasText: state }).waitFor();

describe("adhesive ui: a failed run's incident, Retry and Cancel", () => {
  let page: Page;
  let retry: JournalNote;

  it("shows the failed task's error and log, asks before retrying, and retries it as adhesive resume --retry does", async () => {
    page = await openRun(ids.failed);
    const incident = page.locator("#actions .incident");
    await incident.waitFor();
    expect(await incident.getAttribute("data-element")).toBe("charge");
    expect(await incident.locator("pre.error").textContent()).toBe("payment gateway unreachable for order 7");
    await page.locator("#actions .incident-log", { hasText: "the payment gateway did not answer" }).waitFor();
    expect(await page.locator("#actions .incident-log").textContent()).toContain("charging order 7: 40 EUR");

    await page.click('#actions button[data-action="retry"]');
    await page.locator("#actions .confirm p", { hasText: "Run the failed task" }).waitFor();
    await page.screenshot({ path: docs("console-incident.png") });
    // asked, not done: nothing was started yet
    expect(resumes(await journal(ids.failed))).toEqual([]);
    writeFileSync(join(project, "gateway-up"), "");
    await page.click("#actions .confirm-yes");
    await page.locator("#actions .action-result", { hasText: "adhesive resume --retry took the run over" }).waitFor();
    // the retried run goes on to Ship Order, which waits for its courier
    await stateShown(page, "running");

    let read = await journal(ids.failed);
    [retry] = resumes(read);
    expect(retry).toMatchObject({ retry: true });
    expect(retry.pid).not.toBe(ui.child.pid);
    await until(async () => (read = await journal(ids.failed)).inputs.some((input) => input.kind === "started" && input.node === "ship"), "the retried run to reach Ship Order");
    // Charge Card ran again, and this time charged the card
    const charges = read.inputs.flatMap((input) => (input.kind === "started" && input.node === "charge" ? [input.seq] : []));
    expect(charges).toHaveLength(2);
    expect(read.inputs.find((input) => input.kind === "done" && input.seq === charges[1])).toMatchObject({ set: { charged: 40 } });
  });

  it("cancels the running run for good once asked twice: its task stops and its journal ends cancelled", async () => {
    await page.click('#actions button[data-action="cancel"]');
    await page.locator("#actions .confirm p", { hasText: "cannot be resumed" }).waitFor();
    await page.click("#actions .confirm-yes");
    await stateShown(page, "cancelled");
    const read = await journal(ids.failed);
    expect(read.end).toMatchObject({ state: "cancelled", error: "run cancelled: from the console" });
    // Ship Order was stopped, never done
    const ship = read.inputs.find((input) => input.kind === "started" && input.node === "ship");
    expect(ship).toBeDefined();
    expect(read.inputs.some((input) => input.kind === "done" && ship?.kind === "started" && input.seq === ship.seq)).toBe(false);
    await until(() => !alive(retry), "the CLI of the retry to exit once its run was cancelled");
    // nothing is left to do to a cancelled run
    await page.locator('#actions[data-state="cancelled"]').waitFor({ state: "attached" });
    expect(await page.locator("#actions button.action").count()).toBe(0);
    await page.close();
  });
});

/* a request to the console's API as a page makes it: with the token in its header, or as told */
function call(method: string, path: string, options: { token?: boolean; host?: string } = {}): Promise<{ status: number; body: { code?: string; message?: string } }> {
  const { port, searchParams } = new URL(url);
  const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${port}`, "content-type": "application/json" };
  if (options.token !== false) headers["x-adhesive-token"] = searchParams.get("token")!;
  return new Promise((resolve, reject) => {
    const sent = request({ host: "127.0.0.1", port, method, path, headers }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode!, body: text.startsWith("{") ? JSON.parse(text) : { message: text } }));
    });
    sent.on("error", reject);
    sent.end(method === "POST" ? "{}" : undefined);
  });
}

describe("adhesive ui: the actions API", () => {
  it("refuses an action the run's state does not allow with 409 and the reason", async () => {
    const retry = await call("POST", `/api/runs/${ids.failed}/actions/retry`);
    expect(retry).toEqual({ status: 409, body: { code: "ADHESIVE_ACTION_REFUSED", message: `run ${ids.failed} is cancelled: only a failed run can be retried (an interrupted one is resumed)` } });
    const cancel = await call("POST", `/api/runs/${ids.failed}/actions/cancel`);
    expect(cancel).toEqual({ status: 409, body: { code: "ADHESIVE_ACTION_REFUSED", message: `run ${ids.failed} is cancelled: only a running run can be cancelled` } });
    const resume = await call("POST", `/api/runs/${ids.resumed}/actions/resume`);
    expect(resume).toEqual({ status: 409, body: { code: "ADHESIVE_ACTION_REFUSED", message: `run ${ids.resumed} is running: only an interrupted run can be resumed (a failed one is retried)` } });
    expect(resumes(await journal(ids.failed))).toHaveLength(1);
    expect(resumes(await journal(ids.resumed))).toEqual([]);
  });

  it("answers 404 for an unknown run or action, 405 for a GET, 401 without the token and 403 for another Host", async () => {
    expect(await call("POST", "/api/runs/0123abcd-no-such-run/actions/retry")).toMatchObject({ status: 404, body: { code: "ADHESIVE_NO_SUCH_RUN" } });
    expect(await call("POST", `/api/runs/${ids.resumed}/actions/restart`)).toMatchObject({ status: 404, body: { code: "ADHESIVE_NOT_FOUND", message: 'no action "restart": a run\'s actions are retry, resume, cancel' } });
    expect(await call("GET", `/api/runs/${ids.resumed}/actions/resume`)).toMatchObject({ status: 405 });
    const anonymous = await call("POST", `/api/runs/${ids.resumed}/actions/cancel`, { token: false });
    expect(anonymous.status).toBe(401);
    const rebound = await call("POST", `/api/runs/${ids.resumed}/actions/cancel`, { host: "evil.example" });
    expect(rebound.status).toBe(403);
    // none of them reached the run
    expect((await journal(ids.resumed)).end).toBeUndefined();
  });
});

describe("adhesive ui: Resume, and stopping the console", () => {
  it("resumes a run whose runner died in a CLI of its own, which goes on, said, when the console stops", async () => {
    waiting.child.kill("SIGKILL");
    await waiting.exited;
    const page = await openRun(ids.resumed);
    await stateShown(page, "interrupted");
    await page.click('#actions button[data-action="resume"]');
    await page.click("#actions .confirm-yes");
    await page.locator("#actions .action-result", { hasText: "adhesive resume took the run over" }).waitFor();
    const [resume] = resumes(await journal(ids.resumed));
    expect(resume.retry).toBeUndefined();
    await page.close();

    ui.child.kill("SIGTERM");
    expect(await ui.exited).toBe(0);
    expect(ui.stderr()).toContain(`note: run ${ids.resumed} goes on in process ${String(resume.pid)} (adhesive resume ${ids.resumed}, started from the page; its output: runs/${ids.resumed}/actions.log); adhesive cancel ${ids.resumed.slice(0, 8)} stops it`);
    expect(alive(resume)).toBe(true);
    writeFileSync(join(project, "restock"), "");
    await until(async () => (await journal(ids.resumed)).end !== undefined, "the resumed run to end");
    const read = await journal(ids.resumed);
    expect(read.end?.state).toBe("done");
    expect(decodeValue(read.end?.data as EncodedValue)).toMatchObject({ restocked: true });
    await until(() => processesHere().length === 0, "every process of the project to exit");
  });
});
