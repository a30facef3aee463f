import { InboxError } from "../inbox/inbox-error.js";
import type { RunState } from "../journal/records.js";
import { instanceDetail, instancesPage } from "./instances.js";
import type { Reading } from "./journal-views.js";
import type { JournalView } from "./journal-view.js";
import { variables, type Step } from "./variables.js";

/** A run as these views need it: its journal (from its file or the store), and how it stands. */
export interface ViewedFolder {
  journal(options?: { partial?: boolean }): Promise<{ view: JournalView | undefined; problem: string | undefined; reading?: Reading }>;
  runState(): RunState;
}

/**
 * The API's answers for a run's message instances and variables
 * (docs/live-view.md, the JSON API):
 *   instances           ?state=&offset=&limit=  a page of them, oldest first
 *   instances/<n>       one: its row and its path on the diagram
 *   variables           ?instance=&path=&offset= the node at path (a JSON array of keys and positions) of the run's data or an instance's
 */
export async function runViews(run: ViewedFolder, part: string, name: string | undefined, query: URLSearchParams): Promise<unknown> {
  // the first screen (a page of instances, the variables) does not wait for the first read of a long journal: the page asks again once it is read
  const { view, problem, reading } = await run.journal({ partial: name === undefined });
  const state = run.runState();
  if (part === "instances" && name === undefined) {
    if (view === undefined) return { total: 0, offset: 0, instances: [], states: {}, problem: problem ?? "this run keeps no journal" };
    return { ...instancesPage(view, state, { state: query.get("state") ?? undefined, offset: whole(query, "offset"), limit: whole(query, "limit") }), problem, reading };
  }
  const instance = part === "instances" ? Number(name) : whole(query, "instance");
  const missing = () => new InboxError("ADHESIVE_NO_SUCH_INSTANCE", `run has no message instance ${String(part === "instances" ? name : query.get("instance"))} in its journal`, 404);
  if (part === "instances") {
    const detail = view === undefined || !Number.isInteger(instance) ? undefined : instanceDetail(view, instance!, state);
    if (detail === undefined) throw missing();
    return detail;
  }
  if (query.has("instance") && instance === undefined) throw missing();
  if (view === undefined) return { of: instance === undefined ? "run" : "instance", source: "none", path: [], node: undefined, problem: problem ?? "this run keeps no journal" };
  const answer = variables(view, state, { instance, path: pathOf(query), offset: whole(query, "offset") });
  if (answer === undefined) throw missing();
  return { ...answer, reading };
}

/* a whole number from the query, or undefined */
function whole(query: URLSearchParams, name: string): number | undefined {
  const value = Number(query.get(name) ?? Number.NaN);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

function pathOf(query: URLSearchParams): Step[] {
  const text = query.get("path");
  if (text === null || text === "") return [];
  let path: unknown;
  try {
    path = JSON.parse(text);
  } catch {
    path = undefined;
  }
  if (!Array.isArray(path) || !path.every((step) => typeof step === "string" || (Number.isInteger(step) && step >= 0))) {
    throw new InboxError("ADHESIVE_BAD_REQUEST", `path must be a JSON array of keys and positions, such as ["order", "items", 3]; got ${text}`);
  }
  return path as Step[];
}
