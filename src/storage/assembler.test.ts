import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Assembler } from './assembler.js';
import { StoreErr } from './errors.js';
import { Prng } from './prng.js';

function ranges(a: Assembler): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < a.count; i++) out.push([a.rangeStart(i), a.rangeEnd(i)]);
  return out;
}

test('an in-order range becomes contiguous at the front', () => {
  const a = new Assembler(4);
  assert.equal(a.add(0, 10), StoreErr.Ok);
  assert.equal(a.frontLen(), 10);
  assert.equal(a.holeCount, 0);
  assert.equal(a.removeFront(), 10);
  assert.ok(a.isEmpty());
  assert.equal(a.removeFront(), 0);
});

test('a hole fills and the whole run comes out at once', () => {
  const a = new Assembler(4);
  a.add(10, 5);
  a.add(20, 5);
  assert.deepEqual(ranges(a), [[10, 15], [20, 25]]);
  assert.equal(a.holeCount, 2);
  assert.equal(a.frontLen(), 0);
  a.add(0, 10);
  assert.deepEqual(ranges(a), [[0, 15], [20, 25]]);
  assert.equal(a.removeFront(), 15);
  assert.deepEqual(ranges(a), [[5, 10]]);
  a.add(0, 5);
  assert.equal(a.removeFront(), 10);
  assert.ok(a.isEmpty());
});

test('overlapping and adjacent ranges merge; a range covering several swallows them', () => {
  const a = new Assembler(8);
  a.add(10, 5);
  a.add(15, 5); // adjacent on the right of [10,15)
  assert.deepEqual(ranges(a), [[10, 20]]);
  a.add(30, 5);
  a.add(40, 5);
  a.add(5, 5); // adjacent on the left
  assert.deepEqual(ranges(a), [[5, 20], [30, 35], [40, 45]]);
  a.add(18, 25); // overlaps all three
  assert.deepEqual(ranges(a), [[5, 45]]);
  a.add(7, 3); // inside
  assert.deepEqual(ranges(a), [[5, 45]]);
  assert.ok(a.contains(5, 40));
  assert.ok(!a.contains(4, 2));
  assert.ok(!a.contains(44, 2));
});

test('bytes before offset 0 are ignored; a zero length is a no-op', () => {
  const a = new Assembler(2);
  assert.equal(a.add(-5, 3), StoreErr.Ok);
  assert.ok(a.isEmpty());
  a.add(-5, 8);
  assert.deepEqual(ranges(a), [[0, 3]]);
  a.add(10, 0);
  assert.deepEqual(ranges(a), [[0, 3]]);
});

test('too many holes is refused and changes nothing; in-order data is still accepted', () => {
  const a = new Assembler(2);
  assert.equal(a.add(10, 1), StoreErr.Ok);
  assert.equal(a.add(20, 1), StoreErr.Ok);
  assert.equal(a.add(30, 1), StoreErr.TooManyHoles);
  assert.equal(a.add(15, 1), StoreErr.TooManyHoles);
  assert.deepEqual(ranges(a), [[10, 11], [20, 21]]);
  // Merging needs no new hole.
  assert.equal(a.add(11, 4), StoreErr.Ok);
  // A range at offset 0 makes no hole, even when the table is at its limit.
  assert.equal(a.add(0, 2), StoreErr.Ok);
  assert.deepEqual(ranges(a), [[0, 2], [10, 15], [20, 21]]);
  assert.equal(a.holeCount, 2);
  // Filling a hole frees a slot.
  assert.equal(a.add(2, 8), StoreErr.Ok);
  assert.equal(a.holeCount, 1);
  assert.equal(a.add(30, 1), StoreErr.Ok);
});

test('advance shifts the ranges and drops what it passes', () => {
  const a = new Assembler(4);
  a.add(10, 10);
  a.add(30, 5);
  a.advance(15);
  assert.deepEqual(ranges(a), [[0, 5], [15, 20]]);
  a.advance(10);
  assert.deepEqual(ranges(a), [[5, 10]]);
  a.advance(100);
  assert.ok(a.isEmpty());
});

test('SACK blocks come most recently grown first and exclude the front', () => {
  const a = new Assembler(8);
  a.add(10, 5); // A
  a.add(30, 5); // B
  a.add(50, 5); // C
  const out = new Float64Array(8);
  assert.equal(a.sackBlocks(out, 4), 3);
  assert.deepEqual([...out.subarray(0, 6)], [50, 55, 30, 35, 10, 15]);
  a.add(35, 2); // B grows: now first
  assert.equal(a.sackBlocks(out, 2), 2);
  assert.deepEqual([...out.subarray(0, 4)], [30, 37, 50, 55]);
  a.add(0, 3); // front range: acknowledged, not a SACK block
  assert.equal(a.sackBlocks(out, 4), 3);
  assert.deepEqual([...out.subarray(0, 6)], [30, 37, 50, 55, 10, 15]);
  a.clear();
  assert.equal(a.sackBlocks(out, 4), 0);
});

test('property: random adds agree with a byte-map model', () => {
  const W = 200;
  for (let seed = 1; seed <= 30; seed++) {
    const rng = new Prng(seed);
    const maxHoles = 1 + rng.nextInt(6);
    const a = new Assembler(maxHoles);
    let have = new Array<boolean>(W * 2).fill(false);
    for (let step = 0; step < 400; step++) {
      const op = rng.nextInt(10);
      if (op < 7) {
        const off = rng.nextInt(W) - 10;
        const len = rng.nextInt(30);
        const trial = have.slice();
        for (let i = Math.max(0, off); i < off + len; i++) trial[i] = true;
        const wantHoles = modelRanges(trial).filter(([s]) => s > 0).length;
        const err = a.add(off, len);
        if (wantHoles > maxHoles) {
          assert.equal(err, StoreErr.TooManyHoles, `seed ${seed} step ${step}`);
        } else {
          assert.equal(err, StoreErr.Ok, `seed ${seed} step ${step}`);
          have = trial;
        }
      } else if (op < 9) {
        const k = a.removeFront();
        let want = 0;
        while (have[want]) want++;
        assert.equal(k, want);
        have = have.slice(k).concat(new Array<boolean>(k).fill(false));
      } else {
        const k = rng.nextInt(20);
        a.advance(k);
        have = have.slice(k).concat(new Array<boolean>(k).fill(false));
      }
      assert.deepEqual(ranges(a), modelRanges(have), `seed ${seed} step ${step}`);
      assert.ok(a.holeCount <= maxHoles);
    }
  }
});

function modelRanges(have: boolean[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  while (i < have.length) {
    if (!have[i]) {
      i++;
      continue;
    }
    const s = i;
    while (i < have.length && have[i]) i++;
    out.push([s, i]);
  }
  return out;
}
