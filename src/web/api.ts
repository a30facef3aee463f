import { open } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { describe } from "../errors.js";
import { InboxError } from "../inbox/inbox-error.js";
import { isLogFileName } from "../live/logs.js";
import { redact, redactJson } from "../secrets/redact.js";
import { LOGS_FOLDER } from "../runs/files.js";
import { elementPage, timelinePage } from "../console/entries.js";
import { runViews } from "../console/run-views.js";
import { viewRun, type RunPlaces, type ViewedRun } from "./run-lookup.js";
import { runsList } from "./runs-list.js";
import { openEventStream } from "./sse.js";
import { runActions, takeAction } from "./actions.js";
import { answerTask, openTasks } from "./tasklist.js";

/* a log is shown from its end: that is where a failure's reason is */
const LOG_TAIL_BYTES = 1024 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The JSON API under /api (README "Live view"): the page uses nothing else.
 * Every text that leaves here went through redact().
 */
export async function handleApi(request: IncomingMessage, response: ServerResponse, path: string[], query: URLSearchParams, places: RunPlaces): Promise<void> {
  const method = request.method ?? "GET";
  const [, runs, id, part, name] = path;
  if (runs === "tasks") return tasklistApi(request, response, path, places);
  if (runs !== "runs" || path.length > 5) throw notFound();
  if (id === undefined) {
    if (method !== "GET") throw notAllowed(method);
    const text = (name: string) => query.get(name) ?? undefined;
    return sendJson(response, await runsList(places, { state: text("state"), process: text("process"), q: text("q"), limit: count(query, "limit"), offset: count(query, "offset") }));
  }
  const run = await viewRun(id, places);
  const route = `${method} ${part ?? ""}${name === undefined ? "" : "/*"}`;
  switch (route) {
    case "GET ":
      return sendJson(response, { info: publicInfo(run), ...(await run.state()) });
    case "GET diagram":
      return sendText(response, redact(await run.diagram()), "application/xml; charset=utf-8");
    case "GET events":
      return openEventStream(request, response, run);
    case "GET timeline": {
      const { view, problem, reading } = await run.journal({ partial: true });
      if (view === undefined) return sendJson(response, { total: 0, offset: 0, entries: [], elements: [], problem: problem ?? "this run keeps no journal" });
      return sendJson(response, { ...timelinePage(view, { elementId: query.get("element") ?? undefined, instance: count(query, "instance"), offset: count(query, "offset"), limit: count(query, "limit") }), problem, reading });
    }
    case "GET instances":
    case "GET instances/*":
    case "GET variables":
      return sendJson(response, await runViews(run, part!, name, query));
    case "GET elements/*": {
      const { view } = await run.journal();
      if (view === undefined) return sendJson(response, { element: { id: name }, total: 0, executions: [], otherTotal: 0, others: [] });
      return sendJson(response, elementPage(view, name!, run.runState()));
    }
    case "GET logs":
      return sendJson(response, { logs: await run.logs() });
    case "GET logs/*":
      return sendLog(response, run, name!);
    case "GET forms":
      return sendJson(response, { forms: (await run.state()).forms });
    case "POST forms/*": {
      // a run of the store answers through its inbox, wherever its owner runs
      if (run.store !== undefined && run.live === undefined) return sendJson(response, { answered: await run.store.request({ op: "complete", task: name!, data: await readJson(request), from: "console" }) });
      const live = liveOf(run);
      return sendJson(response, { answered: await live.inbox.complete({ task: name!, data: await readJson(request), by: "in the browser" }) });
    }
    case "POST messages": {
      // a run that takes no messages here says so before its body is read; a run of the store takes them through its inbox
      const live = run.store !== undefined && run.live === undefined ? undefined : liveOf(run);
      const body = (await readJson(request)) as { message?: unknown; data?: unknown; correlation?: unknown; key?: unknown };
      if (typeof body?.message !== "string") throw new InboxError("ADHESIVE_BAD_REQUEST", 'a message needs { "message": "<name>", "data": <json>, "correlation"?: "= <FEEL>", "key"?: "<correlation key>" }');
      const correlation = typeof body.correlation === "string" ? body.correlation : undefined;
      const key = typeof body.key === "string" || typeof body.key === "number" ? body.key : undefined;
      if (live === undefined) {
        // the owner compiles what the inbox brings, JavaScript too (adhesive send may): the web API's FEEL-only rule is kept here
        if (correlation !== undefined && !correlation.trimStart().startsWith("=")) {
          throw new InboxError("ADHESIVE_BAD_CORRELATION", `correlation ${JSON.stringify(correlation)}: the web API takes FEEL expressions only (starting with "="); JavaScript ones only from adhesive send`);
        }
        return sendJson(response, await run.store!.request({ op: "send", message: body.message, data: body.data, correlation, key: key === undefined ? undefined : String(key) }));
      }
      return sendJson(response, await live.inbox.send({ message: body.message, data: body.data, correlation, key }, { javascript: false }));
    }
    case "GET actions":
      return sendJson(response, await runActions(run, places));
    case "POST actions/*":
      return sendJson(response, await takeAction(run, name!, places));
    default:
      throw part === undefined || ["diagram", "events", "timeline", "elements", "instances", "variables", "logs", "forms", "messages", "actions"].includes(part) ? notAllowed(method) : notFound();
  }
}

