/*
 * The diagram the live view and the console draw a run with
 * (src/live/diagram.ts): the file's own, a layout of a file drawn without
 * one, the builder's export layout of a process built in code, or a layout
 * of the definition in the journal when the run kept no copy.
 */
import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Adhesive, fromInbox, loadBpmn } from "../../src/index.js";
import { diagramOf } from "../../src/live/diagram.js";
import { fixture, runFolderOf } from "./run-folder.js";

describe("the diagram of a run", () => {
  it("is the builder's export layout for a process built in code", async () => {
    const adhesive = new Adhesive().task(["Checkout", "Build", "Deploy"], () => undefined);
    const folder = await runFolderOf((tempFolder) => adhesive.processStart().task("Checkout").task("Build").task("Deploy").processEnd().build({ inbox: true, tempFolder, runsFolder: tempFolder }));
    const xml = await diagramOf(folder);
    expect(xml).toMatch(/BPMNShape/);
    for (const name of ["Checkout", "Build", "Deploy"]) expect(xml).toContain(`name="${name}"`);
  });

  it("is the file's own diagram when it has one, else a layout of it", async () => {
    const adhesive = new Adhesive().task(["Prepare Order", "Ship Order"], () => undefined).usertask("Approve Order", () => undefined).message("Payment Received", fromInbox);
    const drawn = await readFile(fixture("order.bpmn"), "utf8");
    const folder = await runFolderOf(async (tempFolder) => {
      const definition = await loadBpmn(fixture("order.bpmn"));
      // only the diagram matters here: the run is cancelled at once
      await adhesive.run(definition, { inbox: true, tempFolder, runsFolder: tempFolder, signal: AbortSignal.abort() }).catch(() => undefined);
    });
    expect(await diagramOf(folder)).toBe(drawn);
    const undrawn = await runFolderOf((tempFolder) =>
      new Adhesive().message("Order", () => []).message("Paid", fromInbox).task(["Book Order", "Ship"], () => undefined).bpmnBuild(fixture("paid.bpmn"), { inbox: true, tempFolder, runsFolder: tempFolder }),
    );
    const laidOut = await diagramOf(undrawn);
    for (const id of ["order", "book", "paid", "ship"]) expect(laidOut).toContain(`bpmnElement="${id}"`);
  });

  it("of a run with neither a live view nor an inbox, which kept no copy, is a layout of the definition in its journal", async () => {
    const folder = await runFolderOf((tempFolder) => new Adhesive().task(["Book Order", "Ship"], () => undefined).message("Order", () => [{ id: 1 }]).message("Paid", () => []).bpmnBuild(fixture("paid.bpmn"), { tempFolder, runsFolder: tempFolder }).catch(() => undefined));
    expect(await readdir(folder)).not.toContain("definition.json");
    const laidOut = await diagramOf(folder);
    for (const id of ["order", "book", "paid", "ship"]) expect(laidOut).toContain(`bpmnElement="${id}"`);
  });
});
