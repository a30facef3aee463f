import { crc32 } from "./crc32.js";

/**
 * How a record sits on its line (journal format 2): its JSON, a tab, the
 * CRC-32 of the JSON's bytes as 8 lowercase hex digits, a newline.
 *
 *   {"t":"s","s":3,"n":"build","at":12}\t5a0c9e1f\n
 *
 * JSON text never holds a raw tab or newline (JSON.stringify escapes both),
 * so the checksum is where the last tab is, and any change to a line (a
 * flipped byte, a lost or added newline) fails its check. A line is still
 * one JSON value after `cut -f1`.
 */
export const FRAME_BYTES = 10;

const TAB = 0x09;
const NEWLINE = 0x0a;
/* the two hex digits of each byte value, as ASCII */
const HEX = new Uint8Array(512);
for (let n = 0; n < 256; n++) {
  const digits = n.toString(16).padStart(2, "0");
  HEX[n * 2] = digits.charCodeAt(0);
  HEX[n * 2 + 1] = digits.charCodeAt(1);
}

/** Writes the frame of the record in bytes[start, end) after it: there must be FRAME_BYTES of room. Returns the new end. */
export function writeFrame(bytes: Uint8Array, start: number, end: number): number {
  const crc = crc32(bytes, start, end);
  bytes[end] = TAB;
  for (let shift = 24, at = end + 1; shift >= 0; shift -= 8, at += 2) {
    const byte = (crc >>> shift) & 0xff;
    bytes[at] = HEX[byte * 2];
    bytes[at + 1] = HEX[byte * 2 + 1];
  }
  bytes[end + 9] = NEWLINE;
  return end + FRAME_BYTES;
}

/** A record's JSON text as a whole line, frame included. */
export function framedLine(json: string): string {
  return `${json}\t${crc32(Buffer.from(json)).toString(16).padStart(8, "0")}\n`;
}

/**
 * Where the JSON of the framed line bytes[start, end) (its newline left
 * out) ends, or why the line is not a record.
 */
export function checkFrame(bytes: Uint8Array, start: number, end: number): number | string {
  const json = end - 9;
  if (json <= start || bytes[json] !== TAB) return "it has no checksum";
  const stored = hexValue(bytes, json + 1, end);
  if (stored === undefined) return "its checksum is not 8 hex digits";
  if (stored !== crc32(bytes, start, json)) return "its checksum does not match (the record was changed after it was written)";
  return json;
}

/**
 * Whether bytes[start, end), the text after the last newline, can be what a
 * crash left of the record being written: a beginning of it, without the
 * newline. Its JSON cannot be checked (the checksum comes last), but what
 * follows a tab can: at most 8 hex digits, and when all 8 are there they
 * must be the JSON's checksum (only the newline was lost). Anything else
 * there is damage, not a crash.
 */
export function isTornFrame(bytes: Uint8Array, start: number, end: number): boolean {
  const tab = bytes.subarray(start, end).indexOf(TAB);
  if (tab < 0) return true;
  const digits = start + tab + 1;
  if (end - digits > 8) return false;
  for (let i = digits; i < end; i++) if (hexDigit(bytes[i]) < 0) return false;
  return end - digits < 8 || checkFrame(bytes, start, end) === start + tab;
}

function hexValue(bytes: Uint8Array, start: number, end: number): number | undefined {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = hexDigit(bytes[i]);
    if (digit < 0) return undefined;
    value = value * 16 + digit;
  }
  return value;
}

/* lowercase only: the writer writes lowercase, so an uppercase digit is a changed byte */
function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}
