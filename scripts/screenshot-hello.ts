/**
 * `node --import tsx scripts/screenshot-hello.ts`: takes docs/hello.png, the
 * README's first picture: the hello example (examples/hello) after a run,
 * as the live view draws it (the path the tokens took in green, the count
 * of each element, without the summary box), with playwright-core and Debian's chromium. The example
 * runs through the real CLI in a project folder of its own; `adhesive runs
 * --ui` then serves the finished run.
 */
import { fileURLToPath } from "node:url";
import { openBrowser } from "../test/web/browser.js";
import { startCli } from "../test/web/cli-run.js";

const out = fileURLToPath(new URL("../docs/hello.png", import.meta.url));
const example = fileURLToPath(new URL("../examples/hello", import.meta.url));
const run = startCli([example]);
const code = await run.exited;
if (code !== 0) throw new Error(`the hello example exited ${code}:\n${run.stdout()}\n${run.stderr()}`);
const id = await run.runId();
const view = startCli(["runs", "--ui"], run.project);
const browser = await openBrowser();
try {
  const [, printed] = await view.waitFor(/live view: (http:\S+)/);
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1360, height: 420 });
  await page.goto(new URL(`/runs/${id}?${new URL(printed).searchParams}`, printed).href);
  await page.locator('.djs-element.ad-done[data-element-id="publish"]').waitFor();
  // the diagram alone: the summary box would cover its start
  await page.locator("#summary").evaluate((summary) => ((summary as HTMLElement).style.display = "none"));
  await page.waitForTimeout(300);
  await page.locator("#canvas").screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  view.child.kill("SIGINT");
  await view.exited;
  run.cleanup();
}
