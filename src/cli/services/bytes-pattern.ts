// The body of `GET /bytes/N`: a byte stream that depends on position, so a receiver can
// check it without having been sent a copy, and any byte out of place (reordered,
// duplicated or lost data) changes its hash. It is made of 16-byte records: the record at
// stream offset `o` (a multiple of 16) is `o` in 15 lowercase hex digits, then '\n'; a
// body of N bytes is the first N bytes of that stream. The same bytes in Python:
//   b''.join(b'%015x\n' % o for o in range(0, n, 16))[:n]

/** Bytes per record of the pattern. */
export const PATTERN_RECORD = 16;

const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const NL = 0x0a;
const record = new Uint8Array(PATTERN_RECORD);

/** Write the record that starts at stream offset `o` into `dst` at `at` (16 bytes). */
function putRecord(dst: Uint8Array, at: number, o: number): void {
  let v = o;
  for (let j = 14; j >= 0; j--) {
    dst[at + j] = HEX[v % 16]!;
    v = Math.floor(v / 16);
  }
  dst[at + 15] = NL;
}

/**
 * Fill `len` bytes of `dst` from `at` with the pattern's bytes from stream offset `pos`.
 * Bounded work: one record (16 bytes) per iteration.
 */
export function fillBytesPattern(dst: Uint8Array, at: number, len: number, pos: number): void {
  let i = 0;
  // A partial record first, when `pos` is not on a record boundary.
  const head = pos % PATTERN_RECORD;
  if (head !== 0 && len > 0) {
    putRecord(record, 0, pos - head);
    const n = Math.min(len, PATTERN_RECORD - head);
    dst.set(record.subarray(head, head + n), at);
    i = n;
  }
  for (; i + PATTERN_RECORD <= len; i += PATTERN_RECORD) putRecord(dst, at + i, pos + i);
  if (i < len) {
    putRecord(record, 0, pos + i);
    dst.set(record.subarray(0, len - i), at + i);
  }
}

/** Return the first `n` bytes of the pattern (for tests and small bodies). */
export function bytesPattern(n: number, pos = 0): Uint8Array {
  const b = new Uint8Array(n);
  fillBytesPattern(b, 0, n, pos);
  return b;
}
