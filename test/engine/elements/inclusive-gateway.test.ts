/*
 * An inclusive gateway takes every flow whose condition holds, else its
 * default; with neither, BPMN §10.6.3 says "a runtime exception occurs":
 * the token fails with ADHESIVE_NO_ROUTE naming the gateway and the file,
 * and, like any error, an error boundary of an enclosing sub-process
 * catches it (bpmn-engine fails the gateway with "no conditional flow
 * taken" and its sub-process's error boundary catches that too).
 */
import { describe, expect, it } from "vitest";
import { RoutingError, TaskError } from "adhesive-bpmn";
import { fixture, noop, scenario } from "./scenario.js";

const FILE = "inclusive-no-way-out.bpmn";
const checks = () => scenario(FILE, (a) => noop(a, "Lint", "Test", "Publish", "Report no checks"));

describe("inclusive gateway without a way out", () => {
  it("takes every flow whose condition holds", async () => {
    const t = checks();
    await t.run({ process: "Process_Guarded", initialData: { checks: ["lint", "test"] } });
    expect(t.ran.slice(0, 2).sort()).toEqual(["Lint", "Test"]);
    expect(t.ran.slice(2)).toEqual(["Publish"]);
  });

  it("fails the run when no condition holds and there is no default, naming the gateway and the file", async () => {
    const t = checks();
    const error = await t.run({ process: "Process_Bare", initialData: { checks: [] } }).catch((e: unknown) => e);
    expect(t.ran).toEqual([]);
    expect(error).toBeInstanceOf(TaskError);
    const cause = (error as TaskError).cause;
    expect(cause).toBeInstanceOf(RoutingError);
    expect(cause).toMatchObject({ code: "ADHESIVE_NO_ROUTE", elementId: "Bare_Checks", file: fixture(FILE) });
    expect((cause as Error).message).toBe(`inclusive gateway "Which checks?" (Bare_Checks) in ${fixture(FILE)}: no outgoing flow condition holds and there is no default flow`);
  });

  it("an error boundary of the sub-process around it catches the failure, with the code in data._error", async () => {
    const t = checks();
    const data = await t.run({ process: "Process_Guarded", initialData: { checks: ["docs"] } });
    expect(t.ran).toEqual(["Report no checks"]);
    expect(data._error).toMatchObject({ code: "ADHESIVE_NO_ROUTE", elementId: "Gateway_Checks" });
  });
});
