import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteRing } from './byte-ring.js';
import { Prng } from './prng.js';

function bytes(...v: number[]): Uint8Array {
  return Uint8Array.from(v);
}

test('a new ring is empty with all capacity free', () => {
  const r = new ByteRing(8);
  assert.equal(r.capacity, 8);
  assert.equal(r.length, 0);
  assert.equal(r.free, 8);
  assert.ok(r.isEmpty());
  assert.ok(!r.isFull());
});

test('write then read returns the same bytes and empties the ring', () => {
  const r = new ByteRing(8);
  assert.equal(r.write(bytes(1, 2, 3), 0, 3), 3);
  assert.equal(r.length, 3);
  const out = new Uint8Array(5);
  assert.equal(r.read(out, 1, 4), 3);
  assert.deepEqual([...out], [0, 1, 2, 3, 0]);
  assert.ok(r.isEmpty());
});

test('write stops at capacity and reports what it took; read of an empty ring returns 0', () => {
  const r = new ByteRing(4);
  assert.equal(r.write(bytes(1, 2, 3, 4, 5, 6), 0, 6), 4);
  assert.ok(r.isFull());
  assert.equal(r.free, 0);
  assert.equal(r.write(bytes(9), 0, 1), 0);
  const out = new Uint8Array(8);
  assert.equal(r.read(out, 0, 8), 4);
  assert.deepEqual([...out.subarray(0, 4)], [1, 2, 3, 4]);
  assert.equal(r.read(out, 0, 8), 0);
});

test('writes and reads wrap around the end of the backing array', () => {
  const r = new ByteRing(5);
  r.write(bytes(1, 2, 3, 4), 0, 4);
  const out = new Uint8Array(5);
  assert.equal(r.read(out, 0, 3), 3); // head at 3, one byte (4) left
  assert.equal(r.write(bytes(5, 6, 7, 8), 0, 4), 4); // wraps: 5 at index 4, 6 7 8 at 0..2
  assert.ok(r.isFull());
  assert.equal(r.read(out, 0, 5), 5);
  assert.deepEqual([...out], [4, 5, 6, 7, 8]);
});

test('a long copy that wraps (past the small-copy loop) stays byte-exact', () => {
  const r = new ByteRing(100);
  const src = new Uint8Array(100).map((_, i) => i + 1);
  r.write(src, 0, 70);
  const out = new Uint8Array(100);
  r.read(out, 0, 60);
  assert.equal(r.write(src, 0, 90), 90); // 30 at the end, 60 wrapped
  assert.equal(r.read(out, 0, 100), 100);
  assert.deepEqual([...out.subarray(0, 10)], [61, 62, 63, 64, 65, 66, 67, 68, 69, 70]);
  assert.deepEqual([...out.subarray(10)], [...src.subarray(0, 90)]);
});

test('peek copies at an offset without consuming; past the end it returns 0', () => {
  const r = new ByteRing(6);
  r.write(bytes(1, 2, 3, 4, 5, 6), 0, 6);
  const tmp = new Uint8Array(3);
  r.discard(4);
  r.write(bytes(7, 8, 9, 10), 0, 4); // content 5 6 7 8 9 10, wrapped
  assert.equal(r.peek(1, tmp, 0, 3), 3);
  assert.deepEqual([...tmp], [6, 7, 8]);
  assert.equal(r.peek(4, tmp, 0, 3), 2);
  assert.deepEqual([...tmp.subarray(0, 2)], [9, 10]);
  assert.equal(r.peek(6, tmp, 0, 3), 0);
  assert.equal(r.peek(-1, tmp, 0, 3), 0);
  assert.equal(r.length, 6);
  assert.equal(r.byteAt(0), 5);
  assert.equal(r.byteAt(5), 10);
  assert.equal(r.byteAt(6), -1);
});

test('discard drops from the head and is clamped to the length', () => {
  const r = new ByteRing(4);
  r.write(bytes(1, 2, 3), 0, 3);
  assert.equal(r.discard(2), 2);
  assert.equal(r.byteAt(0), 3);
  assert.equal(r.discard(10), 1);
  assert.ok(r.isEmpty());
  assert.equal(r.discard(-3), 0);
});

