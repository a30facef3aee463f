import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // the package's own name means its sources here, as for tsc and the CLI (src/source-mode.mjs)
  resolve: { alias: [{ find: /^adhesive-bpmn$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) }] },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // the folder of the one install of the packed tarball that test/package's files share
    globalSetup: ["test/package/global-setup.ts"],
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
