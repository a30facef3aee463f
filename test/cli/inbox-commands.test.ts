/*
 * adhesive send and adhesive complete from another process, against a
 * run of the real CLI, and how they refuse bad usage.
 */
import { afterEach, describe, expect, it } from "vitest";
import { adhesiveIn, liveFixture, startCli, type CliRun } from "../web/cli-run.js";

let runs: CliRun[] = [];
afterEach(() => {
  for (const run of runs) run.cleanup();
  runs = [];
});

function start(args: string[], project?: string): CliRun {
  const run = startCli(args, project);
  runs.push(run);
  return run;
}

describe("adhesive complete and adhesive send", () => {
  it("answer the form and the payment of a run waiting off a terminal, and the run finishes", async () => {
    const run = start(["--ui", liveFixture("order.ts")]);
    const id = await run.runId();
    run.release();
    // off a terminal, the CLI says where the form can be answered
    await run.waitFor(new RegExp(`user task Approve Order waits for an answer: in the live view, or adhesive complete ${id.slice(0, 8)} "Approve Order"`));
    const wrong = await adhesiveIn(run, ["complete", id, "Approve Order", "--data", '{"approvr": "bo"}']);
    expect(wrong).toMatchObject({ code: 1, stderr: 'adhesive: user task "Approve Order" has no field "approvr"; its fields: approver, priority, gifts, approve, reject\n' });
    const answered = await adhesiveIn(run, ["complete", id.slice(0, 6), "approve", "--data", '{"approver": "bo", "gifts": ["card"], "reject": 1}']);
    expect(answered).toMatchObject({ code: 0, stdout: `answered user task "Approve Order" (approve) of run ${id}\n` });
    const paid = await adhesiveIn(run, ["send", id, "payment", "--data", '{"amount": 5}']);
    expect(paid.stdout).toContain(`delivered "payment" to 1 token of run ${id} (payment)`);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('result: {"approver":"bo","reject":false,"priority":"low","gifts":["card"],"paid":5,"shipped":true}');
    // the run is over: its control socket went with it
    const late = await adhesiveIn(run, ["send", id, "payment"]);
    expect(late).toMatchObject({ code: 1, stderr: `adhesive: run ${id} is not running (its process has ended)\n` });
  });

  it("send a message to a receive task that waits for the inbox", async () => {
    const run = start([liveFixture("receive.ts")]);
    const id = await run.runId();
    // the token may still be on its way to the receive task (60 s only caps a hang)
    for (const deadline = Date.now() + 60_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const sent = await adhesiveIn(run, ["send", id, "Payment Received", "--data", '{"amount": 3}']);
      if (sent.code === 0 || Date.now() > deadline) {
        expect(sent.stdout).toContain(`delivered "Payment Received" to 1 token of run ${id} (wait)`);
        break;
      }
      expect(sent.stderr).toContain('no token waits for message "Payment Received" now (at wait)');
    }
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain("confirmed: 3");
  });

  it("a run that can only wait for a message says how to send it, and the command it prints delivers it", async () => {
    const run = start([liveFixture("receive.ts")]);
    const id = await run.runId();
    const [, command] = await run.waitFor(/wait {2}for message Payment Received at "Wait for Payment" \(wait\): (adhesive send \S+ 'Payment Received' --data '\{\.\.\.\}')\n/);
    expect(command).toBe(`adhesive send ${id.slice(0, 8)} 'Payment Received' --data '{...}'`);
    const sent = await adhesiveIn(run, ["send", id.slice(0, 8), "Payment Received", "--data", '{"amount": 7}']);
    expect(sent.stdout).toContain(`delivered "Payment Received" to 1 token of run ${id} (wait)`);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain("confirmed: 7");
  });

  it("refuse a message whose correlation fails, and the run goes on to take the next one", async () => {
    const run = start([liveFixture("receive.ts")]);
    const id = await run.runId();
    await run.waitFor(/wait {2}for message Payment Received/);
    const failing = await adhesiveIn(run, ["send", id, "Payment Received", "--correlation", "x.y.z", "--data", '{"amount": 1}']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain("adhesive: the correlation failed, so the message was not delivered: expression `x.y.z` on correlation failed:");
    const sent = await adhesiveIn(run, ["send", id, "Payment Received", "--data", '{"amount": 2}']);
    expect(sent.stdout).toContain(`delivered "Payment Received" to 1 token of run ${id} (wait)`);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain("confirmed: 2");
  });

  it("answer a form shown by a custom opts.ui that rejects once withdrawn: the answer wins, it does not fail the task", async () => {
    const run = start([liveFixture("custom-ui.ts")]);
    const id = await run.runId();
    // the token may still be on its way to the user task
    for (;;) {
      const answered = await adhesiveIn(run, ["complete", id, "Approve", "--data", '{"approver": "bo"}']);
      if (answered.code === 0) {
        expect(answered.stdout).toMatch(new RegExp(`^answered user task "Approve" \\(\\w+\\) of run ${id}\\n$`));
        break;
      }
      expect(answered.stderr).toContain('no user task "Approve" waits for an answer');
    }
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('result: {"approver":"bo"}');
  });

  it("refuse bad usage with exit 2 and an unknown run with exit 1", async () => {
    const run = start(["--version"]);
    await run.exited;
    expect(await adhesiveIn(run, ["send", "abc"])).toMatchObject({ code: 2, stderr: expect.stringContaining("adhesive send takes a run id and a message name") });
    expect(await adhesiveIn(run, ["complete", "abc", "Task", "--data", "{nope"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--data is not JSON") });
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(await adhesiveIn(run, ["send", "abc", "Paid", "--data", deep])).toMatchObject({ code: 2, stderr: expect.stringContaining("--data is nested more than 256 levels deep") });
    expect(await adhesiveIn(run, ["complete", "abc", "Task", "--correlation", "x"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--correlation is for adhesive send") });
    expect(await adhesiveIn(run, ["send", "abc", "Paid", "--key", "1", "--correlation", "x"])).toMatchObject({ code: 2, stderr: expect.stringContaining("give --key or --correlation, not both") });
    expect(await adhesiveIn(run, ["send", "../etc", "Paid"])).toMatchObject({ code: 1, stderr: 'adhesive: "../etc" is not a run id\n' });
    expect(await adhesiveIn(run, ["send", "0badc0de", "Paid"])).toMatchObject({ code: 1, stderr: expect.stringContaining('no run "0badc0de" in ') });
    expect(await adhesiveIn(run, ["--ui-port", "99999", "x.ts"])).toMatchObject({ code: 2, stderr: expect.stringContaining('--ui-port must be a port number from 1 to 65535, got "99999"') });
  });
});

describe("--ui with resume and runs", () => {
  it("a resumed run waiting on a form off a terminal gets the live view and waits for the answer; runs --ui lists it until Ctrl-C", async () => {
    const first = start(["--ui", liveFixture("order.ts")]);
    const id = await first.runId();
    first.release();
    await first.waitFor(/user task Approve Order waits for an answer/);
    first.child.kill("SIGKILL");
    await first.exited;

    const resumed = start(["resume", "--ui"], first.project);
    // the resumed run's own page
    const [, resumedPage] = await resumed.waitFor(/live view: (http:\S+)/);
    expect(new URL(resumedPage).pathname).toBe(`/runs/${id}`);
    // off a terminal the form waits for an answer from outside, rather than failing for want of one
    await resumed.waitFor(new RegExp(`user task Approve Order waits for an answer: in the live view, or adhesive complete ${id.slice(0, 8)} "Approve Order"`));
    expect(await adhesiveIn(resumed, ["complete", id, "Approve Order", "--data", '{"approver": "cy"}'])).toMatchObject({ code: 0 });
    expect(await adhesiveIn(resumed, ["send", id, "payment", "--data", '{"amount": 2}'])).toMatchObject({ code: 0 });
    expect(await resumed.exited).toBe(0);
    expect(resumed.stdout()).toContain('result: {"approver":"cy","approve":true,"priority":"low","gifts":[],"paid":2,"shipped":true}');

    const listed = start(["runs", "--ui"], first.project);
    const [, printed] = await listed.waitFor(/live view: (http:\S+)/);
    expect(listed.stdout()).toContain(id);
    const page = new URL(printed);
    const response = await fetch(new URL(`/api/runs?token=${page.searchParams.get("token")}`, page));
    const { runs: listedRuns } = (await response.json()) as { runs: Array<{ id: string; state: string }> };
    expect(listedRuns.map((run) => [run.id, run.state])).toEqual([[id, "done"]]);
    listed.child.kill("SIGINT");
    expect(await listed.exited).toBe(0);
  });

  it("is refused where it has no use", async () => {
    const run = start(["--version"]);
    await run.exited;
    expect(await adhesiveIn(run, ["lint", "x.bpmn", "--ui"])).toMatchObject({ code: 2, stderr: "adhesive lint: --ui is for running a process file, adhesive resume and adhesive runs\n" });
  });
});
