import { mkdirSync, statSync } from "node:fs";
import { chmod, unlink } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe } from "../errors.js";
import { redactJson } from "../secrets/redact.js";
import { OWNER_ONLY_FILE, OWNER_ONLY_FOLDER } from "../workspaces/temp-folder.js";
import { InboxError } from "./inbox-error.js";

/**
 * One request on a run's control socket: a line of JSON, answered by one
 * line of JSON. `from: "console"`: it comes from `adhesive ui` (the
 * terminal and the journal say so), else from the CLI command.
 */
export type ControlRequest =
  | { op: "send"; message: string; data?: unknown; correlation?: string; key?: string }
  | { op: "complete"; task: string; data?: unknown; from?: RequestSource }
  | { op: "cancel"; from?: RequestSource }
  | { op: "state" };

export type RequestSource = "cli" | "console";

/** `status`: the HTTP status the web API answers the same refusal with. */
export type ControlResponse = { ok: true; result: unknown } | { ok: false; code: string; message: string; status?: number };

export type ControlHandler = (request: ControlRequest) => unknown;

/* a request is a message or an answer: anything longer is not one */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;
/* how long an answer written as the run ends may take to reach its sender before its socket is closed */
const ANSWER_FLUSH_MS = 2_000;
/* sun_path holds 108 bytes on Linux, 104 on macOS */
const MAX_SOCKET_PATH = 100;

/**
 * Where a run's control socket goes: in its run folder (owner-only, so
 * only its owner can connect), or, when that path is too long for a unix
 * socket, in an owner-only folder of the OS temp folder. On Windows, a
 * named pipe.
 */
export function controlPath(runFolder: string, executionId: string): string {
  if (process.platform === "win32") return `\\\\.\\pipe\\adhesive-${executionId}`;
  const inFolder = join(runFolder, "control.sock");
  if (Buffer.byteLength(inFolder) <= MAX_SOCKET_PATH) return inFolder;
  const folder = join(tmpdir(), `adhesive-${process.getuid?.() ?? "user"}`);
  mkdirSync(folder, { recursive: true, mode: OWNER_ONLY_FOLDER });
  // the OS temp folder is shared: a folder someone else made there first must not hold the socket
  const info = statSync(folder);
  if (info.uid !== process.getuid?.() || (info.mode & 0o077) !== 0) {
    throw new InboxError("ADHESIVE_CONTROL_FOLDER", `${folder} is not a folder only you can use (its owner or mode is wrong); remove it, or use a shorter runs_folder so that the socket fits in the run folder`);
  }
  return join(folder, `${executionId.slice(0, 18)}.sock`);
}

/**
 * Listens on `path` for requests from other adhesive processes (`adhesive
 * send`, `adhesive complete`). Each connection carries one request.
 * Errors the handler throws go back to the caller with their code; the run
 * never fails because of a bad request.
 */
export async function listenControl(path: string, handle: ControlHandler): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serve(socket, handle);
  });
  // a stale socket of a run that died with the same id is not possible (ids are random), but a leftover file is
  await unlink(path).catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  if (process.platform !== "win32") await chmod(path, OWNER_ONLY_FILE);
  // left referenced: a run waiting only for the inbox (a message, a form) must keep its process alive; closed when it ends
  return { close: () => closeServer(server, path, sockets) };
}

function serve(socket: Socket, handle: ControlHandler): void {
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
  const chunks: Buffer[] = [];
  let size = 0;
  socket.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) {
      reply(socket, failure(new InboxError("ADHESIVE_BAD_REQUEST", `request over ${MAX_REQUEST_BYTES} bytes`)));
      return;
    }
    chunks.push(chunk);
    const text = Buffer.concat(chunks).toString("utf8");
    const end = text.indexOf("\n");
    if (end >= 0) void answer(socket, text.slice(0, end), handle);
  });
  socket.on("error", () => socket.destroy());
}

async function answer(socket: Socket, line: string, handle: ControlHandler): Promise<void> {
  let response: ControlResponse;
  try {
    const request = JSON.parse(line) as ControlRequest;
    response = { ok: true, result: await handle(request) };
  } catch (error) {
    response = failure(error);
  }
  reply(socket, response);
}

function failure(error: unknown): ControlResponse {
  const code = error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : "ADHESIVE_BAD_REQUEST";
  return { ok: false, code, message: describe(error), status: error instanceof InboxError ? error.status : undefined };
}

function reply(socket: Socket, response: ControlResponse): void {
  if (socket.destroyed || socket.writableEnded) return;
  // what a run answers (its state, an error) may hold a secret, in any encoding
  socket.end(`${redactJson(response)}\n`);
}

async function closeServer(server: Server, path: string, sockets: Set<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // an answer on its way (the last message, which ended the run) still reaches its sender; requests without one are cut
  const answering = [...sockets].filter((socket) => socket.writableEnded);
  for (const socket of sockets) if (!socket.writableEnded) socket.destroy();
  await Promise.all(answering.map((socket) => new Promise<void>((resolve) => {
    socket.once("close", () => resolve());
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, ANSWER_FLUSH_MS).unref();
  })));
  await closed;
  if (process.platform !== "win32") await unlink(path).catch(() => undefined);
}
