import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.js";
import { describe } from "../errors.js";
import { requestControl } from "../inbox/control-client.js";
import type { SendResult } from "../inbox/inbox.js";
import type { ControlRequest } from "../inbox/control-socket.js";
import { cancelRun, completeUserTask, reachRun } from "../inbox/run-control.js";
import type { CliIo } from "./main.js";
import { deeperThan, MAX_DATA_DEPTH } from "./data-option.js";

const USAGE_LINES = `  adhesive send <run> <message> [--data '<json>'] [--correlation '<expression>' | --key <correlation key>] [--store <url>]
  adhesive complete <run> <user task> [--data '<json>'] [--store <url>]
  adhesive cancel <run> [--store <url>]
`;
/* how long a request to a run of the store waits for its owner's answer */
const STORE_REPLY_MS = 30_000;

const USAGE = 2;
const FAILED = 1;

/**
 * `adhesive send`, `adhesive complete` and `adhesive cancel`: one request to
 * the run's control socket (found through its run folder under
 * runs_folder; <run> may be the start of its id; run-control.ts, which the
 * console uses too). Exit 0 when the run took it, 1 when it refused (nobody
 * waits for that message, no such form, a bad answer, a run that is not
 * running), 2 for bad usage.
 */
export async function inboxCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { data: { type: "string" }, correlation: { type: "string" }, key: { type: "string" }, store: { type: "string" } } });
  } catch (error) {
    return usage(io, describe(error));
  }
  let storeUrl = parsed.values.store;
  if (storeUrl === undefined) {
    try {
      storeUrl = (await loadConfig({ cwd: io.cwd })).store;
    } catch (error) {
      return refused(io, describe(error));
    }
  }
  if (command === "cancel") {
    if (parsed.values.data !== undefined || parsed.values.correlation !== undefined || parsed.values.key !== undefined) return usage(io, "adhesive cancel takes a run id (or the start of one)");
    if (storeUrl === undefined) return cancelCommand(parsed.positionals, io);
  }
  const [run, target, ...extra] = parsed.positionals;
  if (command === "cancel") return storeRequest(storeUrl!, run, { op: "cancel", from: "cli" }, io);
  if (run === undefined || target === undefined || extra.length > 0) return usage(io, `adhesive ${command} takes a run id and a ${command === "send" ? "message name" : "user task"}`);
  if (command === "complete" && parsed.values.correlation !== undefined) return usage(io, "--correlation is for adhesive send");
  if (command === "complete" && parsed.values.key !== undefined) return usage(io, "--key is for adhesive send");
  if (parsed.values.key !== undefined && parsed.values.correlation !== undefined) return usage(io, "give --key or --correlation, not both");
  let data: unknown;
  try {
    data = parsed.values.data === undefined ? undefined : JSON.parse(parsed.values.data);
  } catch (error) {
    return usage(io, `--data is not JSON: ${describe(error)}`);
  }
  if (deeperThan(data, MAX_DATA_DEPTH)) return usage(io, `--data is nested more than ${MAX_DATA_DEPTH} levels deep (objects and arrays within one another): give it flatter`);
  if (storeUrl !== undefined) return storeRequest(storeUrl, run, command === "send" ? { op: "send", message: target, data, correlation: parsed.values.correlation, key: parsed.values.key } : { op: "complete", task: target, data, from: "cli" }, io);
  try {
    const config = await loadConfig({ cwd: io.cwd });
    if (command === "complete") {
      const { id, form } = await completeUserTask(config.runsFolder, run, target, data, "cli");
      io.out.write(`answered user task "${form.taskName}"${form.elementId ? ` (${form.elementId})` : ""} of run ${id}\n`);
      return 0;
    }
    const { id, control } = await reachRun(config.runsFolder, run);
    const { delivered, elements } = (await requestControl(control, { op: "send", message: target, data, correlation: parsed.values.correlation, key: parsed.values.key }, id)) as SendResult;
    io.out.write(`delivered "${target}" to ${delivered} token${delivered === 1 ? "" : "s"} of run ${id} (${elements.join(", ")})\n`);
    return 0;
  } catch (error) {
    return refused(io, describe(error));
  }
}

/* `adhesive cancel <run>`: the run ends "cancelled" once its tasks stopped; said when it did, or that it still stops them */
async function cancelCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length !== 1 || args[0].startsWith("-")) return usage(io, "adhesive cancel takes a run id (or the start of one)");
  try {
    const config = await loadConfig({ cwd: io.cwd });
    const { id, state } = await cancelRun(config.runsFolder, args[0], "cli");
    io.out.write(state === "running" ? `run ${id} is cancelling: its tasks are still stopping (adhesive runs shows when it has ended)\n` : `run ${id} ${state === "cancelled" ? "was cancelled" : `ended ${state}`}\n`);
    return 0;
  } catch (error) {
    return refused(io, describe(error));
  }
}

function usage(io: CliIo, message: string): number {
  io.err.write(`adhesive: ${message}\n\nUsage:\n${USAGE_LINES}`);
  return USAGE;
}

/*
 * A request to a run of the store: into its inbox, answered by whichever
 * process owns the run (of any host). With no owner to answer within
 * STORE_REPLY_MS (a takeover under way), it stays queued for the next one.
 */
async function storeRequest(url: string, run: string | undefined, request: ControlRequest, io: CliIo): Promise<number> {
  if (run === undefined) return usage(io, "give the run's id");
  try {
    const [{ connectStore }, { requestStoreRun, unansweredText }] = await Promise.all([import("../store/connection.js"), import("../store/inbox-reader.js")]);
    const store = await connectStore(url, { name: "adhesive-inbox" });
    try {
      const outcome = await requestStoreRun(store, run, request, STORE_REPLY_MS);
      if ("unanswered" in outcome) {
        io.out.write(`${unansweredText(run, outcome.unanswered, STORE_REPLY_MS, store.address.shown)}\n`);
        return 0;
      }
      if (!outcome.reply.ok) return refused(io, outcome.reply.message);
      io.out.write(describeReply(request, outcome.reply.result, run));
      return 0;
    } finally {
      await store.close();
    }
  } catch (error) {
    return refused(io, describe(error));
  }
}

function describeReply(request: ControlRequest, result: unknown, run: string): string {
  if (request.op === "send") {
    const { delivered, elements } = result as SendResult;
    return `delivered "${request.message}" to ${delivered} token${delivered === 1 ? "" : "s"} of run ${run} (${elements.join(", ")})\n`;
  }
  if (request.op === "complete") {
    const form = result as { taskName?: string; elementId?: string } | undefined;
    return `answered user task "${form?.taskName ?? request.task}"${form?.elementId ? ` (${form.elementId})` : ""} of run ${run}\n`;
  }
  return `run ${run} is cancelling\n`;
}

function refused(io: CliIo, message: string): number {
  io.err.write(`adhesive: ${message}\n`);
  return FAILED;
}
