/*
 * Plain steps (src/engine/elements/steps.ts): a node whose element has
 * nothing to do but its usual step skips the behaviour table; one with
 * anything more (boundaries, input mappings, message flows, an
 * implementation, an error code) must still go through its behaviour.
 */
import { describe, expect, it } from "vitest";
import { behaviours } from "../../../src/engine/elements/index.js";
import { plainSteps } from "../../../src/engine/elements/steps.js";
import { compileProcess } from "../../../src/model/compile.js";
import { definition } from "../harness.js";

describe("plain steps", () => {
  it("are a task's admission, the routing of a pass-through element (start, gateway, boundary) and an end's finish, and nothing else's", () => {
    const graph = compileProcess(
      definition(
        [
          { id: "start", kind: "startEvent" },
          { id: "fork", kind: "parallelGateway" },
          { id: "plain", kind: "task" },
          { id: "guarded", kind: "task" },
          { id: "timer", kind: "timerBoundaryEvent", attachedTo: "guarded", timer: { kind: "duration", value: "PT1S" } },
          { id: "deduped", kind: "task" },
          { id: "decide", kind: "exclusiveGateway" },
          { id: "route", kind: "exclusiveGateway" },
          { id: "implemented", kind: "parallelGateway" },
          { id: "end", kind: "endEvent" },
          { id: "error", kind: "endEvent", errorCode: "E" },
        ],
        ["start->fork", "fork->plain", "fork->guarded", "fork->deduped", "plain->route", "route->decide", "guarded->implemented", "deduped->implemented", "timer->error", "decide->end", "implemented->end"],
      ),
    );
    const steps = plainSteps(graph.nodes, behaviours(graph.nodes.map((node) => node.kind)), {
      implements: (node) => node.id === "implemented" || node.id === "decide",
      deduplicates: (node) => node.id === "deduped",
    });
    const stepOf = Object.fromEntries(graph.nodes.map((node) => [node.id, steps[node.index]]));
    expect(stepOf).toEqual({ start: 2, fork: 2, plain: 1, guarded: 0, timer: 2, deduped: 0, decide: 0, route: 2, implemented: 0, end: 3, error: 0 });
  });
});
