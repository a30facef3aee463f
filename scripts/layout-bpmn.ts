/*
 * Gives BPMN files a diagram (BPMN DI) with adhesive's own writer, so they
 * open in bpmn.io and Camunda Modeler, and refuses to write one whose process
 * would read back differently. Used for examples/*\/*.bpmn:
 *
 *   npx tsx scripts/layout-bpmn.ts examples/hello/hello.bpmn ...
 */
import { writeFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { loadBpmn, readBpmn } from "../src/bpmn/read.js";
import { toBpmnXml } from "../src/bpmn/write.js";

let failed = false;
for (const file of process.argv.slice(2)) {
  const before = await loadBpmn(file);
  const xml = await toBpmnXml(before);
  if (!isDeepStrictEqual(await readBpmn(xml, file), before)) {
    console.error(`${file}: the laid-out file would read back as another process; left as it was`);
    failed = true;
    continue;
  }
  await writeFile(file, xml);
  console.log(`${file}: laid out`);
}
process.exitCode = failed ? 1 : 0;
