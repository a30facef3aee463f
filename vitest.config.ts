import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/*
 * The test files that take longest, longest first, as measured on 2 cores.
 * Started first, they end about together; one of them starting near the
 * end would run alone while the other workers idle. A fresh clone has no
 * durations in vitest's cache to go by, hence the list; the other files
 * follow in vitest's own order. A stale list costs time, nothing else.
 */
const SLOW_FIRST = [
  // builds the package (the CLI tests' and the tarball's) and installs the tarball that the other files of test/package wait for
  "test/package/package.test.ts",
  // needs no build: it keeps the other core busy while the package builds
  "test/differential/bpmn-engine.test.ts",
  // the kill and takeover scenarios of the Redis store: a minute or two each on a loaded machine
  "test/store/takeover.test.ts",
  "test/store/orchestrator.test.ts",
  "test/store/link-cut.test.ts",
  "test/store/kill-worker.test.ts",
  "test/store/lanes.test.ts",
  "test/journal/byte-flips.test.ts",
  "test/inbox/acknowledged.test.ts",
  "test/runtime/resume.test.ts",
  "test/runs/owner.test.ts",
  "test/cli/durable.test.ts",
  "test/secrets/leaks.test.ts",
  "test/cli/cli.test.ts",
  "test/docs/code-blocks.test.ts",
  "test/docs/api.test.ts",
  "test/cli/inbox-commands.test.ts",
  "test/console/console.test.ts",
  "test/examples.test.ts",
  "test/workspaces/ssh.test.ts",
  "test/cli/process-file.test.ts",
  "test/cli/signals.test.ts",
  "test/processes/supervisor.test.ts",
  "test/engine/memory.test.ts",
  "test/cli/verify.test.ts",
  "test/cli/types-file.test.ts",
  "test/workspaces/docker.test.ts",
  "test/runs/retention.test.ts",
  "test/runtime/process-exit.test.ts",
  "test/store/kill-redis.test.ts",
  "test/cli/clean.test.ts",
  "test/web/viewers.test.ts",
  "test/package/two-copies.test.ts",
  "test/engine/sharing.test.ts",
  "test/engine/responsive.test.ts",
  "test/workers/workers.test.ts",
  "test/package/processes.test.ts",
  "test/cli/wait-for-runs.test.ts",
  "test/model/expressions.test.ts",
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = SLOW_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    const sorted = await super.sort(files);
    return sorted.map((spec, order) => ({ spec, order })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.order - b.order).map(({ spec }) => spec);
  }
}

export default defineConfig({
  // the package's own name means its sources here, as for tsc and the CLI (src/source-mode.mjs)
  resolve: { alias: [{ find: /^adhesive-bpmn$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) }] },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // the folders of the one build of the package and the one install of its tarball that the test files share
    globalSetup: ["test/global-setup.ts"],
    sequence: { sequencer: SlowFirst },
    // Caps on a hang, not expectations of speed: no test asserts how long
    // anything takes, and the waits inside tests have their own caps that
    // name what they waited for (test/waiting.ts). A test that spawns CLIs
    // takes seconds each on a loaded machine (up to a minute for the ones
    // with a dozen CLI runs, measured at a load average of 15): it must not
    // be cut off.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Most of the suite waits on child processes (the CLI, sshd, tmux,
    // chromium, npm), so test files run side by side even where vitest's
    // default (one worker fewer than the CPUs) would run them one at a time.
    maxWorkers: 3,
  },
});
