import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { handleApi, sendError, sendText } from "./api.js";
import { newToken, refusal } from "./guard.js";
import { pageHtml, staticFile } from "./static-files.js";
import type { RunPlaces } from "./run-lookup.js";

export interface LiveServer {
  readonly port: number;
  /** the page's address with its access token */
  readonly url: string;
  close(): Promise<void>;
}

/*
 * No CORS headers anywhere: no other origin may read what this serves. The
 * page loads only its own files (CSP), embeds in no frame and sends no
 * Referer, so the token never travels elsewhere.
 */
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

/**
 * The live view's web server on 127.0.0.1 (node:http: a handful of routes
 * need no framework). Every request must name this server in its Host
 * header and carry the access token; see guard.ts.
 */
export async function startLiveServer(places: RunPlaces, port = 0): Promise<LiveServer> {
  const token = newToken();
  const sockets = new Set<Socket>();
  let actualPort = port;
  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    serve(request, response, actualPort, token, places).catch((error: unknown) => sendError(response, error));
  });
  server.on("connection", (socket) => {
    // an open page must not keep a process alive whose runs are done
    socket.unref();
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.unref();
  actualPort = (server.address() as { port: number }).port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}/?token=${token}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function decodePath(pathname: string): string[] | undefined {
  try {
    return pathname.split("/").slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

async function serve(request: IncomingMessage, response: ServerResponse, port: number, token: string, places: RunPlaces): Promise<void> {
  const url = new URL(request.url ?? "/", `http://127.0.0.1:${port}`);
  const refused = refusal(request, url, port, token);
  if (refused !== undefined) {
    sendText(response, `${refused.message}\n`, "text/plain; charset=utf-8", refused.status);
    return;
  }
  const path = decodePath(url.pathname);
  if (path === undefined) {
    sendText(response, "bad path\n", "text/plain; charset=utf-8", 400);
    return;
  }
  if (path[0] === "api") return handleApi(request, response, path, url.searchParams, places);
  if (request.method !== "GET") {
    sendText(response, "only GET here\n", "text/plain; charset=utf-8", 405);
    return;
  }
  if (path[0] === "static" && path.length === 2) {
    const file = staticFile(path[1]);
    if (file !== undefined) {
      const content = await file.content;
      response.writeHead(200, { "content-type": file.type, "content-length": content.length });
      response.end(content);
      return;
    }
  }
  // the runs list (/), a run (/runs/<id>) and the tasklist (/tasks) are the same page, which reads its address
  if ((path.length === 1 && (path[0] === "" || path[0] === "tasks")) || (path.length === 2 && path[0] === "runs")) {
    sendText(response, await pageHtml(token), "text/html; charset=utf-8");
    return;
  }
  sendText(response, "not found\n", "text/plain; charset=utf-8", 404);
}
