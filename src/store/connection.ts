import type { Redis } from "ioredis";
import { describe } from "../errors.js";
import { optionalPackage } from "../optional-package.js";
import { StoreSetupError, StoreUnreachableError } from "./store-errors.js";
import { parseStoreUrl, type StoreAddress } from "./store-url.js";

/** How long connecting to the store may take before it is reported unreachable. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/* the longest wait between two tries to reconnect once connected: a restarted Redis is found again within it */
const MAX_RECONNECT_DELAY_MS = 1000;

/** A connection to the store, with what BullMQ needs to make its own. */
export interface Store {
  readonly address: StoreAddress;
  /** for adhesive's own commands and scripts */
  readonly redis: Redis;
  /** the options BullMQ's queues, workers and listeners connect with (each opens its own connections) */
  readonly connection: ConnectionSettings;
  close(): Promise<void>;
}

/** The options of a connection to the store, as ioredis and BullMQ both take them. */
export interface ConnectionSettings {
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  tls: object | undefined;
  connectTimeout: number;
  maxRetriesPerRequest: null;
}

export interface ConnectOptions {
  connectTimeoutMs?: number;
  /** shown by CLIENT LIST: which role of which host this is */
  name?: string;
}

/**
 * Connects to the store at `url` (`redis://host:port/db`): the first
 * connection is tried once, for at most the connect timeout, and fails
 * naming the URL and why; once connected, a lost connection is retried
 * without end and commands wait for it (a Redis restart stalls the run, it
 * does not fail it). A server that may evict keys is refused.
 *
 * ioredis is loaded here, on the first use of a store, never when adhesive
 * starts: single-host runs do not need it installed.
 */
export async function connectStore(url: string, options: ConnectOptions = {}): Promise<Store> {
  const address = parseStoreUrl(url);
  const { Redis } = await optionalPackage("ioredis", "a store (--store, the store key)", () => import("ioredis"));
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const connection = redisOptions(address, timeoutMs);
  const redis = new Redis({ ...connection, connectionName: options.name, lazyConnect: true, retryStrategy: () => null });
  let lastError: unknown;
  // ioredis reports connection errors as events too: without a listener they go to stderr
  redis.on("error", (error: unknown) => (lastError = error));
  try {
    await withTimeout(redis.connect(), timeoutMs);
  } catch (error) {
    redis.disconnect();
    const reason = error === TIMED_OUT ? `no answer within ${timeoutMs} ms` : describe(lastError ?? error);
    throw new StoreUnreachableError(address.shown, `cannot connect: ${reason}`, { cause: lastError ?? error });
  }
  redis.options.retryStrategy = (times: number) => Math.min(times * 50, MAX_RECONNECT_DELAY_MS);
  try {
    await checkEviction(redis, address);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return {
    address,
    redis,
    connection,
    close: async () => {
      // QUIT waits for its reply, which a server that is down never sends: commands wait for the connection (see above)
      if (redis.status !== "ready") return redis.disconnect();
      await withTimeout(redis.quit(), timeoutMs).catch(() => redis.disconnect());
    },
  };
}

/* maxRetriesPerRequest null: a command waits for the connection to come back instead of failing; BullMQ's workers require it */
function redisOptions(address: StoreAddress, connectTimeoutMs: number): ConnectionSettings {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    username: address.username,
    password: address.password,
    tls: address.tls ? {} : undefined,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: null,
  };
}

/* Redis evicting a journal entry or a job's result loses a completion; BullMQ only warns about it */
async function checkEviction(redis: Redis, address: StoreAddress): Promise<void> {
  const info = await redis.info("memory");
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy !== undefined && policy !== "noeviction") {
    throw new StoreSetupError(address.shown, `its maxmemory-policy is ${policy}, so Redis may evict what adhesive wrote (journal entries, jobs, their results) when its memory is full; set maxmemory-policy noeviction (redis.conf, or CONFIG SET maxmemory-policy noeviction)`);
  }
}

const TIMED_OUT = Symbol("timed out");

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(TIMED_OUT), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
