import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SACK_SLOTS, SackScoreboard } from './sack.js';
import { newTcpRepr } from '../../wire/tcp.js';

function blocks(...b: [number, number][]): ReturnType<typeof newTcpRepr> {
  const r = newTcpRepr();
  b.forEach(([l, e], i) => {
    r.sackBlocks[2 * i] = l >>> 0;
    r.sackBlocks[2 * i + 1] = e >>> 0;
  });
  r.sackCount = b.length;
  return r;
}

test('update merges blocks, clips at SND.UNA, ignores blocks outside (SND.UNA, SND.MAX] and counts new bytes', () => {
  const sb = new SackScoreboard();
  assert.equal(sb.update(blocks([200, 300], [100, 150]), 100, 1000), 150);
  assert.equal(sb.update(blocks([150, 200]), 100, 1000), 50); // joins both
  assert.equal(sb.count, 1);
  assert.equal(sb.update(blocks([50, 120], [900, 2000], [10, 20]), 100, 1000), 0);
  assert.equal(sb.update(blocks([400, 500]), 100, 1000), 100);
  assert.deepEqual([sb.rangeStart(1), sb.rangeEnd(1)], [400, 500]);
  sb.advance(450);
  assert.equal(sb.count, 1);
  assert.deepEqual([sb.rangeStart(0), sb.rangeEnd(0)], [450, 500]);
});

test('wraps around 2^32', () => {
  const sb = new SackScoreboard();
  const una = 0xffff_ff00;
  assert.equal(sb.update(blocks([0xffff_ff80, 0x80]), una, 0x1000), 0x100);
  assert.ok(sb.isSacked(0x10));
  assert.ok(!sb.isSacked(0xffff_ff10));
});

test('IsLost: three ranges above, or more than 2 × SMSS SACKed above (RFC 6675 §4)', () => {
  const sb = new SackScoreboard();
  sb.update(blocks([1100, 1200]), 1000, 10_000);
  assert.ok(!sb.isLost(1000, 1000, 100));
  sb.update(blocks([1300, 1400], [1500, 1600]), 1000, 10_000);
  assert.ok(sb.isLost(1000, 1000, 100));
  assert.ok(!sb.isLost(1200, 1000, 100)); // two ranges, 200 bytes above it: not more than 2 × SMSS
  const big = new SackScoreboard();
  big.update(blocks([2000, 2250]), 1000, 10_000);
  assert.ok(big.isLost(1000, 1000, 100)); // 250 > 200 bytes above
  assert.ok(!big.isLost(1000, 1000, 125)); // 250 = 2 × 125: not more than
});

test('pipe counts un-SACKed bytes not presumed lost, plus retransmitted ones (RFC 6675 §4 SetPipe)', () => {
  const sb = new SackScoreboard();
  // 10 segments of 100 from 0; 0 and 2 missing.
  sb.update(blocks([100, 200], [300, 1000]), 0, 1000);
  assert.equal(sb.pipe(0, 1000, 0, 100), 0);
  assert.equal(sb.pipe(0, 1000, 100, 100), 100);
  assert.equal(sb.pipe(0, 1200, 300, 100), 200 + 200); // two new segments + two retransmitted
  assert.ok(sb.nextLostHole(0, 0, 100));
  assert.deepEqual([sb.holeStart, sb.holeEnd], [0, 100]);
  assert.ok(sb.nextLostHole(100, 0, 100));
  assert.deepEqual([sb.holeStart, sb.holeEnd], [200, 300]);
  assert.ok(!sb.nextLostHole(300, 0, 100));
});

test('a full scoreboard ignores new ranges instead of growing', () => {
  const sb = new SackScoreboard();
  for (let i = 0; i < SACK_SLOTS + 5; i++) sb.update(blocks([100 + 20 * i, 110 + 20 * i]), 0, 100_000);
  assert.equal(sb.count, SACK_SLOTS);
});
