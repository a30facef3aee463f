/*
 * The CLI of the package that test/built-package.ts builds for the CLI
 * tests; that copies this file into the build folder as cli.mjs, beside the
 * build's bin/ and dist/. Run as the bin itself: `node cli.mjs [args]`.
 *
 * The process files the tests run import "adhesive-bpmn", and they must get
 * the CLI's own module instance (its registry, reporter and error classes).
 * From the repository, Node would resolve that name to the repository's
 * dist/ (a package's own name means its exports), which may be stale or
 * missing, and bin/ would hand over to the repository's own CLI, the one
 * of the sources (bin/project-copy.js). Instead:
 *
 * - the loader compiles a TypeScript process file with esbuild (or, where
 *   a bundle cannot keep it as written, registers tsx), and both read the
 *   tsconfig.json that TSX_TSCONFIG_PATH names: the build folder's,
 *   whose `paths` send "adhesive-bpmn" to this build's dist/index.js, as
 *   the repository's tsconfig.json sends it to src/index.ts for a CLI of the
 *   sources (src/source-mode.mjs). A worker thread inherits the variable.
 *   A JavaScript process file gets no tsx: tests of those run the CLI of
 *   the sources (test/run-cli.ts).
 * - the mark that bin/project-copy.js sets once it has chosen the copy to
 *   run is set here first: this copy is the one.
 */
import { fileURLToPath } from "node:url";

process.env.TSX_TSCONFIG_PATH = fileURLToPath(new URL("./tsconfig.json", import.meta.url));
globalThis[Symbol.for("adhesive-bpmn.cli-copy-chosen")] = true;
await import("./bin/adhesive.js");
