/*
 * The examples as a user meets them: every diagram opens in a modeler and
 * lints clean, `adhesive verify` maps every element, and each example runs
 * through the real CLI (built, ./built-package.ts: `adhesive examples/<x>`), bounded in
 * time, checking the exit code and what it prints.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BpmnModdle } from "bpmn-moddle";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TmuxServer } from "./ui/tmux.js";
import { startSshd } from "./workspaces/sshd.js";
import { builtCli } from "./built-package.js";
import { escapeRegExp } from "../src/escape-regexp.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const examples = readdirSync(join(root, "examples"));
const diagrams = examples.flatMap((name) =>
  readdirSync(join(root, "examples", name))
    .filter((file) => file.endsWith(".bpmn"))
    .map((file) => `examples/${name}/${file}`),
);

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const bin = await builtCli();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      // 120 s only caps a hang: an example takes seconds, more on a loaded machine
      { cwd: root, env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 120_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

const runExample = (name: string, env: Record<string, string> = {}) => cli([`examples/${name}`], env);

interface Element {
  $type: string;
  id: string;
  [key: string]: unknown;
}

/** Every flow node (nested ones too) and every sequence flow of the file, and the diagram's shapes and edges. */
async function diagramOf(file: string) {
  const { rootElement } = await new BpmnModdle().fromXML(readFileSync(join(root, file), "utf8"));
  const definitions = rootElement as unknown as { rootElements: Element[]; diagrams?: Array<{ plane: { planeElement?: Element[] } }> };
  const flowElements = (container: Element): Element[] =>
    ((container.flowElements as Element[] | undefined) ?? []).flatMap((element) => [element, ...flowElements(element)]);
  const elements = definitions.rootElements.filter((element) => element.$type === "bpmn:Process").flatMap(flowElements);
  const drawn = (definitions.diagrams ?? []).flatMap((diagram) => diagram.plane.planeElement ?? []);
  return { elements, drawn };
}

describe("example diagrams", () => {
  it("exist for every example", () => {
    expect(diagrams.length).toBeGreaterThanOrEqual(examples.length);
  });

  describe("under adhesive lint", () => {
    // one lint of every diagram (it takes several files): each diagram's test reads its own lines, the
    // one naming the diagram and the indented ones below it
    let lint: Result;
    const linted = new Map<string, string>();
    beforeAll(async () => {
      lint = await cli(["lint", ...diagrams]);
      let current: string | undefined;
      for (const line of lint.stdout.split("\n").filter(Boolean)) {
        if (!line.startsWith(" ")) current = diagrams.find((file) => line.endsWith(` ${file}`)) ?? "(no diagram)";
        const lines = linted.get(current ?? "(no diagram)") ?? "";
        linted.set(current ?? "(no diagram)", `${lines}${line}\n`);
      }
    });

    it.each(diagrams)("%s lints with no warning", (file) => {
      expect({ lines: linted.get(file), stderr: lint.stderr, unnamed: linted.get("(no diagram)") }).toEqual({ lines: `ok    ${file}\n`, stderr: "", unnamed: undefined });
      // lint exits 1 for another diagram's errors too, which fail that diagram's test; no diagram's lines tell what else failed
      const explained = [...linted].some(([other, lines]) => other === "(no diagram)" || lines !== `ok    ${other}\n`);
      expect(lint.code === 0 || explained, `adhesive lint exited ${lint.code}:\n${lint.stdout}`).toBe(true);
    });
  });

  it.each(diagrams)("%s draws every element, with no two shapes on top of each other", async (file) => {
    const { elements, drawn } = await diagramOf(file);
    const drawnIds = new Set(drawn.map((di) => (di.bpmnElement as Element).id));
    for (const element of elements) expect(drawnIds.has(element.id), `${element.id} (${element.$type}) has no shape or edge`).toBe(true);
    for (const edge of drawn.filter((di) => di.$type === "bpmndi:BPMNEdge")) expect((edge.waypoint as unknown[]).length).toBeGreaterThanOrEqual(2);
    const boxes = drawn
      .filter((di) => di.$type === "bpmndi:BPMNShape" && elements.includes(di.bpmnElement as Element) && !(di.bpmnElement as Element).attachedToRef)
      .map((di) => ({ id: (di.bpmnElement as Element).id, ...(di.bounds as { x: number; y: number; width: number; height: number }) }));
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
      }
    }
  });
});

