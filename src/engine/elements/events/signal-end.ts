import type { Behaviour } from "../behaviour.js";
import { signalThrow } from "./signal-throw.js";

/** A signal end event broadcasts like a signal throw event (signal-throw.ts); its path ends there, having no outgoing flow. */
export const signalEnd: Behaviour = signalThrow;
