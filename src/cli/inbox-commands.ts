import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.js";
import { describe } from "../errors.js";
import { requestControl } from "../inbox/control-client.js";
import type { ControlRequest } from "../inbox/control-socket.js";
import type { FormView } from "../inbox/forms.js";
import type { SendResult } from "../inbox/inbox.js";
import { findRun } from "../runs/find.js";
import { stateOf } from "../runs/state.js";
import { readSummary } from "../runs/summary.js";
import type { CliIo } from "./main.js";
import { deeperThan, MAX_DATA_DEPTH } from "./data-option.js";

const USAGE_LINES = `  adhesive send <run> <message> [--data '<json>'] [--correlation '<expression>' | --key <correlation key>]
  adhesive complete <run> <user task> [--data '<json>']
`;

const USAGE = 2;
const FAILED = 1;

/**
 * `adhesive send` and `adhesive complete`: one request to the run's control
 * socket (found through its run folder under runs_folder; <run> may be the
 * start of its id). Exit 0 when the run took it, 1 when it refused (nobody
 * waits for that message, no such form, a bad answer), 2 for bad usage.
 */
export async function inboxCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { data: { type: "string" }, correlation: { type: "string" }, key: { type: "string" } } });
  } catch (error) {
    return usage(io, describe(error));
  }
  const [run, target, ...extra] = parsed.positionals;
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
  const request: ControlRequest =
    command === "send"
      ? { op: "send", message: target, data, correlation: parsed.values.correlation, key: parsed.values.key }
      : { op: "complete", task: target, data: data ?? {} };
  try {
    const config = await loadConfig({ cwd: io.cwd });
    const { id, folder } = await findRun(config.runsFolder, run);
    const summary = await readSummary(folder);
    if (summary === undefined || stateOf(summary) !== "running") return refused(io, `run ${id} is not running (its process has ended)`);
    const control = summary.control;
    if (control === undefined) return refused(io, `run ${id} has no control socket: it runs without an inbox`);
    const result = await requestControl(control, request, id);
    io.out.write(`${describeResult(command, target, result, id)}\n`);
    return 0;
  } catch (error) {
    return refused(io, describe(error));
  }
}

function describeResult(command: string | undefined, target: string, result: unknown, id: string): string {
  if (command === "send") {
    const { delivered, elements } = result as SendResult;
    return `delivered "${target}" to ${delivered} token${delivered === 1 ? "" : "s"} of run ${id} (${elements.join(", ")})`;
  }
  const form = result as FormView;
  return `answered user task "${form.taskName}"${form.elementId ? ` (${form.elementId})` : ""} of run ${id}`;
}

function usage(io: CliIo, message: string): number {
  io.err.write(`adhesive: ${message}\n\nUsage:\n${USAGE_LINES}`);
  return USAGE;
}

function refused(io: CliIo, message: string): number {
  io.err.write(`adhesive: ${message}\n`);
  return FAILED;
}