test('writeAhead places bytes in free space that commit makes readable', () => {
  const r = new ByteRing(8);
  r.write(bytes(1, 2), 0, 2);
  assert.equal(r.writeAhead(2, bytes(5, 6), 0, 2), 2); // offsets 4..5 past head
  assert.equal(r.length, 2);
  assert.equal(r.writeAhead(0, bytes(3, 4), 0, 2), 2);
  assert.equal(r.commit(4), 4);
  const out = new Uint8Array(6);
  r.read(out, 0, 6);
  assert.deepEqual([...out], [1, 2, 3, 4, 5, 6]);
  // Limited by the free space after the offset; nothing past it.
  assert.equal(r.writeAhead(6, bytes(1, 2, 3), 0, 3), 2);
  assert.equal(r.writeAhead(8, bytes(1), 0, 1), 0);
  assert.equal(r.writeAhead(-1, bytes(1), 0, 1), 0);
  assert.equal(r.commit(100), 8);
});

test('grow keeps the readable bytes in order, wrapped or not', () => {
  const r = new ByteRing(4);
  r.write(bytes(1, 2, 3, 4), 0, 4);
  r.discard(3);
  r.write(bytes(5, 6, 7), 0, 3); // wrapped: 4 5 6 7
  r.grow(10);
  assert.equal(r.capacity, 10);
  assert.equal(r.length, 4);
  assert.equal(r.write(bytes(8, 9, 10, 11, 12, 13, 14), 0, 7), 6);
  const out = new Uint8Array(10);
  assert.equal(r.read(out, 0, 10), 10);
  assert.deepEqual([...out], [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.throws(() => r.grow(5), RangeError);
});

test('a zero-capacity ring takes nothing', () => {
  const r = new ByteRing(0);
  assert.equal(r.write(bytes(1), 0, 1), 0);
  assert.ok(r.isEmpty() && r.isFull());
  assert.throws(() => new ByteRing(-1), RangeError);
  assert.throws(() => new ByteRing(1.5), RangeError);
});

test('property: random operations agree with an array model', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rng = new Prng(seed);
    let cap = 1 + rng.nextInt(64);
    const r = new ByteRing(cap);
    let model: number[] = [];
    let next = 0;
    const src = new Uint8Array(256);
    const dst = new Uint8Array(256);
    for (let step = 0; step < 2000; step++) {
      const op = rng.nextInt(6);
      const n = rng.nextInt(80);
      if (op === 0 || op === 1) {
        for (let i = 0; i < n; i++) src[7 + i] = (next + i) & 0xff;
        const took = r.write(src, 7, n);
        assert.equal(took, Math.min(n, cap - model.length));
        for (let i = 0; i < took; i++) model.push((next + i) & 0xff);
        next += took;
      } else if (op === 2) {
        const got = r.read(dst, 3, n);
        assert.equal(got, Math.min(n, model.length));
        assert.deepEqual([...dst.subarray(3, 3 + got)], model.slice(0, got));
        model = model.slice(got);
      } else if (op === 3) {
        const at = rng.nextInt(model.length + 2);
        const got = r.peek(at, dst, 0, n);
        const want = model.slice(at, at + n);
        assert.equal(got, at >= model.length ? 0 : want.length);
        assert.deepEqual([...dst.subarray(0, got)], want.slice(0, got));
      } else if (op === 4) {
        const k = r.discard(n);
        assert.equal(k, Math.min(n, model.length));
        model = model.slice(k);
      } else if (rng.chance(0.05)) {
        cap += rng.nextInt(32);
        r.grow(cap);
      } else {
        // rewind: only an empty ring moves (to its first byte); what it holds is unchanged
        assert.equal(r.rewind(), model.length === 0);
      }
      assert.equal(r.length, model.length);
      assert.equal(r.free, cap - model.length);
    }
  }
});

test('bytes placed ahead survive a read that empties the ring (out-of-order data)', () => {
  const r = new ByteRing(16);
  r.write(Uint8Array.of(1, 2, 3, 4), 0, 4);
  // A segment arrives 2 bytes past the tail (a hole of 2), then the reader drains the ring.
  assert.equal(r.writeAhead(2, Uint8Array.of(7, 8), 0, 2), 2);
  const dst = new Uint8Array(8);
  assert.equal(r.read(dst, 0, 8), 4);
  // The hole fills and everything becomes readable, in order.
  assert.equal(r.writeAhead(0, Uint8Array.of(5, 6), 0, 2), 2);
  assert.equal(r.commit(4), 4);
  assert.equal(r.read(dst, 0, 8), 4);
  assert.deepEqual([...dst.subarray(0, 4)], [5, 6, 7, 8]);
});

