import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng, splitmix32 } from './prng.js';

test('the same seed gives the same sequence; different seeds differ', () => {
  const a = new Prng(42);
  const b = new Prng(42);
  const c = new Prng(43);
  const sa = Array.from({ length: 100 }, () => a.nextU32());
  const sb = Array.from({ length: 100 }, () => b.nextU32());
  const sc = Array.from({ length: 100 }, () => c.nextU32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  a.reseed(42);
  assert.equal(a.nextU32(), sa[0]);
});

test('outputs are 32-bit unsigned integers and floats lie in [0, 1)', () => {
  const r = new Prng(7);
  for (let i = 0; i < 10_000; i++) {
    const u = r.nextU32();
    assert.ok(Number.isInteger(u) && u >= 0 && u < 2 ** 32);
    const f = r.nextFloat();
    assert.ok(f >= 0 && f < 1);
    const k = r.nextInt(6);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 6);
  }
  assert.equal(splitmix32(0), splitmix32(0));
  assert.notEqual(splitmix32(0), splitmix32(1));
});

test('nextInt and chance are roughly uniform (wide bounds)', () => {
  const r = new Prng(1);
  const buckets = new Array<number>(10).fill(0);
  const N = 100_000;
  for (let i = 0; i < N; i++) buckets[r.nextInt(10)]!++;
  for (const b of buckets) assert.ok(b > N / 10 * 0.9 && b < N / 10 * 1.1, `bucket ${b}`);
  let hits = 0;
  for (let i = 0; i < N; i++) if (r.chance(0.25)) hits++;
  assert.ok(hits > N * 0.23 && hits < N * 0.27, `hits ${hits}`);
  assert.equal(r.chance(0), false);
  assert.equal(r.chance(1), true);
});