/* GET /api/tasks, POST /api/tasks/<run>/<form> (tasklist.ts) */
async function tasklistApi(request: IncomingMessage, response: ServerResponse, path: string[], places: RunPlaces): Promise<void> {
  const method = request.method ?? "GET";
  if (path.length === 2 && method === "GET") return sendJson(response, await openTasks(places));
  if (path.length === 4 && method === "POST") return sendJson(response, await answerTask(places, path[2], path[3], await readJson(request)));
  throw path.length === 2 || path.length === 4 ? notAllowed(method) : notFound();
}

/* a whole number from the query, or undefined */
function count(query: URLSearchParams, name: string): number | undefined {
  const value = Number(query.get(name) ?? Number.NaN);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

function liveOf(run: ViewedRun) {
  if (run.live === undefined || run.live.monitor.outcome !== "running") {
    throw new InboxError("ADHESIVE_RUN_ENDED", `run ${run.info.id} is not running in this process: it takes no messages or answers here`, 409);
  }
  return run.live;
}

function publicInfo(run: ViewedRun) {
  const { id, processId, processName, source, processFile, startedAt, pid } = run.info;
  return { id, processId, processName, source, processFile, startedAt, pid, live: run.live !== undefined, store: run.store !== undefined, state: run.runState() };
}

async function sendLog(response: ServerResponse, run: ViewedRun, file: string): Promise<void> {
  if (!isLogFileName(file)) throw notFound();
  let handle;
  try {
    handle = await open(join(run.folder, LOGS_FOLDER, file), "r");
  } catch {
    throw new InboxError("ADHESIVE_NO_SUCH_LOG", `run ${run.info.id} has no log ${file}`, 404);
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - LOG_TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const cut = start > 0 ? `[... the first ${start} bytes are left out ...]\n` : "";
    // masked when written, and again here for values read since
    sendText(response, cut + redact(buffer.toString("utf8")), "text/plain; charset=utf-8");
  } finally {
    await handle.close();
  }
}

export function sendJson(response: ServerResponse, value: unknown, status = 200): void {
  // masked string by string: a secret with " or \ is escaped in the JSON text, where the raw value would not be found
  sendText(response, redactJson(value), "application/json; charset=utf-8", status);
}

export function sendText(response: ServerResponse, text: string, type: string, status = 200): void {
  response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/** An error as the API answers it: `{ code, message }` with the status it carries. */
export function sendError(response: ServerResponse, error: unknown): void {
  const status = error instanceof InboxError ? error.status : 500;
  const code = error instanceof InboxError ? error.code : error instanceof Error && "code" in error ? String(error.code) : "ADHESIVE_INTERNAL";
  if (!response.headersSent) sendJson(response, { code, message: describe(error) }, status);
  else response.end();
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
    throw new InboxError("ADHESIVE_BAD_REQUEST", "send the body as application/json", 415);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new InboxError("ADHESIVE_BAD_REQUEST", `the body is over ${MAX_BODY_BYTES} bytes`, 413);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new InboxError("ADHESIVE_BAD_REQUEST", `the body is not JSON: ${describe(error)}`);
  }
}

function notFound(): InboxError {
  return new InboxError("ADHESIVE_NOT_FOUND", "no such API path (see docs/live-view.md, the JSON API)", 404);
}

function notAllowed(method: string): InboxError {
  return new InboxError("ADHESIVE_METHOD", `${method} is not allowed here`, 405);
}
