// Byte copies for the data path. A few bytes go through a plain loop (no call, no object);
// more go through Buffer.prototype.copy, which on Node 22 and later is a native memmove
// without any object per call, and on Node 20 a TypedArray `set` on a view it makes (what
// `subarray` + `set` would cost). Measured (2-vCPU EPYC, 9000-byte copies between a
// 16 MiB SharedArrayBuffer and a 2 MiB ArrayBuffer): `set` 15-19 GB/s on Node 20/22/24,
// Buffer.prototype.copy 14 on Node 20, 24-25 on Node 22, 27-29 on Node 24. V8 copies into
// or out of a SharedArrayBuffer with relaxed atomic word moves (its memory model's rule),
// Node's copy with memmove: the frames are handed over by ring descriptors, so no other
// thread writes them while they are copied.

const bufferCopy = Buffer.prototype.copy;

/** Copies up to this many bytes use a loop. */
const SMALL_COPY = 16;

/** Copy `len` bytes from `src[srcOff..]` to `dst[dstOff..]` (distinct buffers, or ranges that do not overlap). */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (len <= SMALL_COPY) {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i]!;
  } else {
    bufferCopy.call(src, dst, dstOff, srcOff, srcOff + len);
  }
}
