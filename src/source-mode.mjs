/*
 * How a clone of the repository runs without a build. bin/adhesive.js and the
 * worker thread entry import this file when it exists; src/ is not published,
 * so an installed package runs dist/ instead. Building on `npm ci` is no
 * option: .npmrc's ignore-scripts=true skips `prepare`.
 *
 * tsx compiles the sources as they load, with this repository's
 * tsconfig.json, whose `paths` send "adhesive-bpmn" to src/index.ts: the
 * examples, the test fixtures and the CLI share one module instance and
 * always run the code being edited, never a stale dist/. (A CommonJS file's
 * require("adhesive-bpmn") gets dist/ even here: test/package/ tests that
 * from an installed package.)
 */
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
/* src/loader registers its own TypeScript hooks for process files unless hooks already are */
globalThis[Symbol.for("adhesive-bpmn.typescript-hooks")] = true;