test('grow keeps bytes placed ahead by writeAhead at their offsets', () => {
  const r = new ByteRing(8);
  r.write(Uint8Array.of(1, 2, 3, 4, 5, 6), 0, 6);
  r.discard(5); // head near the end: the next bytes wrap
  r.writeAhead(2, Uint8Array.of(9, 8), 0, 2);
  r.grow(32);
  assert.equal(r.length, 1);
  assert.equal(r.commit(4), 4); // offsets 0-1 past the old tail are a hole, 2-3 hold 9, 8
  const out = new Uint8Array(5);
  assert.equal(r.read(out, 0, 5), 5);
  assert.deepEqual([out[0], out[3], out[4]], [6, 9, 8]);
});

test('rewind: an emptied ring rewinds and then holds a full write intact; a ring holding bytes refuses', () => {
  const r = new ByteRing(8);
  const out = new Uint8Array(8);
  assert.equal(r.write(bytes(1, 2, 3, 4, 5, 6), 0, 6), 6);
  assert.equal(r.read(out, 0, 6), 6);
  assert.equal(r.rewind(), true);
  assert.equal(r.write(bytes(9, 8, 7, 6, 5, 4, 3, 2), 0, 8), 8);
  assert.equal(r.byteAt(0), 9);
  assert.equal(r.byteAt(7), 2);
  assert.equal(r.rewind(), false, 'a ring that holds bytes does not move');
  assert.equal(r.read(out, 0, 8), 8);
  assert.deepEqual([...out], [9, 8, 7, 6, 5, 4, 3, 2]);
});

test('memory comes as bytes need it: a large ring starts small, grow allocates nothing, a far placement enlarges it', async () => {
  const { RING_INITIAL } = await import('./byte-ring.js');
  const r = new ByteRing(1 << 20);
  assert.equal(r.capacity, 1 << 20);
  assert.equal(r.allocated, 0, 'no array before the first byte');
  const small = new ByteRing(100);
  small.write(new Uint8Array(1), 0, 1);
  assert.equal(small.allocated, 100, 'never more than the capacity');
  const src = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
  // A reader that keeps up never makes it grow.
  const out = new Uint8Array(3000);
  for (let i = 0; i < 1000; i++) {
    assert.equal(r.write(src, 0, 3000), 3000);
    assert.equal(r.read(out, 0, 3000), 3000);
  }
  assert.deepEqual(out, src);
  assert.equal(r.allocated, RING_INITIAL);
  r.grow(6 << 20);
  assert.equal(r.capacity, 6 << 20);
  assert.equal(r.allocated, RING_INITIAL, 'grow only raises the capacity');
  // Readable bytes (wrapped in the small array) and a placement far ahead survive enlarging.
  assert.equal(r.write(src, 0, 3000), 3000);
  assert.equal(r.writeAhead(500_000, src, 10, 20), 20);
  assert.ok(r.allocated >= 503_020 && r.allocated < 1 << 20, `allocated ${r.allocated}`);
  const back = new Uint8Array(3000);
  assert.equal(r.peek(0, back, 0, 3000), 3000);
  assert.deepEqual(back, src);
  assert.equal(r.discard(3000), 3000);
  assert.equal(r.commit(500_020), 500_020);
  const tail = new Uint8Array(20);
  assert.equal(r.peek(500_000, tail, 0, 20), 20);
  assert.deepEqual(tail, src.subarray(10, 30));
  // Bytes counted without being placed (zero copy) take their place too: the length never passes the array.
  const z = new ByteRing(1 << 20);
  assert.equal(z.commit(200_000), 200_000);
  assert.ok(z.allocated >= 200_000);
  assert.equal(z.discard(200_000), 200_000);
});

