/**
 * The most of a remote task's console output (UTF-8 bytes, secrets already
 * masked) that its job's result carries back to the orchestrator's task
 * log: the result lives in Redis until it is journaled, and one chatty task
 * must not fill the store's memory. What goes beyond it is dropped and
 * counted; the worker's own terminal still shows all of it.
 */
export const REMOTE_OUTPUT_CAP_BYTES = 64 * 1024;

/** A task's output, kept up to a cap; what is dropped is told by a last line "[output truncated: N bytes]". */
export class CappedOutput {
  private readonly cap: number;
  private readonly parts: string[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(cap = REMOTE_OUTPUT_CAP_BYTES) {
    this.cap = cap;
  }

  add(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.dropped === 0 && this.kept + bytes <= this.cap) {
      this.parts.push(text);
      this.kept += bytes;
      return;
    }
    if (this.dropped === 0) {
      // what fits of the piece that overflows, cut at a character: a split character would decode as garbage
      const head = fitting(text, this.cap - this.kept);
      const headBytes = Buffer.byteLength(head);
      this.parts.push(head);
      this.kept += headBytes;
      this.dropped += bytes - headBytes;
      return;
    }
    this.dropped += bytes;
  }

  /** What was kept, and the marker when something was dropped; undefined when the task printed nothing. */
  text(): string | undefined {
    if (this.kept === 0 && this.dropped === 0) return undefined;
    const kept = this.parts.join("");
    if (this.dropped === 0) return kept;
    return `${kept}${kept.endsWith("\n") || kept === "" ? "" : "\n"}[output truncated: ${this.dropped} bytes]\n`;
  }
}

/* the longest start of `text` whose UTF-8 takes at most `room` bytes */
function fitting(text: string, room: number): string {
  const bytes = Buffer.from(text);
  let end = Math.min(room, bytes.length);
  // back off from the middle of a multi-byte character (continuation bytes are 10xxxxxx)
  while (end > 0 && end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString();
}
