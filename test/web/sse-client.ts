/*
 * Raw server-sent-event clients of a live view on 127.0.0.1, for the
 * many-viewers and slow-viewer tests: each counts exactly what it got
 * (message ids, bytes) and keeps the element counts its updates carried.
 */
import { request, type ClientRequest, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";

export interface SseClient {
  /** the `id:` of each `update` message, in arrival order (NaN for a message without one) */
  ids: number[];
  /** bytes of the stream received so far */
  bytes: number;
  /** element id -> its `completed` count, as the updates so far set it */
  completed: Map<string, number>;
  /** whether the server ended the stream */
  ended: boolean;
  close(): void;
}

/** Opens `/api/runs/<run>/events` with the token; resolves once its first message (the snapshot) has arrived, rejects after `ms`. */
export function openEvents(port: number, run: string, token: string, ms = 30_000): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined;
    let res: IncomingMessage | undefined;
    const client: SseClient = {
      ids: [],
      bytes: 0,
      completed: new Map(),
      ended: false,
      close: () => {
        res?.destroy();
        req?.destroy();
      },
    };
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no first message on the event stream within ${ms} ms`));
    }, ms);
    let pending = "";
    // agent: false, one socket per client: the default agent would queue them
    req = request({ host: "127.0.0.1", port, path: `/api/runs/${run}/events?token=${token}`, agent: false, headers: { host: `127.0.0.1:${port}` } }, (response) => {
      res = response;
      if (response.statusCode !== 200) {
        clearTimeout(timer);
        reject(new Error(`event stream answered ${response.statusCode}`));
        response.destroy();
        return;
      }
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        client.bytes += Buffer.byteLength(chunk);
        pending += chunk;
        for (let end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
          const message = pending.slice(0, end);
          pending = pending.slice(end + 2);
          if (!/^event: update$/m.test(message)) continue;
          const id = /^id: (.*)$/m.exec(message);
          client.ids.push(id === null ? Number.NaN : Number(id[1]));
          const data = /^data: (.*)$/m.exec(message);
          const update = JSON.parse(data![1]) as { elements: Record<string, { completed: number }> };
          for (const [element, counts] of Object.entries(update.elements)) client.completed.set(element, counts.completed);
          if (client.ids.length === 1) {
            clearTimeout(timer);
            resolve(client);
          }
        }
      });
      response.on("close", () => (client.ended = true));
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      client.ended = true;
      reject(error);
    });
    req.end();
  });
}

export interface StalledClient {
  /** connected, its request sent, and nothing read */
  socket: Socket;
  /** starts reading; resolves with every byte it then got once the server closed the connection, rejects after `ms` */
  drain(ms: number): Promise<number>;
}

/**
 * A viewer that asks for the event stream and then reads nothing: its
 * socket is paused from the start, so the kernel's buffers fill and the
 * server's writes back up.
 */
export function stalledEvents(port: number, run: string, token: string): Promise<StalledClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.pause();
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write(`GET /api/runs/${run}/events?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      resolve({
        socket,
        drain: (ms) =>
          new Promise((done, fail) => {
            let bytes = 0;
            const timer = setTimeout(() => {
              socket.destroy();
              fail(new Error(`the server did not close the stalled stream within ${ms} ms of reading it (${bytes} bytes read)`));
            }, ms);
            socket.on("data", (chunk: Buffer) => (bytes += chunk.length));
            socket.on("error", () => undefined);
            socket.once("close", () => {
              clearTimeout(timer);
              done(bytes);
            });
            socket.resume();
          }),
      });
    });
  });
}
