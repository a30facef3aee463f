/*
 * adhesive --ui as a person uses it: the real CLI runs the order process
 * (test/fixtures/live/order.ts) while Debian's chromium opens the page it
 * printed. The page draws the file's own diagram and marks the running
 * task; the payment arrives with `adhesive send` from another process; the
 * approval form is filled in and submitted in the browser; the run
 * finishes with both. Then: what is refused without the token or with a
 * foreign Host header.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, type Browser } from "./browser.js";
import { adhesiveIn, liveFixture, startCli, type CliRun } from "./cli-run.js";

let run: CliRun;
let browser: Browser;
let url: URL;
let token: string;

beforeAll(async () => {
  run = startCli(["--ui", liveFixture("order.ts")]);
  const [, printed] = await run.waitFor(/live view: (http:\S+)/);
  url = new URL(printed);
  token = url.searchParams.get("token")!;
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  run?.cleanup();
});

/** A raw request, so the Host header and the token are exactly what the test says. */
function get(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: url.port, path, method, headers: { host: `127.0.0.1:${url.port}`, ...headers } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
        // an event stream that was let in would never end: its first bytes are enough
        if (res.headers["content-type"]?.startsWith("text/event-stream")) res.destroy();
      });
      res.on("close", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the run page", () => {
  it("shows the diagram from the file with the running task marked", async () => {
    const page = await browser.context.newPage();
    // the address the CLI printed is the run's own page, which draws the BPMN file's own diagram (the runs list is a click away)
    expect(url.pathname).toBe(`/runs/${await run.runId()}`);
    await page.goto(url.href);
    const prepare = page.locator('.djs-element.ad-running[data-element-id="prepare"]');
    await prepare.waitFor({ timeout: 60_000 });
    for (const id of ["start", "prepare", "fork", "approve", "payment", "join", "ship", "end"]) {
      expect(await page.locator(`.djs-element[data-element-id="${id}"]`).count()).toBe(1);
    }
    expect(await page.locator('.djs-connection.ad-taken[data-element-id="f1"]').count()).toBe(1);
    expect(await page.textContent('#summary dd[data-field="state"]')).toBe("running");
    expect(await page.textContent('#summary dd[data-field="running"]')).toBe("1");
    // the running task's log: what it printed so far
    await prepare.click();
    await page.click("ul.logs a");
    await page.locator("#log-text", { hasText: "preparing order 42" }).waitFor();
    await page.close();
  });

  it("takes a message sent with adhesive send at its waiting catch event", async () => {
    run.release();
    const id = await run.runId();
    // the payment catch event waits once the fork has run
    const deadline = Date.now() + 60_000;
    for (let sent = await adhesiveIn(run, ["send", id.slice(0, 8), "Payment Received", "--data", '{"amount": 10}']); ; ) {
      if (sent.code === 0 || Date.now() > deadline) {
        expect(sent.stdout).toContain(`delivered "Payment Received" to 1 token of run ${id} (payment)`);
        break;
      }
      expect(sent.stderr).toContain('no token waits for message "Payment Received" now');
      await new Promise((resolve) => setTimeout(resolve, 100));
      sent = await adhesiveIn(run, ["send", id.slice(0, 8), "Payment Received", "--data", '{"amount": 10}']);
    }
    const state = JSON.parse((await get(`/api/runs/${id}`, { "x-adhesive-token": token })).body) as { elements: Record<string, { completed: number }> };
    expect(state.elements.payment.completed).toBe(1);
    // a second payment finds nobody waiting: the sender is told, the run goes on
    const again = await adhesiveIn(run, ["send", id, "Payment Received", "--data", "{}"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("it was not delivered");
  });

  it("lets the run finish once its user-task form is submitted in the browser", async () => {
    const id = await run.runId();
    const page = await browser.context.newPage();
    await page.goto(new URL(`/runs/${id}?token=${token}`, url).href);
    const form = page.locator("form.user-task", { hasText: "User task: Approve Order" });
    await form.waitFor({ timeout: 60_000 });
    await page.locator('.djs-element.ad-form[data-element-id="approve"]').waitFor();
    await form.locator('input[name="approver"]').fill("ana");
    await form.locator('input[name="priority"][value="high"]').check();
    await form.locator('input[name="gifts"][value="sticker"]').check();
    await form.locator('button[name="approve"]').click();
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('result: {"approver":"ana","approve":true,"priority":"high","gifts":["sticker"],"paid":10,"shipped":true}');
    await page.close();
  });
});

describe("a later live view of the same project", () => {
  // a second run keeps a server up for these checks; the first one has ended
  let other: CliRun;
  beforeAll(async () => {
    other = startCli(["--ui", liveFixture("order.ts")], run.project);
    const [, printed] = await other.waitFor(/live view: (http:\S+)/);
    url = new URL(printed);
    token = url.searchParams.get("token")!;
  });
  afterAll(() => other?.cleanup());

  it("lists the earlier run from its run folder, finished, with its counts and diagram", async () => {
    const id = await other.runId();
    const first = await run.runId();
    const { runs } = JSON.parse((await get("/api/runs", { "x-adhesive-token": token })).body) as { runs: Array<{ id: string; state: string; live: boolean; completed: number }> };
    expect(runs.map((r) => [r.id, r.state, r.live])).toEqual([
      [id, "running", true],
      [first, "done", false],
    ]);
    expect(runs[1].completed).toBe(3);
    const state = JSON.parse((await get(`/api/runs/${first}`, { "x-adhesive-token": token })).body) as { summary: { state: string }; flows: Record<string, number> };
    expect(state.summary.state).toBe("done");
    expect(state.flows).toEqual({ f1: 1, f2: 1, f3: 1, f4: 1, f5: 1, f6: 1, f7: 1, f8: 1 });
    expect((await get(`/api/runs/${first}/diagram`, { "x-adhesive-token": token })).body).toContain('<bpmndi:BPMNShape id="approve_di"');
    // it takes nothing any more
    const late = await get(`/api/runs/${first}/messages`, { "x-adhesive-token": token, "content-type": "application/json" }, "POST");
    expect(late.status).toBe(409);
  });

  it("serves nothing without the token: page, static files, API, event stream", async () => {
    const id = await other.runId();
    for (const path of ["/", "/static/viewer.js", "/static/app.js", "/api/runs", `/api/runs/${id}`, `/api/runs/${id}/events`, `/runs/${id}`]) {
      const refused = await get(path);
      expect(refused.status, path).toBe(401);
      expect(refused.body, path).toContain("no valid access token");
      expect((await get(`${path}${path.includes("?") ? "&" : "?"}token=not-${token}`)).status, path).toBe(401);
    }
    expect((await get(`/api/runs?token=${token}`)).status).toBe(200);
    expect((await get(`/api/runs/${id}/events?token=${token}`)).body).toContain("event: update");
  });

  it("refuses a foreign Host header even with the token (DNS rebinding), and sends no CORS headers", async () => {
    const rebound = await get(`/api/runs?token=${token}`, { host: `attacker.example:${url.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('Host "attacker.example');
    const wrongPort = await get(`/api/runs?token=${token}`, { host: "127.0.0.1:1" });
    expect(wrongPort.status).toBe(403);
    const fine = await get("/api/runs", { "x-adhesive-token": token, origin: "http://attacker.example" });
    expect(fine.status).toBe(200);
    expect(Object.keys(fine.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });

  it("takes a POST only with the token in its header", async () => {
    const id = await other.runId();
    const inQuery = await get(`/api/runs/${id}/messages?token=${token}`, { "content-type": "application/json" }, "POST");
    expect(inQuery.status).toBe(401);
    expect(inQuery.body).toContain("x-adhesive-token header");
  });

  it("delivers a message through the JSON API (FEEL correlations only) and answers the form, and the run finishes", async () => {
    const id = await other.runId();
    const post = (path: string, body: unknown) =>
      fetch(new URL(path, url), { method: "POST", headers: { "x-adhesive-token": token, "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const javascript = await post(`/api/runs/${id}/messages`, { message: "Payment Received", data: {}, correlation: "order === 42" });
    expect(javascript).toMatchObject({ status: 400, body: { code: "ADHESIVE_BAD_CORRELATION" } });
    // the project's release file is there already: the payment is awaited soon
    let paid = await post(`/api/runs/${id}/messages`, { message: "Payment Received", data: { amount: 7 }, correlation: "= order = 42" });
    for (const deadline = Date.now() + 60_000; paid.status === 409 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      paid = await post(`/api/runs/${id}/messages`, { message: "Payment Received", data: { amount: 7 }, correlation: "= order = 42" });
    }
    expect(paid).toEqual({ status: 200, body: { delivered: 1, elements: ["payment"] } });
    const form = await (async () => {
      for (const deadline = Date.now() + 60_000; ; ) {
        const { forms } = JSON.parse((await get(`/api/runs/${id}/forms`, { "x-adhesive-token": token })).body) as { forms: Array<{ id: string }> };
        if (forms.length > 0) return forms[0];
        if (Date.now() > deadline) throw new Error("timed out waiting for the approval form");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    // two answers at once, both sent before the run can end (after it, the
    // CLI exits and a later request would find no server): one wins
    const answers = await Promise.all([post(`/api/runs/${id}/forms/${form.id}`, { approver: 42 }), post(`/api/runs/${id}/forms/${form.id}`, { approver: 42 })]);
    const won = answers.filter((answer) => answer.status === 200);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ body: { answered: { taskName: "Approve Order" } } });
    const lost = answers.find((answer) => answer.status !== 200)!;
    expect([404, 409]).toContain(lost.status);
    expect(["ADHESIVE_NO_SUCH_FORM", "ADHESIVE_RUN_ENDED"]).toContain(lost.body.code);
    expect(await other.exited).toBe(0);
    expect(other.stdout()).toContain('"approver":42,"approve":true');
    expect(other.stdout()).toContain('"paid":7');
  });

  it("fetched nothing from outside 127.0.0.1", () => {
    expect(browser.outside).toEqual([]);
  });
});
