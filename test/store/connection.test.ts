/*
 * Connecting to the store: a server that is there answers; one that is not
 * fails within the connect timeout, naming the URL; one that may evict keys
 * is refused, since an evicted journal entry or job result is a lost
 * completion.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectStore } from "../../src/store/connection.js";
import { StoreSetupError, StoreUnreachableError } from "../../src/store/store-errors.js";
import { bounded, until } from "../waiting.js";
import { freePort } from "../workspaces/sshd.js";
import { startRedis, type TestRedis } from "./redis-server.js";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe("connecting to a store", () => {
  it("connects to the database the URL names", async () => {
    const store = await connectStore(`redis://127.0.0.1:${redis.port}/2`);
    try {
      await store.redis.set("adhesive:test", "in db 2");
      expect(await store.redis.call("CLIENT", "INFO")).toContain("db=2");
      expect(store.address.db).toBe(2);
    } finally {
      await store.close();
    }
  });

  it("fails naming the URL when nothing listens there", async () => {
    const port = await freePort();
    const failure = await connectStore(`redis://127.0.0.1:${port}/0`, { connectTimeoutMs: 2000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnreachableError);
    expect((failure as StoreUnreachableError).code).toBe("ADHESIVE_STORE_UNREACHABLE");
    expect((failure as Error).message).toMatch(new RegExp(`^store redis://127\\.0\\.0\\.1:${port}/0: cannot connect: .*ECONNREFUSED`));
  });

  it("fails within the connect timeout when the server never answers", async () => {
    // a listening socket nobody reads from: the TCP connection opens, Redis's handshake never ends
    const { createServer } = await import("node:net");
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const failure = await connectStore(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 300 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StoreUnreachableError);
      expect((failure as Error).message).toMatch(new RegExp(`^store redis://127\\.0\\.0\\.1:${port}: cannot connect: `));
    } finally {
      silent.close();
    }
  });

  it("waits through a Redis restart: a command sent while the server is down completes once it is back", async () => {
    const store = await connectStore(redis.url);
    try {
      await store.redis.set("adhesive:before", "1");
      await redis.kill();
      const during = store.redis.incr("adhesive:during");
      await redis.start();
      expect(await during).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("closes at once while the server is down", async () => {
    const store = await connectStore(redis.url);
    await redis.kill();
    try {
      await until(() => store.redis.status !== "ready", "the client to see the server gone");
      await bounded(store.close(), "closing the store while Redis is down");
      expect(store.redis.status).toBe("end");
    } finally {
      await redis.start();
    }
  });

  it("refuses a server that may evict keys", async () => {
    const admin = await connectStore(redis.url);
    await admin.redis.config("SET", "maxmemory-policy", "allkeys-lru");
    try {
      const failure = await connectStore(redis.url).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StoreSetupError);
      expect((failure as Error).message).toContain(`store ${redis.url}: its maxmemory-policy is allkeys-lru`);
      expect((failure as Error).message).toContain("set maxmemory-policy noeviction");
    } finally {
      await admin.redis.config("SET", "maxmemory-policy", "noeviction");
      await admin.close();
    }
  });
});
