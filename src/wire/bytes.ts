// Big-endian field access on plain byte arrays. Every wire codec reads and writes through
// these helpers, so no codec needs a DataView (which would have to be re-created whenever a
// view is re-pointed at a different buffer).

/** Return the unsigned 16-bit big-endian value at `off`. */
export function get16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/** Return the unsigned 32-bit big-endian value at `off`. */
export function get32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** Return the 48-bit big-endian value at `off` (a MAC address) as an exact integer. */
export function get48(b: Uint8Array, off: number): number {
  return get16(b, off) * 0x1_0000_0000 + get32(b, off + 2);
}

/** Write `v` as a 16-bit big-endian value at `off`. */
export function set16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

/** Write `v` as a 32-bit big-endian value at `off`. */
export function set32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** Write the 48-bit integer `v` (a MAC address) big-endian at `off`. */
export function set48(b: Uint8Array, off: number, v: number): void {
  set16(b, off, Math.floor(v / 0x1_0000_0000));
  set32(b, off + 2, v % 0x1_0000_0000);
}
