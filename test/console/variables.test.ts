/*
 * A run's variables as the console's tree gets them: one level at a time,
 * each container closed with its kind and size until it is opened, a page
 * of entries per request, values v8 keeps (Map, Set, Date, BigInt) shown
 * as what they are, long strings cut, secrets masked. A run that succeeded
 * shows its result; a running one its initial data and what the tasks of
 * no message instance changed; an instance its own data.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { journalViewOf } from "../../src/console/journal-views.js";
import { TREE_PAGE, variables, type TreeNode } from "../../src/console/variables.js";
import { registerSecret } from "../../src/secrets/redact.js";
import { signupTasks } from "../fixtures/console/signup-tasks.js";

const SIGNUP_FILE = fileURLToPath(new URL("../fixtures/console/signups.bpmn", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "adhesive-console-variables-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const HISTORY = Array.from({ length: 450 }, (_, i) => ({ signup: i }));
const INITIAL = {
  plan: "pro",
  history: HISTORY,
  tags: new Set(["beta", "eu"]),
  limits: new Map<unknown, unknown>([["daily", 10n ** 20n], [7, new Date(Date.UTC(2026, 0, 2))]]),
  notes: "x".repeat(5000),
};

async function signups(runId: string, data: Record<string, unknown>, options: { taskLimit?: number } = {}) {
  const adhesive = new Adhesive();
  signupTasks(adhesive);
  await adhesive.bpmnBuild(SIGNUP_FILE, { runId, runsFolder: folder, tempFolder: folder, initialData: data, ...options }).catch(() => undefined);
  return (await journalViewOf(join(folder, runId))).view!;
}

/* an opened node's entries as key -> what a closed entry or a leaf shows */
const shown = (node: TreeNode | undefined) => Object.fromEntries((node?.entries ?? []).map((entry) => [entry.key, entry.node.text ?? `${entry.node.type} of ${entry.node.size}`]));

describe("a run's variables", () => {
  it("of a run that succeeded are its result, one level at a time, each container closed with its size", async () => {
    const view = await signups("done", INITIAL);
    const root = variables(view, "done", {})!;
    expect(root).toMatchObject({ of: "run", source: "result", path: [] });
    expect(shown(root.node)).toMatchObject({ plan: '"pro"', history: "array of 450", tags: "set of 2", limits: "map of 2", account: "object of 3", welcomed: "true" });
    expect(root.node!.entries!.find((entry) => entry.key === "notes")!.node.text).toBe(`${JSON.stringify("x".repeat(2000))}… (5000 characters)`);
    expect(shown(variables(view, "done", { path: ["limits"] })!.node)).toEqual({ daily: "100000000000000000000n", "7": "2026-01-02T00:00:00.000Z" });
    expect(shown(variables(view, "done", { path: ["tags"] })!.node)).toEqual({ 0: '"beta"', 1: '"eu"' });
    expect(variables(view, "done", { path: ["nowhere"] })!.node).toBeUndefined();
  });

  it("open a large array a page at a time", async () => {
    const view = (await journalViewOf(join(folder, "done"))).view!;
    const first = variables(view, "done", { path: ["history"] })!.node!;
    expect(first).toMatchObject({ type: "array", size: 450, offset: 0 });
    expect(first.entries).toHaveLength(TREE_PAGE);
    expect(first.entries![0]).toEqual({ key: "0", step: 0, node: { type: "object", size: 1 } });
    const last = variables(view, "done", { path: ["history"], offset: 400 })!.node!;
    expect(last.entries!.map((entry) => entry.step)).toEqual(Array.from({ length: 50 }, (_, i) => 400 + i));
    expect(shown(variables(view, "done", { path: ["history", 449] })!.node)).toEqual({ signup: "449" });
  });

  it("of a message instance are its own data: the initial data, its event, what its tasks changed", async () => {
    const view = (await journalViewOf(join(folder, "done"))).view!;
    const bo = variables(view, "done", { instance: 2 })!;
    expect(bo).toMatchObject({ of: "instance", source: "journal" });
    expect(shown(bo.node)).toMatchObject({ name: '"bo"', valid: "false", rejected: '"no valid email: bo-at-example.org"', event: "object of 2" });
    expect(shown(bo.node)).not.toHaveProperty("account");
    expect(shown(variables(view, "done", { instance: 4, path: ["account"] })!.node)).toEqual({ id: '"acc-cy"', plan: '"pro"', tags: "array of 1" });
  });

  it("of a run that did not succeed are its initial data and what the tasks of no message instance changed", async () => {
    const view = await signups("failed", { plan: "free", failOn: "taken" });
    const root = variables(view, "failed", {})!;
    expect(root.source).toBe("journal");
    // every task ran in a message instance: the run's own data is its initial data
    expect(shown(root.node)).toEqual({ plan: '"free"', failOn: '"taken"' });
  });

  it("mask a secret, in a value and cut or not", async () => {
    const secret = "sk-live-4242-console-tree";
    registerSecret(secret);
    const view = await signups("secret", { plan: "pro", apiKey: secret, memo: `key ${secret} ${"y".repeat(3000)}` });
    const text = JSON.stringify(variables(view, "done", {}));
    expect(text).not.toContain(secret);
    expect(text).toContain("********");
  });
});
