#!/usr/bin/env node
// The installed package runs the compiled dist/. A clone of the repository has
// src/ (never published) and no build: it runs the sources through tsx, see
// src/source-mode.mjs.
import { existsSync } from "node:fs";
import { projectCopyBin } from "./project-copy.js";

// Another copy of adhesive-bpmn is the process file's own: that copy's CLI runs
// in this process instead (it exits with its code), so that the runs the file
// starts, the settings and the error classes are those of one copy.
const projectBin = projectCopyBin(process.argv.slice(2), process.cwd());
if (projectBin !== undefined) await import(projectBin);
else {
  const fromSource = existsSync(new URL("../src/source-mode.mjs", import.meta.url));
  if (fromSource) await import("../src/source-mode.mjs");
  const { main } = await import(fromSource ? "../src/cli/main.ts" : "../dist/cli/main.js");
  const code = await main(process.argv.slice(2), {
    out: process.stdout,
    err: process.stderr,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
  });
  // Sources such as servers started by message callbacks must not keep a finished run alive.
  process.exit(code);
}
