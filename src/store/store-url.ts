import { StoreUrlError } from "./store-errors.js";

/** Where a store is: a Redis server and one of its numbered databases. */
export interface StoreAddress {
  /** the URL as messages show it: the password masked */
  readonly shown: string;
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
}

export const DEFAULT_REDIS_PORT = 6379;

/**
 * Reads `redis://[user:password@]host[:port][/db]` (`rediss://` for TLS).
 * Anything else is refused here, before a connection is tried: a query
 * string or a path that is not a database number is a slip that would
 * otherwise connect somewhere the user did not mean.
 */
export function parseStoreUrl(text: string): StoreAddress {
  let url: URL;
  try {
    // `host:6379` parses as a URL of scheme "host": without "//" it is no server's address
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim())) throw new Error("no scheme://");
    url = new URL(text.trim());
  } catch {
    throw new StoreUrlError(text, "is not a URL");
  }
  const shown = maskPassword(url);
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new StoreUrlError(shown, `has the scheme ${url.protocol.replace(/:$/, "")}, not redis or rediss (only Redis stores are supported)`);
  if (url.hostname === "") throw new StoreUrlError(shown, "has no host");
  if (url.search !== "" || url.hash !== "") throw new StoreUrlError(shown, "has a query string or fragment, which a store URL does not take");
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d+$/.test(path)) throw new StoreUrlError(shown, `has the path "/${path}", which is not a database number (/0, /1, ...)`);
  const port = url.port === "" ? DEFAULT_REDIS_PORT : Number(url.port);
  return {
    shown,
    // the brackets of an IPv6 address are URL syntax, not part of the host
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    db: path === "" ? 0 : Number(path),
    username: url.username === "" ? undefined : decodeURIComponent(url.username),
    password: url.password === "" ? undefined : decodeURIComponent(url.password),
    tls: url.protocol === "rediss:",
  };
}

function maskPassword(url: URL): string {
  if (url.password === "") return url.href;
  const masked = new URL(url.href);
  masked.password = "***";
  return masked.href;
}
