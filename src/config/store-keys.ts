import { isPoolName } from "../store/queue-name.js";
import { StoreUrlError } from "../store/store-errors.js";
import { parseStoreUrl } from "../store/store-url.js";

/*
 * The checks of the scale-out keys (docs/scale-out.md), loaded with the
 * schema when a layer has values to validate. Each problem is phrased to
 * follow "it", as load.ts shows the message of a custom issue.
 */

export function storeUrlProblem(url: string): string | undefined {
  try {
    parseStoreUrl(url);
    return undefined;
  } catch (error) {
    if (error instanceof StoreUrlError) return error.reason;
    throw error;
  }
}

export function poolsProblem(pools: Record<string, string>): string | undefined {
  for (const [lane, pool] of Object.entries(pools)) {
    try {
      new RegExp(lane);
    } catch (error) {
      return `has the lane pattern ${JSON.stringify(lane)}, which is not a regular expression (${(error as Error).message})`;
    }
    if (!isPoolName(pool)) return `has the pool name ${JSON.stringify(pool)} for ${JSON.stringify(lane)}, but a pool name may only hold letters, digits, - and _`;
  }
  return undefined;
}
