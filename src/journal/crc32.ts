/**
 * CRC-32 (the IEEE polynomial of zlib, gzip and PNG: `crc32` of Node's zlib
 * gives the same values) over a byte range, slicing by 8. The journal
 * checksums every record, most of them 30 to 60 bytes long: zlib.crc32
 * (Node >= 20.15) costs about three times as much there, its call and the
 * subarray it needs weighing more than the bytes; a byte-at-a-time table
 * twice as much.
 */
const TABLES = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLES[n];
  for (let table = 1; table < 8; table++) {
    c = TABLES[c & 0xff] ^ (c >>> 8);
    TABLES[table * 256 + n] = c;
  }
}

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = TABLES;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c =
      t[1792 + (a & 0xff)] ^
      t[1536 + ((a >>> 8) & 0xff)] ^
      t[1280 + ((a >>> 16) & 0xff)] ^
      t[1024 + (a >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
