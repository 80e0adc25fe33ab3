import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seqAdd, seqDiff, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqMax, seqMin } from './seq.js';

const MAX = 0xffff_ffff;

test('addition wraps modulo 2^32', () => {
  assert.equal(seqAdd(MAX, 1), 0);
  assert.equal(seqAdd(MAX - 9, 20), 10);
  assert.equal(seqAdd(5, -10), MAX - 4);
  assert.equal(seqAdd(0, 0x1_0000_0000), 0);
});

test('comparisons across the wrap', () => {
  assert.ok(seqLt(MAX, 0));
  assert.ok(seqLt(MAX - 100, 100));
  assert.ok(seqGt(100, MAX - 100));
  assert.ok(seqLe(MAX, MAX) && seqGe(0, 0));
  assert.ok(!seqLt(0, MAX));
  assert.equal(seqDiff(0, MAX), 1);
  assert.equal(seqDiff(MAX, 0), -1);
  assert.equal(seqDiff(10, MAX - 9), 20);
  assert.equal(seqMax(MAX, 3), 3);
  assert.equal(seqMin(MAX, 3), MAX);
});

test('the half-way point 2^31 apart is ambiguous, the RFC 1982 way', () => {
  assert.equal(seqDiff(0x8000_0000, 0), -0x8000_0000);
  assert.equal(seqDiff(0x7fff_ffff, 0), 0x7fff_ffff);
  assert.ok(seqGt(0x7fff_ffff, 0) && seqLt(0x8000_0001, 0));
});

test('windows that straddle the wrap', () => {
  const start = MAX - 15;
  assert.ok(seqInWindow(start, start, 32));
  assert.ok(seqInWindow(MAX, start, 32));
  assert.ok(seqInWindow(0, start, 32));
  assert.ok(seqInWindow(15, start, 32));
  assert.ok(!seqInWindow(16, start, 32));
  assert.ok(!seqInWindow(start - 1, start, 32));
  assert.ok(!seqInWindow(start, start, 0), 'an empty window holds nothing');
});

test('order agrees with distance for random pairs (seeded)', () => {
  let s = 12345;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 10000; i++) {
    const a = next();
    const d = (next() % 0x7fff_ffff) - 0x3fff_ffff; // |d| < 2^30
    const b = seqAdd(a, d);
    assert.equal(seqDiff(b, a), d);
    assert.equal(seqLt(a, b), d > 0);
    assert.equal(seqGt(a, b), d < 0);
    assert.equal(seqLe(a, b), d >= 0);
    assert.equal(seqInWindow(b, a, 0x4000_0000), d >= 0);
  }
});
