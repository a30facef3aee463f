/*
 * A review form whose two buttons both write `decision` ("approve" and
 * "reject"), answered in the live view (Debian's chromium) of an API run
 * whose own front end never answers: the page shows both buttons by their
 * values, the API refuses a value neither has, and the button clicked
 * decides what the next task sees.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Adhesive, closeLiveView, type UiProvider } from "../../src/index.js";
import { openBrowser } from "./browser.js";
import { bounded, until } from "../waiting.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/* a front end that waits until its form is answered elsewhere, and then withdraws */
const silent: UiProvider = {
  ask: (_form, signal) => new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })),
};

describe("buttons that share a name in the live view", () => {
  it("shows each by its value and answers with the one clicked", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-buttons-"));
    cleanups.push(() => rm(tempFolder, { recursive: true, force: true }));
    cleanups.push(() => closeLiveView());
    let printed: ((url: string) => void) | undefined;
    const url = new Promise<string>((resolve) => (printed = resolve));
    const seen: unknown[] = [];
    const run = new Adhesive()
      .usertask("Review Release", (_ctx, ui) => {
        ui.addInputText("note", { title: "Note" });
        ui.addDefaultButton("decision", { value: "approve" });
        ui.addDefaultButton("decision", { value: "reject" });
      })
      .task("Record Decision", (ctx) => void seen.push([ctx.data.decision, ctx.data.note]))
      .processStart()
      .usertask("Review Release")
      .task("Record Decision")
      .processEnd()
      .build({ tempFolder, runsFolder: tempFolder, ui: silent, liveView: { onUrl: (at) => printed?.(at) } });

    const page = new URL(await bounded(url, "the live view's URL"));
    const token = page.searchParams.get("token")!;
    const api = (path: string, body?: unknown) =>
      fetch(new URL(path, page), {
        method: body === undefined ? "GET" : "POST",
        headers: { "x-adhesive-token": token, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const { runs } = (await (await api("/api/runs")).json()) as { runs: Array<{ id: string }> };
    const id = runs[0].id;
    const forms = async () => ((await (await api(`/api/runs/${id}/forms`)).json()) as { forms: unknown[] }).forms;
    await until(async () => (await forms()).length === 1, "the review form to open");

    const refused = await api(`/api/runs/${id}/forms/Review Release`, { decision: "maybe" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: "ADHESIVE_BAD_ANSWER" });

    const browser = await openBrowser();
    cleanups.push(() => browser.close());
    const tab = await browser.context.newPage();
    await tab.goto(new URL(`/runs/${id}?token=${token}`, page).href);
    const form = tab.locator("form.user-task", { hasText: "User task: Review Release" });
    await form.waitFor({ timeout: 60_000 });
    expect(await form.locator("button").allTextContents()).toEqual(["approve", "reject"]);
    await form.locator('input[name="note"]').fill("needs a changelog");
    await form.locator("button", { hasText: "reject" }).click();

    const data = await bounded(run, "the run to end once the form is answered");
    expect(seen).toEqual([["reject", "needs a changelog"]]);
    expect(data.decision).toBe("reject");
  });
});
