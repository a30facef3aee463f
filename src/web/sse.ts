import type { IncomingMessage, ServerResponse } from "node:http";
import { redact } from "../secrets/redact.js";
import type { ViewedRun } from "./run-lookup.js";

/* comments keep proxies and the browser from closing an idle stream */
const KEEPALIVE_MS = 15_000;
/* a page that cannot keep up is dropped rather than buffered without end; it reconnects and starts from a snapshot */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Server-sent events of one run: an `update` message with everything so
 * far, then one per coalesced change (at most ~10 a second, see LiveRun).
 * A run that is not in this process gets its state once; the stream then
 * stays open and quiet.
 */
export async function openEventStream(request: IncomingMessage, response: ServerResponse, run: ViewedRun): Promise<void> {
  response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
  response.socket?.setNoDelay(true);
  const send = (json: string): void => {
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      response.destroy();
      return;
    }
    response.write(`event: update\ndata: ${json}\n\n`);
  };
  const unsubscribe = run.live !== undefined ? run.live.subscribe(send) : (send(redact(JSON.stringify(await run.state()))), () => undefined);
  const keepalive = setInterval(() => response.write(": keepalive\n\n"), KEEPALIVE_MS);
  keepalive.unref();
  request.on("close", () => {
    clearInterval(keepalive);
    unsubscribe();
  });
}
