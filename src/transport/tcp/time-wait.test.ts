import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeWaitTable, type TimeWaitInit } from './time-wait.js';

function entry(i: number): TimeWaitInit {
  return {
    localAddr: 0xc6336401, localPort: 10000 + (i % 50000), remoteAddr: 0xc633640b + Math.floor(i / 50000), remotePort: 80,
    sndNxt: (0xfffffff0 + i) >>> 0, rcvNxt: i, window: 512, rcvWscale: 7, tsOk: true, tsRecent: 0x90000000 + i,
    tsRecentAt: 0, tsOffset: 0, reuseAddr: false, portHeld: i % 2 === 0,
  };
}

test('entries are found by 4-tuple through growth, removal and reuse of their slots; fields read back unsigned', () => {
  const t = new TimeWaitTable<object>(1 << 20);
  const idx: number[] = [];
  for (let i = 0; i < 5000; i++) idx.push(t.insert(entry(i), null, 1000 + i));
  assert.equal(t.size, 5000);
  for (let i = 0; i < 5000; i += 2) t.remove(idx[i]!);
  assert.equal(t.size, 2500);
  for (let i = 0; i < 5000; i++) {
    const e = entry(i);
    const k = t.find(e.localAddr, e.localPort, e.remoteAddr, e.remotePort);
    if (i % 2 === 0) assert.equal(k, -1);
    else {
      assert.equal(k, idx[i]);
      assert.equal(t.sndNxt(k), e.sndNxt);
      assert.equal(t.localAddr(k), e.localAddr);
      assert.equal(t.tsRecent(k), e.tsRecent);
      assert.equal(t.window(k), 512);
    }
  }
  // Ports: only entries whose socket held its port count; removed ones no longer do.
  assert.equal(t.portUsed(10000), false, 'entry 0 held it and is gone');
  assert.equal(t.portUsed(10001), false, 'entry 1 never held it');
  const again = t.insert(entry(0), null, 9000);
  assert.equal(t.portUsed(10000), true);
  assert.equal(t.portConflict(10000, 0xc6336401, false), true);
  assert.equal(t.portConflict(10000, 0xc6336402, false), false, 'another address');
  t.remove(again);
  assert.equal(t.portUsed(10000), false);
  // 8192 slots of 80 bytes, their hash buckets, and the port heads (256 KiB, once).
  assert.equal(t.bytesAllocated, 8192 * 80 + 8192 * 4 + 65536 * 4);
});

test('expiry is FIFO by deadline: rearm moves an entry to its new place, an older clock walks back', () => {
  const t = new TimeWaitTable<object>(100);
  const a = t.insert(entry(1), null, 100);
  const b = t.insert(entry(2), null, 200);
  const c = t.insert(entry(3), null, 300);
  assert.equal(t.nextExpiry(), 100);
  t.rearm(a, 400);
  assert.equal(t.nextExpiry(), 200);
  // A caller with an older clock: the entry goes before the later ones.
  const d = t.insert(entry(4), null, 250);
  const order: number[] = [];
  for (let i; (i = t.due(1000)) >= 0; ) {
    order.push(i);
    t.remove(i);
  }
  assert.deepEqual(order, [b, d, c, a]);
  assert.equal(t.due(1000), -1);
  assert.equal(t.nextExpiry(), Infinity);
  // A full table refuses.
  const small = new TimeWaitTable<object>(2);
  assert.ok(small.insert(entry(1), null, 1) >= 0);
  assert.ok(small.insert(entry(2), null, 1) >= 0);
  assert.equal(small.insert(entry(3), null, 1), -1);
});
