/**
 * Sees bpmn-engine run into one of its quirks (differences.ts, NORMALISED),
 * from the events it emits. A run that hit one has no answer to compare
 * with: the runner marks it unreliable and the property skips it.
 */
import type { Elements } from "./model.js";

/** What the quirks need of a bpmn-engine event. */
export interface EngineEvent {
  id: string;
  content: { executionId?: string; targetId?: string; parent?: { executionId?: string } };
}

export class QuirkWatch {
  /** the first quirk seen */
  seen: string | undefined;
  /* activity id + parent execution -> executions running there */
  private readonly running = new Map<string, Set<string>>();
  /* flows into a parallel join, and those touched already (flow + parent execution) */
  private readonly intoJoin: Set<string>;
  private readonly touched = new Set<string>();
  private readonly sources: Map<string, string>;
  private thrown = 0;
  private caught = 0;
  /* the error boundary BPMN has catch the error end event that just threw */
  private expectedCatcher: string | undefined;

  constructor(
    private readonly elements: Elements,
    private readonly data: Record<string, unknown>,
  ) {
    const incoming = (gateway: string): number => elements.flows.filter((flow) => flow.target === gateway).length;
    this.sources = new Map(elements.flows.map((flow) => [flow.id, flow.source]));
    this.intoJoin = new Set(elements.flows.filter((flow) => elements.parallelGateways.has(flow.target) && incoming(flow.target) > 1).map((flow) => flow.id));
  }

  private note(quirk: string): void {
    this.seen ??= quirk;
  }

  started(event: EngineEvent): void {
    if (this.elements.ends.get(event.id) === "error") {
      this.thrown++;
      this.expectedCatcher = this.elements.errorCatchers.get(event.id);
    }
    if (this.elements.activities.has(event.id)) {
      const key = scoped(event, event.id);
      this.running.set(key, (this.running.get(key) ?? new Set()).add(event.content.executionId ?? ""));
    }
    this.whileLoopOfNoIterations(event.id);
  }

  left(event: EngineEvent): void {
    if (this.elements.activities.has(event.id)) this.running.get(scoped(event, event.id))?.delete(event.content.executionId ?? "");
  }

  ended(event: EngineEvent): void {
    /*
     * "bpmn-engine error caught twice": an error caught by one boundary is
     * caught again by an error boundary armed in the same step. Counting
     * errors thrown against error boundaries fired sees it.
     */
    if (this.elements.boundaries.get(event.id) !== "error") return;
    if (++this.caught > this.thrown) this.note(`error boundary ${event.id} caught an error that was caught already`);
    /*
     * "bpmn-engine error end event caught outside": bpmn-elements delegates
     * a thrown error to every error catch armed in the run
     * (ErrorEventDefinition publishes activity.throw with delegate: true),
     * and the first armed (an outer sub-process's boundary) takes it.
     */
    if (this.expectedCatcher !== undefined && this.expectedCatcher !== event.id) this.note(`error boundary ${event.id} caught an error end event that ${this.expectedCatcher} catches`);
    this.expectedCatcher = undefined;
  }

  /** A task's service failed: an error was thrown. */
  failed(): void {
    this.thrown++;
    this.expectedCatcher = undefined;
  }

  taken(flow: EngineEvent): void {
    /*
     * "bpmn-engine one token per activity": a token reaching an activity
     * while an earlier one is in it waits in its inbound queue instead of
     * starting an instance of its own.
     */
    const target = flow.content.targetId;
    if (target !== undefined && (this.running.get(scoped(flow, target))?.size ?? 0) > 0) this.note(`a second token reached ${target} while it ran: bpmn-engine queues it`);
    this.touchJoin(flow);
  }

  discarded(flow: EngineEvent): void {
    /*
     * "bpmn-engine discard ahead of a rejoining boundary path": an
     * activity interrupted by a boundary event discards its outgoing flow,
     * and the discard runs on to a join ahead of the boundary path's token,
     * which comes down the same flows later: the join fires without it. If
     * that token does come, touchJoin sees it; if the run ends first
     * (fails, terminates), only this does.
     */
    const source = this.sources.get(flow.id);
    if (this.elements.racingDiscards.has(flow.id) && source !== undefined && (this.running.get(scoped(flow, source))?.size ?? 0) > 0) {
      this.note(`the discard of ${flow.id} runs ahead of the boundary path that rejoins it`);
    }
    this.touchJoin(flow);
  }

  /*
   * "bpmn-engine parallel join edge case": in a generated process each flow
   * into a join is touched (taken or discarded) once per scope instance,
   * unless two tokens come down it or a discard trails the token that went
   * ahead; a second touch is what bpmn-engine's join gets wrong.
   */
  private touchJoin(flow: EngineEvent): void {
    if (!this.intoJoin.has(flow.id)) return;
    const key = scoped(flow, flow.id);
    if (this.touched.has(key)) this.note(`parallel join ${flow.content.targetId} got ${flow.id} twice`);
    this.touched.add(key);
  }

  /* "bpmn-engine while loop of no iterations": data is fixed for the run, so the loop condition is known when the activity starts */
  private whileLoopOfNoIterations(id: string): void {
    const loop = this.elements.loops.get(id);
    if (loop?.kind === "standard" && loop.testBefore && loop.condition !== undefined && this.data[`v${loop.condition}`] !== true) this.note(`bpmn-engine never completes while-loop ${id} of no iterations`);
  }
}

/* an element within one instance of its scope (the process, a sub-process instance) */
function scoped(event: EngineEvent, id: string): string {
  return `${id} ${event.content.parent?.executionId ?? ""}`;
}
