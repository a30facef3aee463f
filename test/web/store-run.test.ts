/*
 * The live view of a store's runs (`adhesive serve --store --ui`): given a
 * run orchestrated with --store by another process, which knows nothing of
 * the console, when the console's page asks its API, then the run is in
 * the list with its owner, its timeline and data are those `adhesive runs
 * show --store` and the journal stream give, an entry appended later
 * arrives on the open event stream, a message sent from the page reaches
 * the run through its inbox in the store, and a job that waits for a worker
 * and an incident show with the `adhesive retry` command that puts it back.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeValue } from "../../src/journal/values.js";
import type { Store } from "../../src/store/connection.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { runCli } from "../run-cli.js";
import { until } from "../waiting.js";
import { type TestRedis } from "../store/redis-server.js";
import { exitOf, newStoreRun, ORCHESTRATED, rolesPerFile, startRole, stopRole, storeRunIds, type Role } from "../store/store-cli.js";
import { openEvents } from "./sse-client.js";

const receiveFile = fileURLToPath(new URL("../fixtures/live/receive.ts", import.meta.url));

let redis: TestRedis, store: Store, dir: string, env: Record<string, string>;
// the console's own runs folder is empty: every run it shows comes from the store
rolesPerFile("adhesive-store-console-", (file) => ({ redis, store, dir, env } = file), (dir) => ({ ADHESIVE_RUNS_FOLDER: join(dir, "console-runs") }));
let consoleRole: Role;
let base: URL;
let token: string;

beforeAll(async () => {
  consoleRole = startRole(["serve", "--store", redis.url, "--ui"], env);
  await until(() => /live view: http:\S+token=\S+/.test(consoleRole.output()), `the console to start (it printed: ${consoleRole.output()})`, 60_000);
  base = new URL(/live view: (http:\S+)/.exec(consoleRole.output())![1]);
  token = base.searchParams.get("token")!;
});

afterAll(async () => {
  await stopRole(consoleRole);
});

async function api<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(path, base), {
    method: body === undefined ? "GET" : "POST",
    headers: { "x-adhesive-token": token, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as T;
}

interface Listing {
  id: string;
  state: string;
  processId: string;
  completed: number;
  store?: { host: string | undefined; incidents: number; ownerLost: boolean };
}

async function newRun(before: Set<string>, role: Role): Promise<string> {
  let id: string | undefined;
  await until(async () => (id = (await newStoreRun(store, before))?.runId) !== undefined, `the run to register (it printed: ${role.output()})`, 60_000);
  return id!;
}

describe("adhesive serve --store --ui", () => {
  it("lists a run of the store, follows its stream live, and a message sent from the page reaches it", async () => {
    const before = await storeRunIds(store);
    const orchestrator = startRole([receiveFile, "--store", redis.url], { ...env, ADHESIVE_RUNS_FOLDER: join(dir, "runs") });
    try {
      const id = await newRun(before, orchestrator);
      let listed: Listing | undefined;
      await until(async () => (listed = (await api<{ runs: Listing[] }>("/api/runs")).runs.find((run) => run.id === id)) !== undefined, "the run in the console's list");
      expect(listed).toMatchObject({ state: "running", processId: "receive", store: { incidents: 0, ownerLost: false } });
      expect(listed!.store!.host).toBeTruthy();

      // the order is prepared, then the run waits for its payment
      await until(async () => (await api<{ entries: Array<{ kind: string; elementId: string }> }>(`/api/runs/${id}/timeline`)).entries.some((entry) => entry.kind === "completed" && entry.elementId === "prepare"), "Prepare Order in the timeline");
      const events = await openEvents(base.port === "" ? 80 : Number(base.port), id, token);
      try {
        expect(events.completed.get("confirm") ?? 0).toBe(0);
        // the web API runs no JavaScript, on a run of any host either
        expect(await api(`/api/runs/${id}/messages`, { message: "Payment Received", data: { amount: 1 }, correlation: "true" })).toMatchObject({ code: "ADHESIVE_BAD_CORRELATION" });
        let sent: Record<string, unknown> = {};
        // the token may still be on its way to the receive task
        await until(async () => (sent = await api(`/api/runs/${id}/messages`, { message: "Payment Received", data: { amount: 7 } })).code !== "ADHESIVE_NOT_DELIVERED", "the payment to be taken", 60_000, 100);
        expect(sent).toMatchObject({ delivered: 1 });
        // what the orchestrator appends to the stream after the page opened reaches it
        await until(() => events.completed.get("confirm") === 1, "Confirm Payment's end on the event stream");
      } finally {
        events.close();
      }
      expect(await exitOf(orchestrator, "the orchestrator")).toBe(0);
      await until(async () => (await api<{ info: { state: string } }>(`/api/runs/${id}`)).info.state === "done", "the run to show as done");

      const journal = await readStreamJournal(store, id);
      const { entries } = await api<{ entries: Array<{ kind: string; seq: number; elementId: string }> }>(`/api/runs/${id}/timeline`);
      const shown = await runCli(["runs", "show", id, "--store", redis.url, "--no-color"]);
      const doneInCli = [...shown.stdout.matchAll(/^#(\d+)\s+.*\((\w+)\).*done$/gm)].map((match) => `${match[1]} ${match[2]}`);
      const doneInPage = entries.filter((entry) => entry.kind === "completed").map((entry) => `${entry.seq} ${entry.elementId}`);
      expect(doneInPage).toEqual(doneInCli);
      expect(doneInPage.map((done) => done.split(" ")[1])).toEqual(["prepare", "confirm"]);
      const data = (await api<{ source: string; node: { entries: Array<{ key: string; node: { text?: string } }> } }>(`/api/runs/${id}/variables`)).node.entries;
      const expected = decodeValue(journal.end!.data as never) as Record<string, unknown>;
      expect(Object.fromEntries(data.map((entry) => [entry.key, entry.node.text]))).toMatchObject({ confirmed: String(expected.confirmed) });
      expect(expected.confirmed).toBe(7);
    } finally {
      await stopRole(orchestrator);
    }
  });

  it("shows a job waiting for a worker and an incident with the retry command, and cancels the run through its inbox", async () => {
    const flaky = { ...env, ADHESIVE_RUNS_FOLDER: join(dir, "runs"), ADHESIVE_POOLS: JSON.stringify({ build: "flaky" }), ADHESIVE_SCHEDULE_TO_START_MS: "200" };
    const before = await storeRunIds(store);
    const orchestrator = startRole([ORCHESTRATED, "--store", redis.url], flaky);
    let broken: Worker | undefined;
    try {
      const id = await newRun(before, orchestrator);
      type RunAnswer = { info: { store: boolean }; store: { warnings: Array<{ text: string; job: string }>; incidents: Array<{ node: string; job: string; reason: string; retry: string }> } };
      let run: RunAnswer | undefined;
      await until(async () => ((run = await api<RunAnswer>(`/api/runs/${id}`)).store?.warnings.length ?? 0) > 0, "a waiting job on the run's page", 60_000, 100);
      expect(run!.info.store).toBe(true);
      expect(run!.store.warnings[0].text).toMatch(/has waited [\d.]+ s for a worker of pool flaky/);
      expect(run!.store.warnings[0].job).toMatch(new RegExp(`^${id}\\.\\d+\\.1$`));

      const queue = /\(queue (adhesive\.flaky\.[0-9a-f]{16})\)/.exec(orchestrator.output())![1];
      // a worker that fails its jobs in BullMQ, not in the task (as when stalls run out)
      broken = new Worker(queue, async (): Promise<unknown> => Promise.reject(new Error("the host lost its disk")), { connection: store.connection, concurrency: 2 });
      await until(async () => (await api<{ runs: Listing[] }>("/api/runs")).runs.find((listed) => listed.id === id)?.store?.incidents === 2, "two incidents in the console's list", 60_000, 100);
      await broken?.close();
      broken = undefined;
      run = await api<RunAnswer>(`/api/runs/${id}`);
      expect(run.store.incidents.map((incident) => incident.node).sort()).toEqual(["compileA", "compileB"]);
      expect(run.store.incidents[0]).toMatchObject({ reason: "the host lost its disk", retry: `adhesive retry ${id} ${run.store.incidents[0].node} --store redis://127.0.0.1:${redis.port}/0` });
      // an incident's job is not also said to wait for a worker
      const incidentJobs = new Set(run.store.incidents.map((incident) => incident.job));
      expect(run.store.warnings.filter((warning) => incidentJobs.has(warning.job))).toEqual([]);

      const offered = await api<{ actions: Array<{ name: string; refused?: string }> }>(`/api/runs/${id}/actions`);
      expect(offered.actions.map((action) => [action.name, action.refused])).toEqual([["cancel", undefined]]);
      expect(await api(`/api/runs/${id}/actions/cancel`, {})).toMatchObject({ action: "cancel", run: id });
      await exitOf(orchestrator, "the cancelled orchestrator");
      await until(async () => (await api<{ info: { state: string } }>(`/api/runs/${id}`)).info.state === "cancelled", "the run to show as cancelled");
    } finally {
      await broken?.close();
      await stopRole(orchestrator);
    }
  });
});
