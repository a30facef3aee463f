// The thread of feel-sandbox.ts. Plain JavaScript (it needs no adhesive
// code and must start without TypeScript hooks): evaluates one FEEL
// expression per message and wakes the blocked main thread through the
// shared flag. Runs under resourceLimits: an expression that builds a huge
// list kills this thread, not the runner.
import { workerData } from "node:worker_threads";
import { evaluate } from "@bpmn-io/feelin";

const { port, flag } = workerData;
const state = new Int32Array(flag);

function wake() {
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
}

port.on("message", ({ body, context }) => {
  try {
    const { value, warnings } = evaluate(body, context);
    port.postMessage({ value, warnings: warnings.map(({ type, message }) => ({ type, message })) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
  wake();
});
wake();
