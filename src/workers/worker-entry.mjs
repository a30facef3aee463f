// Entry of a worker thread in parallel_processing: worker. Plain JavaScript
// on purpose: a worker starts without the main thread's module hooks, so in a
// clone of the repository (no dist/) the TypeScript sources only load once
// src/source-mode.mjs has registered tsx here. The build copies this file into
// dist/workers/, where ../source-mode.mjs does not exist.
import { existsSync } from "node:fs";

const fromSource = existsSync(new URL("../source-mode.mjs", import.meta.url));
if (fromSource) await import("../source-mode.mjs");
await import(fromSource ? "./worker-main.ts" : "./worker-main.js");
