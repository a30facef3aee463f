import type { Data } from "../engine/data.js";
import type { ProcessDefinition } from "../model/definition.js";

/** Runs the built definition; supplied by the Adhesive instance that started the builder. */
export type RunDefinition<O> = (definition: ProcessDefinition, options?: O) => Promise<Data>;

/** A finished process built in code. */
export class BuiltProcess<O = unknown> {
  /** the process as adhesive's model holds it: what build() runs and toBpmnXml() writes */
  readonly definition: ProcessDefinition;
  private readonly runDefinition: RunDefinition<O>;

  constructor(definition: ProcessDefinition, run: RunDefinition<O>) {
    this.definition = definition;
    this.runDefinition = run;
  }

  /** Runs the process; resolves to the data of the tokens that finished. */
  build(options?: O): Promise<Data> {
    return this.runDefinition(this.definition, options);
  }

  /** The process as BPMN 2.0 XML with a diagram, so any modeler opens it. */
  async toBpmnXml(): Promise<string> {
    return (await import("../bpmn/write.js")).toBpmnXml(this.definition);
  }
}
