import { cloneValue } from "../engine/clone.js";
import type { Data } from "../engine/data.js";
import { compileProcess } from "../model/compile.js";
import type { ProcessDefinition } from "../model/definition.js";
import type { ProcessGraph } from "../model/graph.js";
import { bindNodes, type NodeBinding } from "../tasks/binding.js";
import type { Registry } from "../tasks/registry.js";

/** A run a process file started under `adhesive verify`: mapped to implementations, never run. */
export interface VerifiedRun {
  /** the BPMN file or the builder the process came from */
  source: string;
  registry: Registry;
  /** what the run would have started with (the option merged with `--data`) */
  initialData: Data;
  /** once read; undefined while reading or when it could not be read */
  definition: ProcessDefinition | undefined;
  graph: ProcessGraph | undefined;
  bindings: NodeBinding[];
  /** what the file's process runs but is most likely a drawing mistake (bpmn/warnings.ts) */
  warnings: NonNullable<ProcessDefinition["warnings"]>;
  /** why the process could not be read or compiled */
  error: unknown;
}

/**
 * Collects the runs of `adhesive verify` (a RunSession's purpose). Every
 * run the file starts is recorded and never settles, so none of the code
 * after it runs (the same trick as worker mode); the CLI reads `runs` once
 * the file has gone quiet.
 */
export class VerifyRecorder {
  readonly runs: VerifiedRun[] = [];
  private reading = 0;
  private readonly listeners = new Set<() => void>();

  /** Records a run whose process `read` resolves to; the returned promise never settles. */
  record(source: string, read: () => Promise<ProcessDefinition>, registry: Registry, initialData: Data | undefined): Promise<never> {
    const run: VerifiedRun = { source, registry, initialData: cloneValue(initialData ?? {}), definition: undefined, graph: undefined, bindings: [], warnings: [], error: undefined };
    // in call order, whatever order their files finish reading in
    this.runs.push(run);
    this.reading++;
    this.changed();
    read()
      .then((definition) => {
        const graph = compileProcess(definition);
        run.source = definition.source || source;
        run.definition = definition;
        run.graph = graph;
        run.bindings = bindNodes(graph, registry);
        run.warnings = definition.warnings ?? [];
      })
      .catch((error: unknown) => {
        run.error = error;
      })
      .finally(() => {
        this.reading--;
        this.changed();
      });
    return new Promise<never>(() => undefined);
  }

  /** true while a started run's process is still being read */
  get busy(): boolean {
    return this.reading > 0;
  }

  /** Calls `listener` whenever a run is recorded or finishes reading; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
