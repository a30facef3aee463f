import { it } from "vitest";
import { miwgOutcome, withTempFolder } from "/work/wt/bpmn/test/bpmn/miwg-run.js";
it("one", async () => {
  const f = process.env.F!;
  console.log(await withTempFolder((folder) => miwgOutcome(f, folder)));
}, 60_000);
