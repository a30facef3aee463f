import type { Behaviour } from "../behaviour.js";
import { catchEvent } from "./catch-event.js";

/** A signal catch event: its token waits, like at any catch event, until a signal of its name is thrown anywhere in the run (signals.ts). */
export const signalCatch: Behaviour = catchEvent;
