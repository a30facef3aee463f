import type { Behaviour } from "../behaviour.js";
import { messageThrow } from "./message-throw.js";

/** A message end event sends like a message throw event (message-throw.ts); its path ends there, having no outgoing flow. */
export const messageEnd: Behaviour = messageThrow;
