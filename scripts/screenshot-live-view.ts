/**
 * `node --import tsx scripts/screenshot-live-view.ts`: takes docs/live-view.png,
 * the README's picture of the live view, with playwright-core and Debian's
 * chromium: the order process of the tests (test/fixtures/live/order.ts)
 * run with --ui, its preparation done, the approval form open, the payment
 * awaited, the prepared task's log shown.
 */
import { fileURLToPath } from "node:url";
import { openBrowser } from "../test/web/browser.js";
import { liveFixture, startCli } from "../test/web/cli-run.js";

const out = fileURLToPath(new URL("../docs/live-view.png", import.meta.url));
const run = startCli(["--ui", liveFixture("order.ts")]);
const browser = await openBrowser();
try {
  const [, printed] = await run.waitFor(/live view: (http:\S+)/);
  const id = await run.runId();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1360, height: 560 });
  await page.goto(new URL(`/runs/${id}?${new URL(printed).searchParams}`, printed).href);
  await page.locator('.djs-element.ad-running[data-element-id="prepare"]').waitFor();
  run.release();
  await page.locator("form.user-task").waitFor();
  await page.locator('.djs-element[data-element-id="prepare"]').click();
  await page.click("ul.logs a");
  await page.locator("#log-text", { hasText: "preparing order 42" }).waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  run.cleanup();
}
