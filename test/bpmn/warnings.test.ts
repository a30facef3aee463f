/*
 * Elements BPMN forbids but bpmn-engine runs load with lint warnings
 * instead of errors, and run as bpmn-engine runs them: an intermediate
 * event without an incoming flow starts its sub-process, a gateway or event
 * without an outgoing flow ends its path, a boundary event without an event
 * definition never triggers.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadBpmn } from "adhesive-bpmn";
import { runInBpmnEngine } from "./bpmn-engine.js";
import { builtCli } from "../built-package.js";
import { fixture, scenario, until } from "../engine/elements/scenario.js";

const DANGLING = fixture("dangling.bpmn");
const root = fileURLToPath(new URL("../../", import.meta.url));

const WARNINGS = [
  ["Boundary_Lost", 'boundaryEvent "Parcel lost" has no event definition: nothing triggers it, so the path after it never runs'],
  ["Gateway_Feedback", 'exclusiveGateway "Ask for feedback?" has no outgoing sequence flow: a token that reaches it ends its path there; draw an end event after it'],
  ["Wait_Courier", 'intermediateCatchEvent "Courier booked" has no incoming sequence flow: it starts its scope as a start event would; draw a start event before it'],
  ["Label_Begins", 'intermediateThrowEvent "Labelling begins" has no incoming sequence flow: it starts its scope as a start event would; draw a start event before it'],
  ["Label_Done", 'intermediateThrowEvent "Label printed" has no outgoing sequence flow: a token that reaches it ends its path there; draw an end event after it'],
];

describe("elements that lead nowhere or start nothing", () => {
  it("load with a warning each, naming the element and what the run does with it", async () => {
    const definition = await loadBpmn(DANGLING);
    expect(definition.warnings).toEqual(WARNINGS.map(([elementId, message]) => ({ elementId, message })));
  });

  it("run as bpmn-engine runs them: the sub-processes start at their events, the gateway ends its path, the boundary never fires", async () => {
    const t = scenario("dangling.bpmn", (a) => {
      a.task(["Pack box", "Print label", "Ship", "Archive", "Refund"], (ctx) => void (ctx.data[ctx.taskName] = true));
    });
    const run = t.run();
    // the courier's timer is due at once, but only on the scenario's clock
    await until(() => t.clock.size === 1);
    await t.clock.advance(0);
    const data = await run;
    const peer = await runInBpmnEngine(DANGLING);
    expect(t.ran).toEqual(["Pack box", "Print label", "Ship", "Archive"]);
    expect(peer.completed).toEqual(t.ran);
    expect(data).toEqual({ "Pack box": true, "Print label": true, Ship: true, Archive: true });
  });

  it("adhesive lint says ok and prints the warnings", async () => {
    const bin = await builtCli();
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [bin, "lint", DANGLING], { cwd: root, timeout: 60_000 }, (error, out) => {
        resolve({ code: error ? Number(error.code) : 0, stdout: out });
      });
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok +.*dangling\.bpmn$/m);
    for (const [elementId, message] of WARNINGS) expect(stdout).toContain(`warning ${elementId}: ${message}`);
  });
});
