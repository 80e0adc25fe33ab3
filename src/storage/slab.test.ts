import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SLAB_SLICE_MAX, slabBytes, slabFloat64 } from './slab.js';

test('slab slices are zeroed, separate, each on its own 64-byte line, and large ones get a store of their own', () => {
  const a = slabBytes(100);
  const b = slabBytes(4096);
  const f = slabFloat64(33);
  assert.equal(a.length, 100);
  assert.equal(f.length, 33);
  for (const x of [a, b, f]) assert.ok(x.every((v) => v === 0), 'zeroed');
  for (const x of [a, b, f]) assert.equal(x.byteOffset % 64, 0, 'line-aligned');
  a.fill(0xaa);
  b.fill(0xbb);
  f.fill(-1);
  assert.ok(a.every((v) => v === 0xaa) && b.every((v) => v === 0xbb) && f.every((v) => v === -1), 'no slice overlaps another');
  // Many slices: a fresh slab when one is used up, and still no overlap.
  const many = Array.from({ length: 100 }, (_, i) => {
    const s = slabBytes(4096);
    s.fill(i);
    return s;
  });
  many.forEach((s, i) => assert.ok(s.every((v) => v === i), `slice ${i} intact`));
  assert.ok(new Set(many.map((s) => s.buffer)).size >= 6, 'spread over several slabs');
  const big = slabBytes(SLAB_SLICE_MAX + 1);
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, SLAB_SLICE_MAX + 1, 'its own store');
  assert.equal(slabBytes(0).length, 0);
  assert.equal(slabFloat64(0).length, 0);
});
