import type { StoreLease } from "./lease.js";
import { StoreScript } from "./script.js";

/**
 * A write to a run that only its current owner may make. The script first
 * compares the run's epoch with the writer's, in the same Lua call as the
 * write (Redis runs a script alone, start to end), so a holder that was
 * paused (SIGSTOP, a long GC) or cut off while another process took the run
 * over writes nothing when it wakes: its epoch is no longer the run's.
 *
 * `body` sees the run's other keys from KEYS[3] and its own arguments from
 * ARGV[2] on, and returns a table whose first element is 1.
 *   KEYS epoch, lease, ...   ARGV epoch, ...
 */
export function fencedScript(body: string): StoreScript {
  return new StoreScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0, redis.call('GET', KEYS[2]) or ''} end
${body}
`);
}

/** Runs a fenced script as the lease's holder: what the body returned after its 1, or an OwnerLostError when the run has a later owner. */
export async function runFenced(lease: StoreLease, script: StoreScript, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<unknown[]> {
  if (!lease.holds()) throw lease.lostError();
  const reply = (await script.run(lease.store.redis, [lease.keys.epoch, lease.keys.lease, ...keys], [lease.epoch, ...args])) as unknown[];
  if (reply[0] !== 1) throw lease.fencedOut(reply[1] as string);
  return reply.slice(1);
}
