/*
 * Acknowledged means journaled (issue 18, item 1): `adhesive send` and
 * `adhesive complete` get their answer only once the run's journal holds
 * the message or the answer, so a runner killed with SIGKILL right after
 * it answered loses nothing. A run waits round after round for a payment
 * (send) and an approval (complete); after every acknowledgement the runner
 * is killed at once (or a few seeded milliseconds later) and resumed. Every
 * payment and approval must be in the final data, in order. They used to be
 * answered before the journal write: half of such kills lost them.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { requestControl } from "../../src/inbox/control-client.js";
import type { ControlRequest } from "../../src/inbox/control-socket.js";
import { InboxError } from "../../src/inbox/inbox-error.js";
import { seeded } from "../seeded.js";
import { startCli, type CliRun } from "../web/cli-run.js";

const processFile = fileURLToPath(new URL("../fixtures/acknowledged/payments.ts", import.meta.url));
/* a payment and an approval per round, each followed by a kill, but for the last round */
const KILLS = 30;
const ROUNDS = KILLS / 2 + 1;
/* what a runner that is still starting, or not yet waiting, answers: try again */
const NOT_YET = new Set(["ADHESIVE_RUN_UNREACHABLE", "ADHESIVE_NOT_DELIVERED", "ADHESIVE_NO_SUCH_FORM"]);

const project = mkdtempSync(join(tmpdir(), "adhesive-acknowledged-"));
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** The control socket of the runner `run` (its run.json names its pid once it listens). */
async function controlOf(run: CliRun, id: string): Promise<string> {
  for (let i = 0; i < 2000; i++) {
    try {
      const info = JSON.parse(readFileSync(join(project, "runs", id, "run.json"), "utf8")) as { pid: number; control?: string };
      if (info.pid === run.child.pid && info.control !== undefined) return info.control;
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`runner ${run.child.pid} never listened\n${run.stdout()}\n${run.stderr()}`);
}

/** Sends the request until the run takes it; returns once it was acknowledged. */
async function acknowledged(control: string, id: string, request: ControlRequest, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    try {
      await requestControl(control, request, id);
      return;
    } catch (error) {
      if (!(error instanceof InboxError) || !NOT_YET.has(error.code)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the run never took ${what}: something acknowledged before it was lost`);
}

describe("an acknowledged message or answer survives a kill -9 right after the acknowledgement", () => {
  it(`${KILLS} seeded kills, each right after adhesive send or adhesive complete was answered`, async () => {
    process.env.ROUNDS = String(ROUNDS);
    const jitter = seeded(18);
    let run = startCli([processFile], project);
    const id = await run.runId();
    for (let step = 0; step < ROUNDS * 2; step++) {
      const round = step >> 1;
      const payment = step % 2 === 0;
      const request: ControlRequest = payment ? { op: "send", message: "Paid", data: { trial: round } } : { op: "complete", task: "Approve", data: { approver: `p${round}` } };
      await acknowledged(await controlOf(run, id), id, request, payment ? `payment ${round}` : `approval ${round}`);
      // the last round is not killed: the run finishes and prints its data
      if (step >= KILLS) continue;
      // at once for most, a few milliseconds later for some: the write must not merely be on its way
      const wait = jitter() < 0.7 ? 0 : jitter() * 5;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      run.child.kill("SIGKILL");
      await run.exited;
      run = startCli(["resume", id], project);
    }
    expect(await run.exited, run.stderr()).toBe(0);
    const rounds = Array.from({ length: ROUNDS }, (_, i) => i);
    expect(run.stdout()).toContain(`result: ${JSON.stringify({ paid: rounds, approvers: rounds.map((i) => `p${i}`) })}`);
  }, 600_000);
});
