// Byte copies without a `subarray` per call: a subarray is an allocation, and the hot
// paths promise none (STYLE.md "Hot paths"), so payloads are copied with a plain loop,
// which V8 compiles to a tight one.

/** Copy `len` bytes from `src[srcOff..]` to `dst[dstOff..]` (distinct buffers, or ranges that do not overlap). */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i]!;
}
