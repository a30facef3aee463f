/*
 * A finished run stays viewable: an API run with liveView: true whose task
 * fails into its error boundary; afterwards the page (in Debian's
 * chromium) lists it as done, draws the laid-out diagram with the task
 * marked caught (not failed) and the path it took, and a click on the task
 * shows its error and its log.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Adhesive, closeLiveView } from "../../src/index.js";
import { openBrowser } from "./browser.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/live/${name}`, import.meta.url));
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("a finished run on the live view", () => {
  it("shows the task whose error was caught as caught, with its error and log, and the path the run took", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-finished-"));
    cleanups.push(() => rm(tempFolder, { recursive: true, force: true }));
    let url = "";
    const adhesive = new Adhesive()
      .task("Deploy", () => {
        console.log("copying release 1.2.3");
        throw new Error("deploy failed: disk full on web-1");
      })
      .task("Roll Back", () => undefined);
    cleanups.push(() => closeLiveView());
    await adhesive.bpmnBuild(fixture("deploy.bpmn"), { tempFolder, runsFolder: tempFolder, liveView: { onUrl: (printed) => (url = printed) } });
    const browser = await openBrowser();
    cleanups.push(() => browser.close());
    const page = await browser.context.newPage();
    await page.goto(url);
    const row = page.locator("#run-table tbody tr", { hasText: "Deployment" });
    expect(await row.locator("td.state").textContent()).toBe("done");
    await row.locator("a").click();
    const deploy = page.locator('.djs-element.ad-caught[data-element-id="deploy"]');
    await deploy.waitFor();
    expect(await page.locator(".djs-element.ad-failed").count()).toBe(0);
    expect(await page.textContent('#summary dd[data-field="failed"]')).toBe("0");
    expect(await page.textContent('#summary dd[data-field="caught"]')).toBe("1");
    expect(await page.textContent('#summary dd[data-field="state"]')).toBe("done");
    for (const flow of ["d1", "d3", "d4"]) expect(await page.locator(`.djs-connection.ad-taken[data-element-id="${flow}"]`).count(), flow).toBe(1);
    expect(await page.locator('.djs-connection.ad-taken[data-element-id="d2"]').count()).toBe(0);
    expect(await page.locator('.djs-element.ad-done[data-element-id="rollback"]').count()).toBe(1);
    await deploy.click();
    await page.locator("#details .failure.caught", { hasText: "deploy failed: disk full on web-1" }).waitFor();
    await page.click("ul.logs a");
    await page.locator("#log-text", { hasText: "copying release 1.2.3" }).waitFor();
    expect(browser.outside).toEqual([]);
  });
});
