import { optionalPackage } from "../optional-package.js";

/** BullMQ, loaded the first time a pool's jobs are added or taken: single-host runs never load it, nor need it installed. */
export function loadBullmq(): Promise<typeof import("bullmq")> {
  return optionalPackage("bullmq", "remote tasks (pools, adhesive worker)", () => import("bullmq"));
}
