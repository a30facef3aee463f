/**
 * Test helpers for the docker and kube workspaces, which run against a FAKE
 * docker / kubectl CLI (test/fixtures/bin/, see fake-cli.mjs there): no docker
 * engine or Kubernetes cluster exists where these tests run. The fake records
 * every argument vector it gets, so the tests assert the exact command lines
 * a real CLI would receive.
 */
import { chmod, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalWorkspace } from "../../src/workspaces/local.js";
import type { OutputSink } from "../../src/workspaces/workspace.js";

export const FAKE_BIN = fileURLToPath(new URL("../fixtures/bin", import.meta.url));

/** A folder name that needs quoting everywhere: spaces, quotes, `$`, a backtick, a comma (docker --mount) and a colon (-v, kubectl cp). */
export const AWKWARD_NAME = `run dir, 'q' "dq" $HOME \`x\` a:b`;

export interface FakeCliSetup {
  root: string;
  /** the parent workspace's folder (named AWKWARD_NAME) */
  folder: string;
  log: string;
  /** a LocalWorkspace in `folder` whose commands find the fake CLIs first on PATH */
  parent(options?: { fail?: Record<string, { exit: number; stdout?: string; stderr?: string }>; output?: OutputSink }): LocalWorkspace;
  /** what the fake kubectl's API server holds (fake-kube-api.mjs) */
  kubeObjects(): Promise<Array<Record<string, unknown>>>;
  /** the argument vectors the fake CLIs received, in order */
  calls(): Promise<string[][]>;
  cleanup(): Promise<void>;
}

export async function fakeCliSetup(): Promise<FakeCliSetup> {
  await chmod(join(FAKE_BIN, "docker"), 0o755);
  await chmod(join(FAKE_BIN, "kubectl"), 0o755);
  const root = await mkdtemp(join(tmpdir(), "adhesive-fake-cli-"));
  const folder = join(root, AWKWARD_NAME);
  await mkdir(folder);
  const log = join(root, "calls.jsonl");
  const kubeState = join(root, "kube-state.json");
  return {
    root,
    folder,
    log,
    kubeObjects: async () => (JSON.parse(await readFile(kubeState, "utf8").catch(() => '{"objects": []}')) as { objects: Array<Record<string, unknown>> }).objects,
    parent: (options = {}) =>
      new LocalWorkspace({
        id: "test",
        pwd: folder,
        env: {
          PATH: `${FAKE_BIN}:${process.env.PATH ?? ""}`,
          FAKE_CLI_LOG: log,
          FAKE_KUBE_STATE: kubeState,
          ...(options.fail ? { FAKE_CLI_FAIL: JSON.stringify(options.fail) } : {}),
        },
      }, { signal: undefined, output: options.output }),
    calls: async () => {
      const text = await readFile(log, "utf8").catch(() => "");
      return text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as string[]);
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** An output sink that keeps what it is given. */
export function collector(): OutputSink & { text: string } {
  const sink = {
    text: "",
    write(chunk: string) {
      sink.text += chunk;
    },
  };
  return sink;
}

/** A command that is hard to pass through two shells: every kind of quote, expansions that must not happen, newlines. */
export const NASTY_COMMAND = [
  `printf '[%s]\\n' "it's" '$HOME' "\\$PATH" 'back\`tick\`' "a\\"b" 'semi;colon && pipe|' '*' 'glob?[x]' 'bang!' "tab\there"`,
  `echo "two`,
  `lines" ; echo 'ünïcødé 😀' # a comment`,
].join("\n");
