/*
 * adhesive verify as a user runs it: the real CLI on process files whose
 * tasks throw if they ever run, checking what it reports and that nothing
 * after a run executes.
 */
import { describe, expect, it } from "vitest";
import { adhesive, fixture } from "./run-cli.js";

const verify = (name: string, ...args: string[]) => adhesive(["verify", fixture(`cli/${name}`), ...args]);

describe("adhesive verify", () => {
  it("prints every task with the function it maps to and runs neither the tasks nor the code after the run", async () => {
    const { code, stdout, stderr } = await verify("pipeline.ts");
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain("parallel-join.bpmn");
    expect(stdout).toMatch(/ok +task "Left" \(left\) -> task\("Left", "Right"\) at test\/fixtures\/cli\/pipeline\.ts:\d+/);
    expect(stdout).toMatch(/ok +task "Together" \(together\) -> task\("Together"\)/);
    expect(stdout).not.toMatch(/^run /m);
    // pipeline.ts prints its result after the run: verify never gets there
    expect(stdout).not.toContain("result:");
    expect(stdout).toMatch(/^1 process, 3 elements mapped$/m);
  });

  it("marks missing and ambiguous tasks and exits 1", async () => {
    const { code, stdout } = await verify("unmapped.ts");
    expect(code).toBe(1);
    expect(stdout).toMatch(/missing +task "Right" \(right\): no implementation matches$/m);
    expect(stdout).toMatch(/ambiguous task "Together" \(together\) -> task\(\/\^Tog\/\).* \| task\(\/ether\$\/\)/);
    expect(stdout).toContain("2 cannot run");
  });

  it("reports a gateway decision, a timer value and a condition the code must give like a missing task, and exits 1", async () => {
    const { code, stdout } = await verify("verify/descriptive.ts");
    expect(code).toBe(1);
    expect(stdout).toMatch(/missing +exclusive gateway "Who ships\?" \(Gateway_Who\): no implementation matches$/m);
    expect(stdout).toMatch(/missing +intermediate catch event "Wait a day" \(Wait\): no implementation matches$/m);
    expect(stdout).toMatch(/missing +conditional catch event "Stock arrived" \(Stock\): no implementation matches$/m);
    expect(stdout).toMatch(/ok +user task "Sign as \{loop.value\}" \(Sign\) -> usertask\("Sign as \{loop.value\}"\)/);
    expect(stdout).toContain("3 cannot run");
  });

  it("prints the process's lint warnings, which do not fail it", async () => {
    const { code, stdout } = await verify("verify/dangling.ts");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}warning {3}Gateway_Feedback: exclusiveGateway "Ask for feedback\?" has no outgoing sequence flow/m);
    expect(stdout).toMatch(/^ {2}warning {3}Boundary_Lost: boundaryEvent "Parcel lost" has no event definition/m);
    expect(stdout).toMatch(/ok +task "Refund" \(Task_Refund\)/);
  });

  it("reports every run of a file that starts them without awaiting, and none of the code after them", async () => {
    const { code, stdout, stderr } = await verify("verify/unawaited.ts");
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain("the file's own top-level code");
    expect(stdout).not.toContain("after the first run");
    expect(stdout).not.toContain("after the second run");
    expect(stdout).toMatch(/^test\/fixtures\/engine\/parallel-join\.bpmn$/m);
    expect(stdout).toMatch(/^test\/fixtures\/engine\/loop\.bpmn$/m);
    expect(stdout).toContain('renders as "Work 0", "Work 1" (with the initial data)');
    expect(stdout).toMatch(/^2 processes, 5 elements mapped$/m);
  });

  it("says 'did you mean' for a typo and for a user task implemented with task(), and warns about unused implementations", async () => {
    const { code, stdout } = await verify("verify/near-misses.ts");
    expect(code).toBe(1);
    expect(stdout).toMatch(/missing +user task "Choose Options" \(options\): no implementation matches; did you mean task\("Choose Options"\) at \S+near-misses\.ts:6 \(a user task needs usertask\(\)\)\?$/m);
    expect(stdout).toMatch(/missing +task "Background Work" \(background\): no implementation matches; did you mean task\("Backgrund Work"\) at \S+near-misses\.ts:7\?$/m);
    expect(stdout).toMatch(/unused +task\("Backgrund Work"\) at \S+:7: matches no element of the processes started; did you mean task "Background Work" \(background\) in \S+parallel-forms\.bpmn\?$/m);
    expect(stdout).toMatch(/unused +task\("Clean Up"\) at \S+:9: matches no element of the processes started$/m);
    expect(stdout).toContain("2 cannot run, 3 unused implementations");
  });

  it("names a service task's job type, and how to implement a missing one", async () => {
    const { code, stdout } = await verify("verify/job-types.ts");
    expect(code).toBe(1);
    expect(stdout).toMatch(/ok +task "Score applicant" \(Task_Score\) job type "credit-score" -> task\(.*credit-score.*\)/);
    expect(stdout).toMatch(/missing +task "Rate risk" \(Task_Rate\) job type "rate-risk": no implementation matches; implement its job type with task\(\{ type: "rate-risk" \}, fn\)$/m);
  });

  it("exits 0 with a warning when the only finding is an unused implementation", async () => {
    const { code, stdout } = await verify("verify/unused-only.ts");
    expect(code).toBe(0);
    expect(stdout).toMatch(/unused +task\("Deploy"\) at \S+unused-only\.ts:5: matches no element of the processes started$/m);
    expect(stdout).toMatch(/^1 process, 3 elements mapped, 1 unused implementation$/m);
  });

  it("finds a rendering of a name template that two implementations match, from the initial data", async () => {
    const { code, stdout } = await verify("verify/template-clash.ts", "--data", '{"platforms": ["linux", "macos"]}');
    expect(code).toBe(1);
    expect(stdout).toMatch(/ambiguous task "Build \{loop\.value\}" \(build\)/);
    expect(stdout).toMatch(/as "Build linux" \(with the initial data\): matched by task\("Build \{loop\.value\}"\) at \S+:6 and task\(\/\^Build \/\) at \S+:9$/m);
    // "Build macos" has its own implementation: its exact name wins over the template and the expression
    expect(stdout).toContain('renders as "Build macos" (with the initial data)');
    // nested loops: the sub-process's platforms times the task's browsers
    expect(stdout).toContain('renders as "Test firefox on linux", "Test firefox on macos" (with the initial data)');
  });

  it("says what it cannot check when the loop needs data it does not have", async () => {
    const { code, stdout } = await verify("verify/template-clash.ts");
    expect(code).toBe(0);
    expect(stdout).toMatch(/ok +task "Build \{loop\.value\}"/);
    expect(stdout).toContain("not checked: the loop `platforms` on perPlatform fails with the initial data: platforms is not defined; which of its 3 implementations runs is only known once the name is rendered");
  });

  it("exits 2 when the file starts no process", async () => {
    const { code, stdout, stderr } = await verify("verify/no-run.ts");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe("error: the process file started no process: it must call bpmnBuild(), build() or processStart()...build()\n");
  });

  it("finishes for a file that keeps the event loop busy while it awaits its run", async () => {
    const { code, stdout } = await verify("verify/open-handle.ts");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^1 process, 3 elements mapped$/m);
  });

  it("exits 2 naming the file and element of a broken BPMN file", async () => {
    const { code, stderr } = await verify("broken-bpmn.ts");
    expect(code).toBe(2);
    expect(stderr).toContain("dangling-flow.bpmn");
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("prints the mapping of the README example", async () => {
    const { code, stdout } = await adhesive(["verify", "examples/hello"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ok +task "Build \{loop\.value\}"/);
    expect(stdout).toContain('renders as "Build linux", "Build macos", "Build windows" (with the initial data)');
  });
});
