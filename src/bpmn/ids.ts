/*
 * bpmn-moddle refuses ids that are not XML names (`id="Pool 2_laneSet"`,
 * which Bonita writes) and drops the element. Such ids are rewritten into
 * legal names before parsing, wherever the file spells them as a whole
 * attribute value or element text (the id itself and every reference to it),
 * and turned back into what the file wrote in everything the reader returns.
 * The encoding is reversible without a table: each character a name may not
 * hold becomes `__x<hex>__`.
 */

const LEGAL_ID = /^([a-z][\w-.]*:)?[a-z_][\w-.]*$/i;
const ID_ATTRIBUTE = /\sid\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENCODED = /__x([0-9a-f]{1,6})__/g;

export interface EscapedIds {
  xml: string;
  /** whether any id was rewritten (restore is then needed) */
  escaped: boolean;
}

export function escapeIds(xml: string): EscapedIds {
  const illegal = new Set<string>();
  for (const match of xml.matchAll(ID_ATTRIBUTE)) {
    const id = match[1] ?? match[2];
    if (id !== "" && !LEGAL_ID.test(id) && !id.includes("&")) illegal.add(id);
  }
  if (illegal.size === 0) return { xml, escaped: false };
  let text = xml;
  for (const id of illegal) {
    const encoded = encodeId(id);
    text = text.split(`"${id}"`).join(`"${encoded}"`).split(`'${id}'`).join(`'${encoded}'`).split(`>${id}<`).join(`>${encoded}<`);
  }
  return { xml: text, escaped: true };
}

function encodeId(id: string): string {
  let out = "";
  for (let i = 0; i < id.length; i++) {
    const char = id[i];
    const legal = i === 0 ? /[a-z_]/i.test(char) : /[\w-.]/.test(char);
    out += legal ? char : `__x${char.codePointAt(0)!.toString(16)}__`;
  }
  return out;
}

/** The id (or a message naming ids) as the file wrote it. */
export function restoreIds(text: string): string {
  return text.replace(ENCODED, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
}

/** Restores every string in a plain data tree (a process definition, a list of problems), in place. */
export function restoreTree<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== "object") continue;
    const record = current as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === "string") record[key] = restoreIds(item);
      else if (typeof item === "object" && item !== null) stack.push(item);
    }
  }
  return value;
}
