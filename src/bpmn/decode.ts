import { createRequire } from "node:module";
import type { BpmnProblem } from "../errors.js";

/*
 * XML says how its bytes are text: a byte order mark, else the encoding in
 * the declaration, else UTF-8 (XML 1.0 appendix F). Node's TextDecoder
 * decodes UTF-8 and UTF-16 and says when a byte is invalid; iconv-lite
 * decodes every other encoding (Node 20's TextDecoder reads windows-1252 as
 * ISO-8859-1, losing € and the dashes) and marks bytes it cannot map with
 * U+FFFD, which those encodings cannot otherwise produce. Only the choice of
 * encoding and the position of a bad byte are done here.
 */
const BOMS: ReadonlyArray<readonly [bytes: readonly number[], encoding: string]> = [
  [[0xef, 0xbb, 0xbf], "utf-8"],
  [[0xff, 0xfe], "utf-16le"],
  [[0xfe, 0xff], "utf-16be"],
];
/* `<?` in UTF-16 without a byte order mark */
const BARE_UTF16: ReadonlyArray<readonly [bytes: readonly number[], encoding: string]> = [
  [[0x3c, 0x00, 0x3f, 0x00], "utf-16le"],
  [[0x00, 0x3c, 0x00, 0x3f], "utf-16be"],
];
/* iconv-lite is required by the first file in another encoding: nearly all are UTF-8 */
const require = createRequire(import.meta.url);
const iconv = (): typeof import("iconv-lite") => require("iconv-lite") as typeof import("iconv-lite");

const DECLARED = /^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/;

/** Characters XML 1.0 does not allow anywhere in a document. */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type Decoded = { text: string; problem?: undefined } | { text?: undefined; problem: BpmnProblem };

/** The file's text, decoded as its byte order mark or XML declaration says, or the problem with the bytes. */
export function decodeXml(bytes: Uint8Array): Decoded {
  const { encoding, skip, why } = chooseEncoding(bytes);
  const body = bytes.subarray(skip);
  if (UNICODE.has(encoding)) return decodeUnicode(body, encoding, skip, why);
  const { encodingExists, decode } = iconv();
  if (!encodingExists(encoding)) return fileProblem(`the XML declaration names the encoding "${encoding}", which is not supported`);
  const text = decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), encoding, { stripBOM: false });
  const bad = text.indexOf("\uFFFD");
  if (bad === -1) return { text };
  return fileProblem(`bytes that are not valid ${encoding} (${why}) at ${position(text, bad)}`);
}

const UNICODE = new Set(["utf-8", "utf8", "utf-16le", "utf-16be"]);

function decodeUnicode(body: Uint8Array, encoding: string, skip: number, why: string): Decoded {
  try {
    return { text: new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body) };
  } catch {
    const at = firstBadByte(body, encoding);
    const before = new TextDecoder(encoding, { ignoreBOM: true }).decode(body.subarray(0, at), { stream: true });
    return fileProblem(`bytes that are not valid ${encoding.toUpperCase()} (${why}) at ${position(before, before.length)}, byte offset ${skip + at}`);
  }
}

/** A problem for the first character XML does not allow (NUL and other control characters), if any. */
export function forbiddenCharacter(text: string): BpmnProblem | undefined {
  const match = FORBIDDEN.exec(text);
  if (match === null) return undefined;
  const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  return fileProblem(`the character U+${code} is not allowed in XML, at ${position(text, match.index)}`).problem;
}

function chooseEncoding(bytes: Uint8Array): { encoding: string; skip: number; why: string } {
  for (const [mark, encoding] of BOMS) if (startsWith(bytes, mark)) return { encoding, skip: mark.length, why: "its byte order mark says so" };
  for (const [start, encoding] of BARE_UTF16) if (startsWith(bytes, start)) return { encoding, skip: 0, why: "it starts with <? in UTF-16" };
  // the declaration is ASCII in every encoding that can name itself there
  const head = String.fromCharCode(...bytes.subarray(0, 256));
  const declared = DECLARED.exec(head)?.[1];
  if (declared !== undefined) return { encoding: declared.toLowerCase(), skip: 0, why: `the XML declaration says encoding="${declared}"` };
  return { encoding: "utf-8", skip: 0, why: "no encoding is declared, so UTF-8" };
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

/* the decoder only says "invalid": the shortest prefix that fails to decode ends at the first bad byte */
function firstBadByte(bytes: Uint8Array, encoding: string): number {
  let valid = 0;
  let invalid = bytes.length;
  while (invalid - valid > 1) {
    const middle = Math.floor((valid + invalid) / 2);
    try {
      new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, middle), { stream: true });
      valid = middle;
    } catch {
      invalid = middle;
    }
  }
  return valid;
}

/** "line 3, column 14" (both 1-based) of `index` in `text`. */
function position(text: string, index: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${index - lineStart + 1}`;
}

function fileProblem(message: string): { problem: BpmnProblem } {
  return { problem: { elementId: "", message } };
}
