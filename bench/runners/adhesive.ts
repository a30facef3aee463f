/** adhesive on each workload, one Adhesive instance per job; tasks are synchronous no-ops that count themselves. */
import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { Adhesive, loadBpmn } from "../../src/index.js";
import { dataLoopXml, deepXml, loopXml, scratchFolder, wideXml } from "../generate.js";
import { FIXTURES, stall, type Runner, type Workload } from "../job.js";

export async function adhesiveRunner(workload: Workload, size: number, journal: boolean, poolSize: number | undefined): Promise<Runner> {
  const adhesive = new Adhesive();
  let events = 0;
  let executed = 0;
  let gate: Promise<void> | undefined;
  let parked = 0;
  /** set by a long run only: one check of a variable per event costs the timed runs nothing measurable */
  let probe: ((events: number) => void) | undefined;
  let probeEvery = 0;
  adhesive.message("Event", async function* () {
    for (let i = 0; i < events; i++) {
      if (probe !== undefined && i > 0 && i % probeEvery === 0) probe(i);
      yield i;
    }
  });
  adhesive.task({ re: /.*/ }, () => {
    executed++;
    if (gate !== undefined) {
      parked++;
      return gate;
    }
    return undefined;
  });
  const scratch = workload === "seed" ? undefined : scratchFolder();
  const xmlFor = (n: number): string => {
    if (workload === "wide") return wideXml(n);
    if (workload === "deep") return deepXml(n);
    if (workload === "data-loop") return dataLoopXml("platforms");
    if (workload === "inline-loop") return dataLoopXml(`Array.from({ length: ${n} }, (_, i) => "p" + i)`);
    if (workload === "beside") return dataLoopXml(`Array.from({ length: 1000 }, (_, i) => "p" + i)`);
    return loopXml(n);
  };
  /* data-loop keeps the n items in data; beside holds an unrelated 100k-number array next to 1000 iterations */
  const initialData = (n: number): Record<string, unknown> | undefined => {
    if (workload === "data-loop") return { platforms: Array.from({ length: n }, (_, i) => `p${i}`) };
    if (workload === "beside") return { big: Array.from({ length: 100_000 }, (_, i) => i) };
    return undefined;
  };
  // every run's folders (its logs, and its journal when kept) go to a scratch folder removed at exit, not the project's .adhesive/runs
  const runs = scratchFolder().dir;
  const pool = poolSize === undefined ? {} : { poolSize };
  const optionsFor = (n: number) => ({ ...pool, maxEventsInFlight: 1000, initialData: initialData(n), journal, runsFolder: runs, tempFolder: runs });
  const fileFor = (n: number): string => (workload === "seed" ? join(FIXTURES, "seed-message.bpmn") : scratch!.write(`${workload}-${n}.bpmn`, xmlFor(n)));

  const file = fileFor(size);
  const started = performance.now();
  const definition = await loadBpmn(file);
  const loadMs = performance.now() - started;
  return {
    loadMs,
    async run(n, warmup) {
      executed = 0;
      events = n;
      // the warm-up goes through bpmnBuild, the public one-call path (parse included);
      // timed runs reuse the definition loaded once, as bpmn-engine reuses its parsed context
      if (warmup) await adhesive.bpmnBuild(fileFor(n), optionsFor(n));
      else await adhesive.run(definition, optionsFor(n));
      return executed;
    },
    async inflight(n, measure) {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      parked = 0;
      events = n;
      const expected = workload === "seed" ? n * 5 : n;
      stall.report = () => `; ${parked}/${expected} tasks parked`;
      const done = adhesive.run(definition, { poolSize: 1e9, maxEventsInFlight: n + 1, journal, runsFolder: runs, tempFolder: runs });
      while (parked < expected) await new Promise((resolve) => setImmediate(resolve));
      measure(expected);
      gate = undefined;
      open();
      await done;
    },
    async long(n, every, onProbe) {
      executed = 0;
      events = n;
      const runId = randomUUID();
      const journalFile = join(runs, runId, "journal.ndjson");
      const journalBytes = (): number => (journal ? statSync(journalFile).size : 0);
      probeEvery = every;
      probe = (at) => onProbe(at, journalBytes());
      try {
        await adhesive.run(definition, { ...optionsFor(n), runId });
      } finally {
        probe = undefined;
      }
      onProbe(n, journalBytes());
      return executed;
    },
  };
}
