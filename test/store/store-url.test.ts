/*
 * A store is named by a Redis URL. What adhesive connects to is exactly
 * what the URL says, and a URL that says something else (another scheme,
 * a query, a path that is no database) is refused before connecting.
 */
import { describe, expect, it } from "vitest";
import { parseStoreUrl } from "../../src/store/store-url.js";
import { StoreUrlError } from "../../src/store/store-errors.js";

function refusal(url: string): StoreUrlError {
  try {
    parseStoreUrl(url);
  } catch (error) {
    expect(error).toBeInstanceOf(StoreUrlError);
    return error as StoreUrlError;
  }
  throw new Error(`${url} was accepted`);
}

describe("a store URL", () => {
  it("names host, port and database", () => {
    expect(parseStoreUrl("redis://redis.internal:6380/3")).toMatchObject({ host: "redis.internal", port: 6380, db: 3, tls: false, username: undefined, password: undefined });
  });

  it("defaults to port 6379 and database 0", () => {
    expect(parseStoreUrl("redis://127.0.0.1")).toMatchObject({ host: "127.0.0.1", port: 6379, db: 0 });
    expect(parseStoreUrl("redis://127.0.0.1:7000/")).toMatchObject({ port: 7000, db: 0 });
  });

  it("takes a user and password, and masks the password wherever it is shown", () => {
    const address = parseStoreUrl("rediss://build:s%40cret@10.0.0.5/1");
    expect(address).toMatchObject({ username: "build", password: "s@cret", tls: true, db: 1 });
    expect(address.shown).toBe("rediss://build:***@10.0.0.5/1");
    expect(refusal("redis://build:s3cret@10.0.0.5/x").message).not.toContain("s3cret");
  });

  it("reads an IPv6 host without its brackets", () => {
    expect(parseStoreUrl("redis://[::1]:6379/0").host).toBe("::1");
  });

  it("is refused, with the form a store URL has, when it is not one", () => {
    const error = refusal("localhost:6379");
    expect(error.code).toBe("ADHESIVE_STORE_URL");
    expect(error.message).toContain('store "localhost:6379" is not a URL;');
    expect(error.message).toContain("redis://[user:password@]host[:port][/db]");
    expect(refusal("postgres://db/adhesive").message).toContain("has the scheme postgres, not redis or rediss");
    expect(refusal("redis://127.0.0.1/zero").message).toContain('has the path "/zero", which is not a database number');
    expect(refusal("redis://127.0.0.1/0?family=6").message).toContain("has a query string or fragment");
  });
});
