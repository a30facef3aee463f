import type { GraphNode, Scope } from "../model/graph.js";
import type { NodeKind } from "../model/definition.js";
import type { Core } from "./core.js";
import { setKey, share, writable } from "./data.js";
import { leaveByError } from "./elements/events/boundaries/error-boundary.js";
import { leaveByEscalation } from "./elements/events/boundaries/escalation-boundary.js";
import { pickErrorCatcher, pickEscalationCatcher, type ErrorRecord } from "./errors.js";
import type { Token } from "./token.js";

/**
 * Errors and escalations go up from where they are thrown: at each level
 * the boundary events of the activity (the failing task, then each
 * sub-process or call activity around it), then the event sub-processes of
 * the scope instance it is in. The first that matches catches it. An
 * uncaught error fails the run; an uncaught escalation changes nothing.
 */
export class Raise {
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  /** Whether something caught the failure of `token`; the catcher continues with `data._error`. */
  error(token: Token, error: unknown, record: ErrorRecord): boolean {
    const core = this.core;
    for (let holder: Token | undefined = token; holder !== undefined; holder = holder.frame.owner) {
      const boundary = pickErrorCatcher(holder.node.errorBoundaries, error);
      if (boundary !== undefined) {
        this.caught(token, error);
        leaveByError(core, holder, boundary, record);
        return true;
      }
      const esp = this.eventSubProcess(holder, "errorStartEvent", (starts) => pickErrorCatcher(starts, error));
      if (esp !== undefined) {
        this.caught(token, error);
        const ref = writable(share(holder.ref));
        setKey(ref.data, "_error", record);
        core.events.scopes.start(holder.frame, esp, ref);
        return true;
      }
    }
    return false;
  }

  /* before the catcher starts and the scope is cancelled: the failing element is reported caught, not cancelled */
  private caught(token: Token, error: unknown): void {
    if (!this.core.replaying) this.core.options.observer?.tokenFailed?.(token, error, true);
  }

  /** An escalation thrown at `token`; interrupting catchers cancel the scope they hold, the thrower included. */
  escalate(token: Token, code: string | undefined): void {
    const core = this.core;
    for (let holder: Token | undefined = token; holder !== undefined; holder = holder.frame.owner) {
      const boundary = pickEscalationCatcher(holder.node.escalationBoundaries, code);
      if (boundary !== undefined) {
        leaveByEscalation(core, holder, boundary);
        return;
      }
      const esp = this.eventSubProcess(holder, "escalationStartEvent", (starts) => pickEscalationCatcher(starts, code));
      if (esp !== undefined) {
        core.events.scopes.start(holder.frame, esp, share(holder.ref));
        return;
      }
    }
  }

  /*
   * The event sub-process of the holder's scope instance whose start event
   * catches what was thrown. What is thrown inside an event sub-process goes
   * past its siblings, to the scope around.
   */
  private eventSubProcess(holder: Token, kind: NodeKind, pick: (starts: GraphNode[]) => GraphNode | undefined): GraphNode | undefined {
    if (holder.node.kind === "eventSubProcess") return undefined;
    const scope: Scope = holder.frame.scope;
    if (scope.eventSubProcesses.length === 0) return undefined;
    const starts = scope.eventSubProcesses.flatMap((esp) => (esp.trigger?.kind === kind ? [esp.trigger] : []));
    return pick(starts)?.scope.owner;
  }
}
