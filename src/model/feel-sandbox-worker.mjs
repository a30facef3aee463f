// The thread of feel-sandbox.ts. Plain JavaScript (it needs no adhesive
// code and must start without TypeScript hooks): evaluates one FEEL
// expression, or runs one regular expression operation of a JavaScript
// expression (js-regex.ts), per message and wakes the blocked main thread
// through the shared flag. Runs under resourceLimits: an expression that
// builds a huge list kills this thread, not the runner; one that backtracks
// for ever is stopped by terminating it.
import { workerData } from "node:worker_threads";
import { evaluate } from "@bpmn-io/feelin";

const { port, flag } = workerData;
const state = new Int32Array(flag);

function wake() {
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
}

port.on("message", (message) => {
  try {
    port.postMessage(message.regex === undefined ? feel(message) : regex(message));
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
  wake();
});

function feel({ body, context }) {
  const { value, warnings } = evaluate(body, context);
  return { value, warnings: warnings.map(({ type, message }) => ({ type, message })) };
}

/* the regular expressions seen last, compiled once (an expression runs per token) */
const compiled = new Map();
let input = "";

function regex({ regex: { op, source, flags, lastIndex, replacement, limit }, input: given }) {
  if (given !== undefined) input = given;
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (re === undefined) {
    if (compiled.size >= 100) compiled.clear();
    re = new RegExp(source, flags);
    compiled.set(key, re);
  }
  re.lastIndex = lastIndex;
  if (op === "split") return { lastIndex, value: input.split(re, limit) };
  if (op === "replace") return { value: input.replace(re, replacement), lastIndex: re.lastIndex };
  if (op === "match") return { value: input.match(re), lastIndex: re.lastIndex };
  const found = re.exec(input);
  if (found === null) return { lastIndex: re.lastIndex, match: null };
  const match = { values: [...found], index: found.index, groups: found.groups };
  if (found.indices !== undefined) match.indices = { values: [...found.indices], groups: found.indices.groups };
  return { lastIndex: re.lastIndex, match };
}
wake();
