#!/usr/bin/env node
// Registers tsx so process files (and adhesive itself) load as TypeScript without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
const code = await main(process.argv.slice(2), {
  out: process.stdout,
  err: process.stderr,
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  cwd: process.cwd(),
});
// Sources such as servers started by message callbacks must not keep a finished run alive.
process.exit(code);
