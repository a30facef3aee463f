import { createRequire } from "node:module";
import { optionalPackage } from "../optional-package.js";

const require = createRequire(import.meta.url);
const FEATURE = "remote tasks (pools, adhesive worker)";

/** Fails as loadBullmq() does when BullMQ is not installed, without loading it. */
export async function bullmqInstalled(): Promise<void> {
  await optionalPackage("bullmq", FEATURE, async () => require.resolve("bullmq"));
}

/**
 * BullMQ, loaded the first time a pool's jobs are added or taken: single-host
 * runs never load it, nor need it installed. Required, not imported: its
 * main is CommonJS, and an import() of it cost about 70 ms more CPU (Node
 * scans each CommonJS module an import reaches for its exports).
 */
export function loadBullmq(): Promise<typeof import("bullmq")> {
  return optionalPackage("bullmq", FEATURE, async () => require("bullmq") as typeof import("bullmq"));
}
