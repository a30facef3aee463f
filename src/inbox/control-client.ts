import { connect } from "node:net";
import { InboxError } from "./inbox-error.js";
import type { ControlRequest, ControlResponse } from "./control-socket.js";

const CLIENT_TIMEOUT_MS = 15_000;

/**
 * Sends one request to a run's control socket and returns its result; a
 * refused request becomes an InboxError with the run's code, message and
 * status. `timeoutMs`: how long a run that does not answer is waited for.
 */
export function requestControl(path: string, request: ControlRequest, runId: string, timeoutMs = CLIENT_TIMEOUT_MS): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new InboxError("ADHESIVE_RUN_UNREACHABLE", `run ${runId} did not answer within ${timeoutMs / 1000} s`, 504));
    });
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const gone = error.code === "ECONNREFUSED" || error.code === "ENOENT";
      reject(new InboxError("ADHESIVE_RUN_UNREACHABLE", gone ? `run ${runId} is not running (its process has ended)` : `run ${runId}: ${error.message}`, 409));
    });
    socket.on("end", () => {
      let response: ControlResponse;
      try {
        response = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ControlResponse;
      } catch {
        reject(new InboxError("ADHESIVE_RUN_UNREACHABLE", `run ${runId} gave no answer`, 502));
        return;
      }
      if (response.ok) resolve(response.result);
      else reject(new InboxError(response.code, response.message, response.status));
    });
  });
}
