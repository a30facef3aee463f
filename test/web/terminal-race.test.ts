/*
 * adhesive --ui on a real terminal (tmux): the approval form is on the
 * terminal and on the page at once; answered through the page's API, the
 * terminal withdraws its prompt and the run finishes. On a terminal the
 * live view then stays up until Ctrl-C, and the exit code is the run's.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TmuxServer } from "../ui/tmux.js";
import { liveFixture } from "./cli-run.js";

const server = new TmuxServer();
afterAll(() => server.close());

describe("a user-task form on the terminal and in the live view", () => {
  it("answered in the browser, the terminal withdraws it and the run finishes", async () => {
    const env = `NO_COLOR=1 ADHESIVE_TEMP_FOLDER='${join(server.dir, "temp")}' ADHESIVE_RUNS_FOLDER='${join(server.dir, "runs")}' ORDER_RELEASE='${join(server.dir, "release")}'`;
    const cli = server.startCli("race", liveFixture("order.ts"), env, ["--ui"]);
    const url = new URL(/live view: (http:\S+)/.exec(await cli.waitFor(/live view: http:\S+token=\S+/))![1]);
    const api = (path: string, body?: unknown) =>
      fetch(new URL(path, url), {
        method: body === undefined ? "GET" : "POST",
        headers: { "x-adhesive-token": url.searchParams.get("token")!, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((response) => response.json() as Promise<Record<string, unknown>>);
    writeFileSync(join(server.dir, "release"), "");
    await cli.waitFor(/User task: Approve Order/);
    const { runs } = (await api("/api/runs")) as { runs: Array<{ id: string }> };
    const id = runs[0].id;
    const { forms } = (await api(`/api/runs/${id}/forms`)) as { forms: Array<{ id: string; taskName: string }> };
    expect(forms.map((form) => form.taskName)).toEqual(["Approve Order"]);
    // the payment catch event waits once the fork has run: until then the message is not delivered
    let paid = await api(`/api/runs/${id}/messages`, { message: "Payment Received", data: { amount: 9 } });
    for (const deadline = Date.now() + 60_000; paid.code === "ADHESIVE_NOT_DELIVERED" && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      paid = await api(`/api/runs/${id}/messages`, { message: "Payment Received", data: { amount: 9 } });
    }
    expect(paid).toEqual({ delivered: 1, elements: ["payment"] });
    expect(await api(`/api/runs/${id}/forms/${forms[0].id}`, { approver: "web" })).toMatchObject({ answered: { taskName: "Approve Order" } });
    await cli.waitFor(/form "Approve Order" closed: answered in the browser/);
    const screen = await cli.waitFor(/the live view stays at .* press Ctrl-C to close it/);
    expect(screen).toContain('result: {"approver":"web","approve":true,"priority":"low","gifts":[],"paid":9,"shipped":true}');
    cli.keys("C-c");
    await cli.waitFor(/\[exit 0\]/);
  });
});
