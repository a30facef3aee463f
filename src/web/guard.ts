import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The header POST requests must carry the token in (a form on another site cannot set it). */
export const TOKEN_HEADER = "x-adhesive-token";

/** A random access token: 192 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * Why a request is refused, or undefined when it may be served. Checks the
 * Host header first (exactly one) (a DNS-rebinding page reaches 127.0.0.1 under its own
 * host name), then the token: in the header, or for GET requests (page,
 * static files, server-sent events, which cannot set headers) in the
 * `token` query parameter.
 */
export function refusal(request: IncomingMessage, url: URL, port: number, token: string): { status: number; message: string } | undefined {
  // node keeps only the first Host in request.headers: a second one (another site's name, read by whatever sits in front) must not pass unseen
  const hosts = hostHeaders(request);
  if (hosts > 1) return { status: 400, message: `refused: ${hosts} Host headers (a request names one host)` };
  const host = request.headers.host ?? "";
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return { status: 403, message: `refused: Host "${host}" is not this live view (127.0.0.1:${port} or localhost:${port})` };
  }
  const given = request.headers[TOKEN_HEADER] ?? (request.method === "GET" || request.method === "HEAD" ? url.searchParams.get("token") : undefined);
  if (typeof given !== "string" || !sameToken(given, token)) {
    const where = request.method === "GET" ? `?token= or the ${TOKEN_HEADER} header` : `the ${TOKEN_HEADER} header`;
    return { status: 401, message: `refused: no valid access token (give it in ${where}; the URL adhesive printed has it)` };
  }
  return undefined;
}

function hostHeaders(request: IncomingMessage): number {
  let count = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) if (request.rawHeaders[i].toLowerCase() === "host") count++;
  return count;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
