/**
 * What the kill tests share: seeded trials (ADHESIVE_TEST_SEED picks the
 * first seed, to replay a failed trial; each CI run takes new ones), and
 * how many completions the journal holds per task.
 */
import { readdirSync } from "node:fs";
import type { Journal } from "../../src/journal/reader.js";

const TRIALS = 3;

/** The seeds of this run's trials. */
export function trialSeeds(count = TRIALS): number[] {
  const first = Number(process.env.ADHESIVE_TEST_SEED ?? Math.floor(Math.random() * 1_000_000));
  return Array.from({ length: count }, (_, i) => first + i);
}

/** A small deterministic generator (mulberry32): the same seed makes the same choices. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Per task execution (seq), how many completions (done or failed records) the journal holds. */
export function completionsBySeq(journal: Journal): Map<number, number> {
  const seen = new Map<number, number>();
  for (const input of journal.inputs) if (input.kind === "done" || input.kind === "failed") seen.set(input.seq, (seen.get(input.seq) ?? 0) + 1);
  return seen;
}

/** The marks `<prefix>.<side>.<pid>[...]` the fixtures' tasks leave in their folder when they start: which side and which worker. */
export function marks(prefix: string): Array<{ side: string; pid: number }> {
  const folder = prefix.slice(0, prefix.lastIndexOf("/"));
  const name = prefix.slice(folder.length + 1);
  return readdirSync(folder)
    .filter((file) => file.startsWith(`${name}.`))
    .map((file) => {
      const [side, pid] = file.slice(name.length + 1).split(".");
      return { side, pid: Number(pid) };
    });
}
