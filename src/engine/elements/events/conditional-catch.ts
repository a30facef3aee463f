import type { Behaviour } from "../behaviour.js";
import { catchEvent } from "./catch-event.js";

/**
 * A conditional catch event lets its token pass at once when its condition
 * holds on the token's data (catch-event.ts happened), else the token waits
 * until an activity around completes with data on which it holds
 * (conditions.ts).
 */
export const conditionalCatch: Behaviour = catchEvent;