test('property: large rings (enlarging as they fill) agree with a model under write, writeAhead, commit, peek, discard and grow', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rng = new Prng(seed * 7919);
    let cap = 5000 + rng.nextInt(200_000);
    const r = new ByteRing(cap);
    // The model: mem[base + i] is the byte i past the head (readable, or placed ahead), -1 where nothing was placed.
    let mem = new Int16Array(1 << 21).fill(-1);
    let base = 0;
    let len = 0;
    let next = 0;
    const at = (i: number): number => mem[base + i]!;
    const set = (i: number, v: number): void => {
      mem[base + i] = v;
    };
    const src = new Uint8Array(40_000);
    const dst = new Uint8Array(40_000);
    for (let step = 0; step < 600; step++) {
      const op = rng.nextInt(7);
      const n = rng.nextInt(30_000);
      if (op === 0 || op === 1) {
        for (let i = 0; i < n; i++) src[5 + i] = (next + i) & 0xff;
        const took = r.write(src, 5, n);
        assert.equal(took, Math.min(n, cap - len));
        for (let i = 0; i < took; i++) set(len + i, (next + i) & 0xff);
        len += took;
        next += took;
      } else if (op === 2) {
        const ahead = rng.nextInt(Math.max(1, cap - len + 10));
        for (let i = 0; i < n; i++) src[i] = (next + 3 * i) & 0xff;
        const took = r.writeAhead(ahead, src, 0, n);
        assert.equal(took, Math.max(0, Math.min(n, cap - len - ahead)));
        for (let i = 0; i < took; i++) set(len + ahead + i, (next + 3 * i) & 0xff);
        next += 1;
      } else if (op === 3) {
        const k = r.commit(rng.nextInt(Math.max(1, Math.min(n, 4000))));
        assert.ok(k >= 0 && len + k <= cap);
        len += k;
      } else if (op === 4) {
        const from = rng.nextInt(len + 2);
        const want = Math.max(0, Math.min(n, len - from));
        const got = r.peek(from, dst, 0, n);
        assert.equal(got, from >= len ? 0 : want);
        for (let i = 0; i < got; i++) {
          const m = at(from + i);
          if (m >= 0 && dst[i] !== m) assert.fail(`seed ${seed} step ${step}: byte ${from + i} is ${dst[i]}, not ${m}`);
        }
      } else if (op === 5) {
        const k = r.discard(n);
        assert.equal(k, Math.min(n, len));
        mem.fill(-1, base, base + k);
        base += k;
        len -= k;
      } else if (rng.chance(0.3)) {
        cap += rng.nextInt(100_000);
        r.grow(cap);
      }
      if (base + cap > mem.length) {
        // Keep the model's window inside its array: move what is past the head to the start.
        const bigger = new Int16Array(Math.max(mem.length, 2 * cap)).fill(-1);
        bigger.set(mem.subarray(base, Math.min(mem.length, base + cap)));
        mem = bigger;
        base = 0;
      }
      assert.equal(r.length, len);
      assert.equal(r.free, cap - len);
      assert.ok(r.allocated >= len && r.allocated <= cap, `seed ${seed} step ${step}: allocated ${r.allocated}, length ${len}, capacity ${cap}`);
    }
  }
});

test('shrink: an empty ring gives a small array back and takes one again for the next bytes; a large one rewinds and keeps it', () => {
  const r = new ByteRing(1 << 20);
  const src = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff);
  const out = new Uint8Array(3000);
  assert.equal(r.shrink(), true, 'empty from the start');
  assert.equal(r.allocated, 0);
  assert.equal(r.write(src, 0, 3000), 3000);
  assert.equal(r.shrink(), false, 'bytes wait: nothing changes');
  assert.ok(r.allocated > 0);
  assert.equal(r.read(out, 0, 1000), 1000);
  assert.equal(r.read(out, 1000, 2000), 2000);
  assert.deepEqual(out, src);
  assert.equal(r.shrink(), true);
  assert.equal(r.allocated, 0, 'an idle ring holds no bytes');
  assert.equal(r.capacity, 1 << 20, 'the capacity stays');
  assert.equal(r.write(src, 0, 3000), 3000);
  assert.equal(r.read(out, 0, 3000), 3000);
  assert.deepEqual(out, src);
  // Past the slab slices (storage/slab.ts SLAB_SLICE_MAX) the array stays; the ring rewinds.
  const big = new Uint8Array(100_000);
  assert.equal(r.write(big, 0, big.length), big.length);
  assert.equal(r.discard(big.length), big.length);
  const kept = r.allocated;
  assert.ok(kept >= 100_000);
  assert.equal(r.shrink(), true);
  assert.equal(r.allocated, kept);
});
