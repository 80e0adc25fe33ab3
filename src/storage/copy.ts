// Byte copies for the data path. A few bytes go through a plain loop (no call, no object);
// more go through Buffer.prototype.copy, which on Node 22 and later is a native memmove
// without any object per call, and on Node 20 a TypedArray `set` on a view it makes (what
// `subarray` + `set` would cost).
//
// V8 copies into or out of a SharedArrayBuffer with relaxed atomic moves (its memory
// model's rule): word by word when source and destination addresses agree modulo 8, and
// **byte by byte when they do not**. Measured (2-vCPU EPYC, 8948-byte copies between a
// 16 MiB SharedArrayBuffer and a 2 MiB ArrayBuffer, 2026-12-04): `set` 26 GB/s aligned,
// 3.8 GB/s misaligned, on Node 20, 22 and 24; Buffer.prototype.copy 25 / 3.8 on Node 20,
// 55 / 37 on Node 24 (its own memmove). A TCP payload sits 54-66 bytes into its frame and
// lands at any stream offset in a byte ring, so most data-path copies are misaligned: on
// Node 20 a shared copy whose ends disagree goes through a bounce buffer placed at the
// shared end's alignment (a word copy, then a plain memmove), 3.8 -> 12-17 GB/s.
// The frames are handed over by ring descriptors, so no other thread writes them while
// they are copied.

const bufferCopy = Buffer.prototype.copy;

/** Copies up to this many bytes use a loop. */
const SMALL_COPY = 16;

/** Misaligned shared copies from this size up go through the bounce buffer (Node 20). */
const BOUNCE_MIN = 256;

/** Bytes per bounce step; 8 more for the alignment shift. */
const BOUNCE_CHUNK = 16384;

/** Node 22 and later copy with memmove whatever the alignment; Node 20 needs the bounce. */
export const SHARED_COPY_NEEDS_BOUNCE = Number(process.versions.node.split('.')[0]) < 22;

let bounce: Uint8Array | undefined;

/** Copy `len` bytes from `src[srcOff..]` to `dst[dstOff..]` (distinct buffers, or ranges that do not overlap). */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (len <= SMALL_COPY) {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i]!;
    return;
  }
  if (SHARED_COPY_NEEDS_BOUNCE && len >= BOUNCE_MIN && (((src.byteOffset + srcOff) ^ (dst.byteOffset + dstOff)) & 7) !== 0) {
    const srcShared = src.buffer instanceof SharedArrayBuffer;
    const dstShared = dst.buffer instanceof SharedArrayBuffer;
    if (srcShared || dstShared) {
      bounceCopy(dst, dstOff, src, srcOff, len, srcShared, dstShared);
      return;
    }
  }
  bufferCopy.call(src, dst, dstOff, srcOff, srcOff + len);
}

/** The bounce path of `copyBytes` whatever the Node version and sizes (for tests). */
export function copyThroughBounce(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  bounceCopy(dst, dstOff, src, srcOff, len, src.buffer instanceof SharedArrayBuffer, dst.buffer instanceof SharedArrayBuffer);
}

/**
 * A shared copy whose two ends disagree modulo 8, in steps through a plain buffer: the side
 * in shared memory is copied at its own alignment (V8's word path), the plain side by
 * memmove. Both shared (arena to arena): the bounce is re-aligned between the two.
 * Array buffers' backing stores are at least 8-aligned, so `byteOffset` decides.
 */
function bounceCopy(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number, srcShared: boolean, dstShared: boolean): void {
  const b = (bounce ??= new Uint8Array(2 * BOUNCE_CHUNK + 16));
  for (let done = 0; done < len; ) {
    const n = Math.min(BOUNCE_CHUNK, len - done);
    const s = srcOff + done;
    const d = dstOff + done;
    if (!dstShared) {
      // shared -> plain: word copy into the bounce at the source's alignment, then memmove out.
      const a = (src.byteOffset + s) & 7;
      bufferCopy.call(src, b, a, s, s + n);
      bufferCopy.call(b, dst, d, a, a + n);
    } else {
      // -> shared: into the bounce at the destination's alignment, then a word copy in.
      const at = BOUNCE_CHUNK + 8 + ((dst.byteOffset + d) & 7);
      if (srcShared) {
        const a = (src.byteOffset + s) & 7;
        bufferCopy.call(src, b, a, s, s + n);
        bufferCopy.call(b, b, at, a, a + n);
      } else {
        bufferCopy.call(src, b, at, s, s + n);
      }
      bufferCopy.call(b, dst, d, at, at + n);
    }
    done += n;
  }
}
