import type { Core } from "../core.js";
import type { DataRef } from "../data.js";
import type { Token } from "../token.js";

/**
 * What one kind of element does when a token reaches it (past its join, once
 * per loop iteration). Each kind has its own file; the engine looks the
 * behaviour up by node kind (index.ts).
 */
export interface Behaviour {
  execute(core: Core, token: Token): void;
  /**
   * The scope instance the token owns ended with `result` (the data of its
   * tokens, merged): the data the token goes on with. Default: the result.
   * May throw (a mapping failed): the token fails.
   */
  childResult?(core: Core, token: Token, result: DataRef | undefined): DataRef | undefined;
}
