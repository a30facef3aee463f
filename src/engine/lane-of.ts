import type { Token } from "./token.js";

/*
 * A lane name is rendered when the token enters the node, before a loop on
 * it starts, so the iterations of a looped task share one lane (as in the
 * original adhesive); a looped sub-process renders it per iteration inside.
 */
export function laneOf(token: Token): string | undefined {
  const template = token.node.laneTemplate;
  if (template === undefined) return undefined;
  return template.dynamic ? template.render({ data: token.ref.data, loop: token.loop }) : template.raw;
}
