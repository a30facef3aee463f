/*
 * The variables on a run's page, as an operator opens them: the real CLI
 * runs signups.ts with initial data that holds a plan, 450 earlier signups
 * and an API key kept as a project secret (the run never reads it, so its
 * journal holds it as it is); `adhesive ui` serves it and Debian's chromium
 * opens the tree. The run's result comes a level at a time, a large array
 * a page at a time; a message instance's own data replaces it when its row
 * is clicked; the secret never reaches the page.
 * `UPDATE_SCREENSHOTS=1 npx vitest run test/console/variables-page.test.ts`
 * writes docs/console-variables.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Browser } from "../web/browser.js";
import { startCli, type CliRun } from "../web/cli-run.js";
import { until } from "../waiting.js";

const fixture = fileURLToPath(new URL("../fixtures/console/signups.ts", import.meta.url));
const project = mkdtempSync(join(tmpdir(), "adhesive-variables-"));
const docs = (name: string) => (process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)) : join(project, name));
const API_KEY = "key-7781-console-tree";
let runId: string;
let ui: CliRun;
let url: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(join(project, ".adhesive", "secrets"), { recursive: true });
  writeFileSync(join(project, ".adhesive", "secrets", "api_key"), `${API_KEY}\n`, { mode: 0o600 });
  const data = { plan: "pro", apiKey: API_KEY, history: Array.from({ length: 450 }, (_, i) => ({ signup: i, ok: i % 3 !== 0 })) };
  const cli = startCli([fixture, "--data", JSON.stringify(data)], project);
  // HOME: the user's secrets are read too; this project's stand in for them
  ui = startCli(["ui"], project, { HOME: project });
  [, [, url], browser] = await Promise.all([cli.exited, ui.waitFor(/console: (http:\S+)/), openBrowser()]);
  runId = /run ([0-9a-f-]{36})/.exec(cli.stdout() + cli.stderr())![1];
});

afterAll(async () => {
  await browser?.close();
  ui?.child.kill("SIGKILL");
  rmSync(project, { recursive: true, force: true });
});

async function openRun(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto(`${new URL(`/runs/${runId}`, url).href}${new URL(url).search}`);
  return page;
}

/* the top level of the tree: key -> what it shows (a leaf's value, a closed container's size) */
async function topLevel(page: Page): Promise<Record<string, string>> {
  const items = await page.locator("#variables-tree > ul.tree > li").evaluateAll((lis) => lis.map((li) => [li.querySelector(".key")!.textContent!, (li.querySelector(":scope > .value") ?? li.querySelector(".size"))!.textContent!.trim()]));
  return Object.fromEntries(items);
}

const entry = (page: Page, path: Array<string | number>) => page.locator(`#variables-tree li[data-path='${JSON.stringify(path)}']`);

describe("the variables of a run", () => {
  it("show its result a level at a time, and a large array a page at a time", async () => {
    const page = await openRun();
    await until(async () => Object.keys(await topLevel(page)).includes("history"), "the run's variables");
    const top = await topLevel(page);
    expect(top).toMatchObject({ plan: '"pro"', history: "[450 entries]", account: "{3 entries}", welcomed: "true" });
    expect(await page.textContent("#variables-of")).toContain("the run's result");
    const history = entry(page, ["history"]);
    await history.locator("> button.toggle").click();
    const items = history.locator("> ul.tree > li[data-path]");
    await until(async () => (await items.count()) === 200, "the first 200 signups");
    await history.locator("> ul.tree > li.more button").click();
    await until(async () => (await items.count()) === 400, "200 more");
    expect(await history.locator("> ul.tree > li.more").textContent()).toBe("show 50 more of 50");
    await history.locator("> ul.tree > li.more button").click();
    await until(async () => (await items.count()) === 450, "all 450");
    // a closed entry of it opens on its own
    await entry(page, ["history", 449]).locator("> button.toggle").click();
    await entry(page, ["history", 449, "ok"]).waitFor();
    expect(await entry(page, ["history", 449, "ok"]).textContent()).toBe("ok: true");
    await page.close();
  });

  it("show a message instance's own data once its row is clicked", async () => {
    const page = await openRun();
    await page.click('#instance-rows tr[data-instance="2"]');
    await until(async () => (await page.textContent("#variables-of"))!.includes("instance 2"), "instance 2's variables");
    await until(async () => (await topLevel(page)).rejected !== undefined, "instance 2's data");
    const top = await topLevel(page);
    expect(top).toMatchObject({ name: '"bo"', valid: "false", rejected: '"no valid email: bo-at-example.org"', event: "{2 entries}" });
    expect(top).not.toHaveProperty("account");
    await entry(page, ["event"]).locator("> button.toggle").click();
    await entry(page, ["event", "email"]).waitFor();
    await page.screenshot({ path: docs("console-variables.png") });
    await page.close();
  });

  it("never send a secret the run's data holds to the page", async () => {
    const page = await openRun();
    await until(async () => (await topLevel(page)).apiKey !== undefined, "the run's variables");
    expect((await topLevel(page)).apiKey).toBe('"********"');
    expect(await page.content()).not.toContain(API_KEY);
    expect(readFileSync(join(project, "runs", runId, "journal.ndjson"), "utf8")).toContain(API_KEY);
    await page.close();
    expect(browser.outside).toEqual([]);
  });
});