describe("examples", () => {
  it("import nothing but adhesive-bpmn and Node's own modules, so they run from an installed package", () => {
    for (const name of examples) {
      const source = readFileSync(join(root, "examples", name, "_adhesive.ts"), "utf8");
      const imports = [...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);
      expect(imports.filter((specifier) => specifier !== "adhesive-bpmn" && !specifier.startsWith("node:")), name).toEqual([]);
    }
  });

  it.each(examples)("examples/%s: adhesive verify maps every element and finds no unused implementation", async (name) => {
    const { code, stdout, stderr } = await cli(["verify", `examples/${name}`]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).not.toMatch(/^ {2}(missing|ambiguous|unused)/m);
    expect(stdout).toMatch(/^1 process, \d+ elements mapped$/m);
  });

  it("examples/hello: builds every platform in parallel, then publishes", async () => {
    const { code, stdout, stderr } = await runExample("hello");
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^done +Build linux \[0: linux\]/m);
    expect(stdout).toContain("published: true\n");
    expect(stdout).toMatch(/^finished examples\/hello\/hello\.bpmn in \S+: 6 done, 0 failed, 0 cancelled; run /m);
  });

  it("examples/messages: a burst of pushes, each repository built at most once at a time, the newest waiting push wins", async () => {
    const { code, signal, stdout, stderr } = await runExample("messages");

    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(stdout).toContain("summary: 9 push events, 6 builds (api@1 api@4 docs@1 docs@2 web@1 web@3), 3 superseded while waiting\n");
    // one task line per build: api built twice, never three times
    expect(stdout.match(/^done +Build api /gm)).toHaveLength(2);
    expect(stdout).toMatch(/, 9 events; run /);
  });

  it("examples/timers: an interrupting PT2S timer cancels the slow step, a non-interrupting R3/PT1S cycle sends 3 reminders", async () => {
    const { code, signal, stdout, stderr } = await runExample("timers");

    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(stdout).toContain("summary: smoke tests timed out after PT2S, 3 reminders sent, signed off: yes\n");
    expect(stdout).toMatch(/^stop +Run Smoke Tests \(cancelled\)$/m);
    expect(stdout.match(/^done +Send Reminder /gm)).toHaveLength(3);
  });

  it("examples/lanes without DEPLOY_HOST: packages in the build lane, installs into the target lane's local folder", async () => {
    const { code, signal, stdout, stderr } = await runExample("lanes", { DEPLOY_HOST: "" });

    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(stdout).toContain("DEPLOY_HOST is not set: the target lane is a local folder");
    expect(stdout).toMatch(/^\[Report\] deployed: app 1\.4\.2 running on \S+ \(in \S+\/workspace\/target\)$/m);
    for (const task of ["Package App", "Upload Package", "Install Package", "Check Installation", "Report"]) {
      expect(stdout).toMatch(new RegExp(`^done +${task} `, "m"));
    }
  });

  it("examples/lanes with DEPLOY_HOST=127.0.0.1: installs over ssh, in the ssh workspace's own remote folder", async () => {
    const server = await startSshd();
    try {
      const env = { DEPLOY_HOST: server.host, DEPLOY_PORT: String(server.port), DEPLOY_USER: server.username, DEPLOY_KEY: server.keyFile };
      const { code, signal, stdout, stderr } = await runExample("lanes", env);

      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
      expect(stdout).toMatch(/^summary: app 1\.4\.2 running on \S+$/m);
      // the remote temp folder: the test's sshd gives its sessions this process's TMPDIR (workspaces/sshd.ts)
      expect(stdout).toMatch(new RegExp(`^\\[Report\\] deployed: app 1\\.4\\.2 running on \\S+ \\(in ${escapeRegExp(tmpdir())}/adhesive-[\\w-]+\\)$`, "m"));
      expect(server.acceptedLogins()).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

describe("examples on a terminal (tmux)", () => {
  const server = new TmuxServer();
  afterAll(() => server.close());

  it("examples/user-task: a person fills in the release details while the tests run, then approves", async () => {
    const { waitFor, keys, type } = server.startCli("user-task", "examples/user-task");
    // each form is shown whole, and the keys go once it is drawn
    await waitFor(/❯ Version to release  1\.0\.0\n[^]*enter: next field/);
    keys("Enter");
    type("t0ken-value");
    // Enter moves on to the channel, turned to Beta; the platforms stay as preset; down to OK
    keys("Enter", "Right", "Down", "Down", "Down", "Down");
    await waitFor(/Channel\s+‹ Beta ›[^]*❯ \[ OK \]/);
    keys("Enter");
    await waitFor(/❯ Release notes for 1\.0\.0  \(•\) short/);
    // Enter keeps the notes and moves on to Publish, the second Enter presses it
    keys("Enter", "Enter");
    const end = await waitFor(/\[exit \d+\]/);
    expect(end).toContain("[exit 0]");
    const release = JSON.parse(/^release: (.*)$/m.exec(end)![1]) as Record<string, unknown>;
    expect(release).toMatchObject({ version: "1.0.0", channel: "beta", platforms: ["linux"], testsPassed: true, notes: "short", publish: true, published: true });
    expect(end).not.toContain("t0ken-value");
    expect(end).toMatch(/^done +Run Tests /m);
  });
});
