import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatagramQueue, newUdpPeerInfo } from './datagram-queue.js';

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

test('datagrams come out in order with their source, and the queue refuses past its limits', () => {
  const q = new DatagramQueue(100, 3);
  assert.ok(q.push(bytes(40, 1), 0, 40, 1, 11, 9));
  assert.ok(q.push(bytes(40, 2), 0, 40, 2, 22, 9));
  assert.equal(q.push(bytes(40, 3), 0, 40, 3, 33, 9), false, 'bytes');
  assert.ok(q.push(bytes(0, 0), 0, 0, 4, 44, 9));
  assert.equal(q.push(bytes(1, 0), 0, 1, 5, 55, 9), false, 'count');
  const out = new Uint8Array(100);
  const from = newUdpPeerInfo();
  assert.equal(q.shift(out, 0, 100, from), 40);
  assert.deepEqual(out.subarray(0, 40), bytes(40, 1));
  assert.deepEqual(from, { address: 1, port: 11, localAddress: 9, size: 40, truncated: false });
  assert.equal(q.shift(out, 0, 10, from), 40);
  assert.equal(from.truncated, true);
  assert.equal(q.shift(out, 0, 100, from), 0);
  assert.equal(from.port, 44);
  assert.equal(q.shift(out, 0, 100, from), -1);
});

test('a model check: random pushes and shifts agree with an array of copies', () => {
  const q = new DatagramQueue(1000, 16);
  const model: Uint8Array[] = [];
  let used = 0;
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const out = new Uint8Array(1000);
  for (let step = 0; step < 20000; step++) {
    if (rnd(2) === 0) {
      const n = rnd(5) === 0 ? 0 : rnd(400);
      const d = bytes(n, step);
      const ok = q.push(d, 0, n, step, step & 0xffff, 0);
      if (ok) {
        model.push(d);
        used += n;
      } else {
        // It may refuse only for a real reason: count, or bytes (the ring wastes at most one datagram's worth at the wrap).
        assert.ok(model.length === 16 || used + n > 1000 - 400 || n > 1000 - used, `refused ${n} with ${used} used, ${model.length} queued`);
      }
    } else {
      const n = q.shift(out, 0, 1000, null);
      const m = model.shift();
      if (m === undefined) assert.equal(n, -1);
      else {
        assert.equal(n, m.length);
        assert.deepEqual(out.subarray(0, n), m);
        used -= n;
      }
    }
    assert.equal(q.length, model.length);
    assert.equal(q.bytes, used);
  }
});
