/*
 * The live view scales with its viewers (issue 18, item 6). A thousand
 * event-stream clients on one run of `adhesive --ui`: each update goes to
 * each client once (a newcomer used to make the server send everyone else
 * an update, N(N+1)/2 messages in all), the API and the page still answer
 * while they are connected, and a client that stops reading is dropped
 * instead of buffered without end.
 */
import { request } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openBrowser, type Browser } from "./browser.js";
import { liveFixture, startCli, type CliRun } from "./cli-run.js";
import { openEvents, stalledEvents, type SseClient } from "./sse-client.js";

const CLIENTS = 1000;
/* connected this many at a time, each batch once all of it got its first message: the listen backlog is not what is tested */
const BATCH = 100;

const runs: CliRun[] = [];
const clients: SseClient[] = [];
let browser: Browser | undefined;
afterAll(async () => {
  for (const client of clients) client.close();
  await browser?.close();
  for (const run of runs) run.cleanup();
});

async function started(fixture: string): Promise<{ run: CliRun; url: URL; token: string; id: string }> {
  const run = startCli(["--ui", liveFixture(fixture)]);
  runs.push(run);
  const [, printed] = await run.waitFor(/live view: (http:\S+)/);
  const url = new URL(printed);
  return { run, url, token: url.searchParams.get("token")!, id: await run.runId() };
}

/** Polls `probe` every 25 ms until it holds; fails after `ms` saying what it waited for (bounds the test, asserts no time). */
async function until(what: string, probe: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function getJson(url: URL, path: string, token: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: url.port, path, agent: false, timeout: 30_000, headers: { host: `127.0.0.1:${url.port}`, "x-adhesive-token": token } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer to ${path}`)));
    req.on("error", reject);
    req.end();
  });
}

describe("a thousand viewers of one run", () => {
  it("each gets each update once, and the API and the page answer while they are connected", async () => {
    const { run, url, token, id } = await started("viewers.ts");
    const port = Number(url.port);
    for (let batch = 0; batch < CLIENTS / BATCH; batch++) {
      clients.push(...(await Promise.all(Array.from({ length: BATCH }, () => openEvents(port, id, token)))));
    }
    // the API answers with all of them connected
    const state = await getJson(url, `/api/runs/${id}`, token);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ info: { id }, elements: { hold: { running: 1 } } });
    // and so does the page, which gets the updates as well
    browser = await openBrowser();
    const page = await browser.context.newPage();
    await page.goto(new URL(`/runs/${id}?token=${token}`, url).href);
    await page.locator('.djs-element.ad-running[data-element-id="hold"]').waitFor({ timeout: 30_000 });

    // three changes of the run, each seen by every client before the next
    for (const [file, element] of [
      ["release", "hold"],
      ["step-1", "step1"],
      ["step-2", "step2"],
    ]) {
      writeFileSync(join(run.project, file), "");
      await until(`all ${CLIENTS} clients saw ${element} completed`, () => clients.every((client) => client.completed.get(element) === 1));
    }
    await page.locator('.djs-element.ad-done[data-element-id="step2"]').waitFor({ timeout: 30_000 });
    expect(browser.outside).toEqual([]);

    // exactly what each client got: its snapshot, then every update after it, each once and in order
    const last = Math.max(...clients.map((client) => client.ids.at(-1)!));
    for (const client of clients) {
      const first = client.ids[0];
      expect(Number.isInteger(first)).toBe(true);
      expect(client.ids).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
    }
    const updates = new Set(clients.flatMap((client) => client.ids)).size;
    const total = clients.reduce((sum, client) => sum + client.ids.length, 0);
    // a newcomer no longer makes an update of its own: the updates are the run's changes, not the clients
    expect(updates).toBeLessThanOrEqual(10);
    expect(total).toBeLessThanOrEqual(updates * CLIENTS);
    expect(total).toBeGreaterThanOrEqual(4 * CLIENTS);
    await page.close();
  }, 180_000);
});

describe("a viewer that stops reading", () => {
  it("is dropped once its backlog passes the bound, while the others keep getting every update", async () => {
    const { run, url, token, id } = await started("flood.ts");
    const port = Number(url.port);
    const stalled = await stalledEvents(port, id, token);
    const reader = await openEvents(port, id, token);
    clients.push(reader);
    // the reader gets far more than the stalled one can ever be sent: the kernel's buffers, and the server's bound
    const READ = 64 * 1024 * 1024;
    // 64 MiB of updates took over a minute at a load average of 25: the cap only bounds a hang
    await until(`the reading client got ${READ} bytes`, () => reader.bytes > READ, 150_000);
    // what reached the stalled client is what was in flight when it was dropped (the kernel's buffers), not what the run sent since:
    // a server that kept what it missed would hand it all over now (the server's memory is not measured: GC timing makes it noise)
    const received = await stalled.drain(60_000);
    expect(received).toBeLessThan(READ / 4);
    expect(reader.ended).toBe(false);
    const first = reader.ids[0];
    expect(reader.ids).toEqual(Array.from({ length: reader.ids.length }, (_, i) => first + i));
    writeFileSync(join(run.project, "release"), "");
    expect(await run.exited).toBe(0);
  }, 180_000);
});
