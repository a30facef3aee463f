import type { IncomingMessage, ServerResponse } from "node:http";
import type { LiveMessage } from "../live/live-run.js";
import { redactJson } from "../secrets/redact.js";
import type { ViewedRun } from "./run-lookup.js";

/* comments keep proxies and the browser from closing an idle stream */
const KEEPALIVE_MS = 15_000;
/*
 * A page that cannot keep up is dropped rather than buffered without end:
 * when an update is due and more than this still waits in this process
 * for its socket (the kernel's buffers are full by then, a few MB on
 * loopback), the connection is closed. The page reconnects and starts from
 * a snapshot. So a stalled client holds at most this plus one update here,
 * however long it stalls and however many there are.
 */
const MAX_PENDING_BYTES = 256 * 1024;
const KEEPALIVE = Buffer.from(": keepalive\n\n");

/* an update's bytes on the wire, made once for all the streams it goes to */
const frames = new WeakMap<LiveMessage, Buffer>();

function frameOf(message: LiveMessage): Buffer {
  let frame = frames.get(message);
  if (frame === undefined) frames.set(message, (frame = Buffer.from(`id: ${message.seq}\nevent: update\ndata: ${message.json}\n\n`)));
  return frame;
}

/**
 * Server-sent events of one run: an `update` message with everything so
 * far, then one per coalesced change (at most ~10 a second, see LiveRun),
 * each with its update number as `id`. A run of the store gets its state
 * each time its journal stream or registry entry changed. Another run that
 * is not in this process gets its state once; the stream then stays open
 * and quiet.
 */
export async function openEventStream(request: IncomingMessage, response: ServerResponse, run: ViewedRun): Promise<void> {
  response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
  response.socket?.setNoDelay(true);
  let closed = false;
  const write = (bytes: Buffer): void => {
    if (closed) return;
    if (response.writableLength > MAX_PENDING_BYTES) {
      closed = true;
      response.destroy();
      return;
    }
    response.write(bytes);
  };
  const send = (message: LiveMessage): void => write(frameOf(message));
  const keepalive = setInterval(() => write(KEEPALIVE), KEEPALIVE_MS);
  keepalive.unref();
  let unsubscribe = (): void => undefined;
  // the response's close: the connection ended, whoever ended it (the page, or write() above)
  response.on("close", () => {
    closed = true;
    clearInterval(keepalive);
    unsubscribe();
  });
  if (run.live !== undefined) unsubscribe = run.live.subscribe(send);
  else if (run.subscribe !== undefined) unsubscribe = run.subscribe(send);
  else send({ seq: 0, json: redactJson(await run.state()) });
}
