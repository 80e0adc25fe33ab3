import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyBytes } from './copy.js';

test('copyBytes copies exactly the range, both ways between a SharedArrayBuffer and an ArrayBuffer, at every size around the loop/memmove switch', () => {
  const shared = new Uint8Array(new SharedArrayBuffer(4096));
  const plain = new Uint8Array(4096);
  for (let i = 0; i < plain.length; i++) plain[i] = (i * 31 + 7) & 0xff;
  for (const len of [0, 1, 15, 16, 17, 64, 1500, 4000]) {
    shared.fill(0xee);
    copyBytes(shared, 33, plain, 50, Math.min(len, 4096 - 50));
    const n = Math.min(len, 4096 - 50);
    assert.equal(shared[32], 0xee, `len ${len}: the byte before is untouched`);
    for (let i = 0; i < n; i++) assert.equal(shared[33 + i], plain[50 + i], `len ${len}: byte ${i}`);
    if (33 + n < shared.length) assert.equal(shared[33 + n], 0xee, `len ${len}: the byte after is untouched`);
    const back = new Uint8Array(4096);
    copyBytes(back, 9, shared, 33, n);
    assert.deepEqual(back.subarray(9, 9 + n), plain.subarray(50, 50 + n));
    assert.equal(back[9 + n] ?? 0, 0);
  }
});

test('misaligned shared copies (the bounce path Node 20 takes) copy exactly the range in every direction, across several bounce steps', async () => {
  const { copyThroughBounce, SHARED_COPY_NEEDS_BOUNCE } = await import('./copy.js');
  // What was measured per Node major (docs/tcp.md, docs/channels.md: 3.8 against 12 GB/s),
  // stated here as facts rather than recomputed from the implementation's expression.
  const MEASURED: Record<string, boolean> = { '20': true, '22': false, '24': false };
  const major = process.versions.node.split('.')[0]!;
  if (major in MEASURED) assert.equal(SHARED_COPY_NEEDS_BOUNCE, MEASURED[major], `Node ${major}`);
  const SIZE = 80_000;
  const fill = (a: Uint8Array, seed: number): void => {
    for (let i = 0; i < a.length; i++) a[i] = (i * 131 + seed) & 0xff;
  };
  const kinds = {
    shared: () => new Uint8Array(new SharedArrayBuffer(SIZE)),
    plain: () => new Uint8Array(SIZE),
    // A view that does not start at its buffer's first byte: alignment is decided by byteOffset.
    sharedView: () => new Uint8Array(new SharedArrayBuffer(SIZE + 16), 3, SIZE),
  };
  for (const copy of [copyBytes, copyThroughBounce]) {
    for (const [sk, mkSrc] of Object.entries(kinds)) {
      for (const [dk, mkDst] of Object.entries(kinds)) {
        for (const [srcOff, dstOff, len] of [
          [66, 1001, 8948],
          [2, 0, 300],
          [7, 12, 40_000],
          [54, 8, 16_384 * 2 + 5],
          [64, 64, 9000],
        ] as const) {
          const src = mkSrc();
          const dst = mkDst();
          fill(src, 7);
          dst.fill(0xee);
          copy(dst, dstOff, src, srcOff, len);
          const where = `${copy.name} ${sk} -> ${dk}, ${srcOff} -> ${dstOff}, ${len} bytes`;
          if (dstOff > 0) assert.equal(dst[dstOff - 1], 0xee, `${where}: the byte before`);
          assert.equal(dst[dstOff + len], 0xee, `${where}: the byte after`);
          for (let i = 0; i < len; i++) {
            if (dst[dstOff + i] !== src[srcOff + i]) assert.fail(`${where}: byte ${i} is ${dst[dstOff + i]}, not ${src[srcOff + i]}`);
          }
        }
      }
    }
  }
});
