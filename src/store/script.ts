import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * A Lua script run by its SHA (EVALSHA), loaded on the first NOSCRIPT (a
 * server that restarted, or never saw it): what ioredis's defineCommand
 * does, without giving up the types of the call.
 */
export class StoreScript {
  private readonly lua: string;
  private readonly sha: string;

  constructor(lua: string) {
    this.lua = lua;
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return await redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
