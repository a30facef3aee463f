import type { Core } from "../core.js";
import type { Token } from "../token.js";

/**
 * What one kind of element does when a token reaches it (past its join, once
 * per loop iteration). Each kind has its own file; the engine looks the
 * behaviour up by node kind (index.ts).
 */
export interface Behaviour {
  execute(core: Core, token: Token): void;
}
