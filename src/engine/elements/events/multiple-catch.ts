import type { Behaviour } from "../behaviour.js";
import { catchEvent } from "./catch-event.js";

/**
 * A catch event with several event definitions: its token waits, armed on
 * each (a timer, and one subscription for its message, signal and
 * condition: waits.ts), and the first that happens lets it pass; the others
 * are withdrawn with it. A condition that already holds lets it pass at once.
 */
export const multipleCatch: Behaviour = catchEvent;
