import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SLAB_SLICE_MAX, releaseSlabBytes, slabBytes, slabFloat64 } from './slab.js';
import { ByteRing } from './byte-ring.js';

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

test('a slice given back is reused, zeroed, by the next request of its size; other arrays are not kept', () => {
  const a = slabBytes(1234);
  a.fill(0x5a);
  releaseSlabBytes(a);
  const b = slabBytes(1234);
  assert.equal(b.buffer, a.buffer, 'the same slab');
  assert.equal(b.byteOffset, a.byteOffset, 'the same slice');
  assert.ok(b.every((v) => v === 0), 'zeroed again');
  const c = slabBytes(1234);
  assert.ok(c.buffer !== b.buffer || c.byteOffset !== b.byteOffset, 'taken once: the next is another slice');
  // Not slab slices: an array of its own, an empty one, a large one.
  const own = new Uint8Array(1234);
  releaseSlabBytes(own);
  releaseSlabBytes(new Uint8Array(0));
  releaseSlabBytes(slabBytes(SLAB_SLICE_MAX + 1));
  assert.ok(slabBytes(1234).buffer !== own.buffer);
});

test('a disposed ring gives its slice back once, and an enlarged ring its first slice', () => {
  const r = new ByteRing(4096);
  r.write(new Uint8Array(100).fill(7), 0, 100);
  r.dispose();
  assert.equal(r.capacity, 0);
  assert.equal(r.length, 0);
  assert.equal(r.write(new Uint8Array(1), 0, 1), 0, 'a disposed ring takes nothing');
  r.dispose();
  const x = slabBytes(4096);
  const y = slabBytes(4096);
  assert.ok(x.buffer !== y.buffer || x.byteOffset !== y.byteOffset, 'a second dispose gave nothing back twice');
  assert.ok(x.every((v) => v === 0));
  // A ring of 64 KiB starts on a 4 KiB slice and moves to an array of its own as it fills.
  const big = new ByteRing(65536);
  big.write(new Uint8Array(5000).fill(9), 0, 5000);
  const z = slabBytes(4096);
  const out = new Uint8Array(5000);
  assert.equal(big.read(out, 0, 5000), 5000);
  assert.ok(out.every((v) => v === 9), 'the ring kept its bytes');
  z.fill(1);
  assert.equal(big.write(new Uint8Array(10).fill(3), 0, 10), 10);
  const back = new Uint8Array(10);
  big.read(back, 0, 10);
  assert.ok(back.every((v) => v === 3), 'the slice the ring gave back is not the ring\'s any more');
});
