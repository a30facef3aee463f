import { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import { Engine } from "bpmn-engine";

/** A bpmn-engine service: called with its execution context, answers through the callback. */
export type PeerService = (context: unknown, callback: (error: Error | null, result?: unknown) => void) => void;

export interface PeerRun {
  /** names (else ids) of the tasks that completed, in the order they did */
  completed: string[];
  /** ids of the activities that completed, events and gateways included */
  ended: string[];
}

const TASK_TYPES = new Set(["bpmn:Task", "bpmn:ServiceTask", "bpmn:ScriptTask", "bpmn:UserTask", "bpmn:SendTask", "bpmn:ReceiveTask", "bpmn:ManualTask", "bpmn:BusinessRuleTask"]);

/**
 * The same file run by bpmn-engine (a devDependency), the peer whose
 * results the scenario tests compare with where it runs the file: services
 * are its task implementations (`implementation="${environment.services.x}"`).
 */
export async function runInBpmnEngine(file: string, options: { services?: Record<string, PeerService>; variables?: Record<string, unknown> } = {}): Promise<PeerRun> {
  const completed: string[] = [];
  const ended: string[] = [];
  const listener = new EventEmitter();
  listener.on("activity.end", (api: { id: string; name?: string; type: string }) => {
    ended.push(api.id);
    if (TASK_TYPES.has(api.type)) completed.push(api.name ?? api.id);
  });
  const engine = new Engine({ name: file, source: await readFile(file, "utf8"), services: options.services, variables: options.variables });
  await new Promise<void>((resolve, reject) => {
    engine.once("end", () => resolve());
    engine.once("error", reject);
    engine.execute({ listener }).catch(reject);
  });
  return { completed, ended };
}
