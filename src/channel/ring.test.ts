import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChanErr } from './errors.js';
import { Ring, checkRingSpec, createRing, newRingDesc, ringByteLength, RING_HEADER_BYTES } from './ring.js';

test('createRing rejects sizes that are not powers of two', () => {
  for (const size of [0, 1, 3, 6, 100, 2.5, -4, 1 << 25]) assert.throws(() => createRing(size), { name: 'RangeError', code: 'EINVAL' }, `size ${size}`);
  assert.equal(ringByteLength(8), RING_HEADER_BYTES + 8 * 16);
});

test('checkRingSpec accepts a ring and rejects what is not one', () => {
  const spec = createRing(8);
  assert.equal(checkRingSpec(spec), ChanErr.Ok);
  assert.equal(checkRingSpec({ ...spec, size: 16 }), ChanErr.BadSpec);
  assert.equal(checkRingSpec({ ...spec, byteOffset: 64 }), ChanErr.BadSpec);
  assert.equal(checkRingSpec({ buffer: new SharedArrayBuffer(ringByteLength(8)), byteOffset: 0, size: 8 }), ChanErr.BadSpec);
  assert.throws(() => new Ring({ buffer: new ArrayBuffer(4), byteOffset: 0, size: 8 }), { name: 'RangeError', code: 'EINVAL' });
});

test('a ring can live at an offset inside a larger buffer', () => {
  const buffer = new SharedArrayBuffer(128 + ringByteLength(4));
  const spec = createRing(4, { buffer, byteOffset: 128 });
  const r = new Ring(spec);
  assert.equal(r.push(1, 2, 3, 4), ChanErr.Ok);
  const d = newRingDesc();
  assert.equal(Ring.attach(spec).pop(d), ChanErr.Ok);
  assert.deepEqual(d, { offset: 1, length: 2, flags: 3, user: 4 });
  assert.throws(() => createRing(4, { buffer, byteOffset: 64 }), { name: 'RangeError', code: 'EINVAL' });
});

test('push/pop is FIFO; the ring reports full at size and empty after', () => {
  const r = new Ring(createRing(8));
  const d = newRingDesc();
  assert.equal(r.pop(d), ChanErr.Empty);
  assert.equal(r.isEmpty(), true);
  for (let i = 0; i < 8; i++) assert.equal(r.push(i * 2048, 60 + i, i & 1, 1000 + i), ChanErr.Ok);
  assert.equal(r.push(0, 0, 0, 0), ChanErr.Full);
  assert.equal(r.produceReserve(1), 0);
  assert.equal(r.count(), 8);
  for (let i = 0; i < 8; i++) {
    assert.equal(r.pop(d), ChanErr.Ok);
    assert.deepEqual(d, { offset: i * 2048, length: 60 + i, flags: i & 1, user: 1000 + i });
  }
  assert.equal(r.pop(d), ChanErr.Empty);
  assert.equal(r.count(), 0);
});

test('descriptor words keep full u32 values', () => {
  const r = new Ring(createRing(2));
  r.push(0xffff_ffff, 0x8000_0000, 0xdead_beef, 0);
  const d = newRingDesc();
  r.pop(d);
  assert.deepEqual(d, { offset: 0xffff_ffff, length: 0x8000_0000, flags: 0xdead_beef, user: 0 });
});

test('produceReserve grants at most the free slots; a partial burst publishes only what was written', () => {
  const r = new Ring(createRing(8));
  assert.equal(r.produceReserve(5), 5);
  for (let i = 0; i < 5; i++) r.setDesc(i, i, 0, 0, i);
  r.producePublish(5);
  assert.equal(r.produceReserve(10), 3);
  r.setDesc(0, 5, 0, 0, 5);
  r.producePublish(1); // reserved 3, wrote 1
  assert.equal(r.consumePeek(32), 6);
  assert.equal(r.peekUser(5), 5);
  r.consumeRelease(4);
  assert.equal(r.consumePeek(32), 2);
  assert.equal(r.produceReserve(8), 6);
});

test('wrap-around: thousands of bursts through a 4-slot ring arrive in order', () => {
  const r = new Ring(createRing(4));
  let sent = 0;
  let got = 0;
  for (let round = 0; round < 5000; round++) {
    const k = r.produceReserve(1 + (round % 4));
    for (let i = 0; i < k; i++) r.setDesc(i, sent + i, 0, 0, sent + i);
    r.producePublish(k);
    sent += k;
    const m = r.consumePeek(1 + (round % 3));
    for (let i = 0; i < m; i++) assert.equal(r.peekUser(i), got + i);
    r.consumeRelease(m);
    got += m;
  }
  // The consumer's cached view may show fewer than are there; peek again until empty.
  for (let m = r.consumePeek(8); m > 0; m = r.consumePeek(8)) {
    for (let i = 0; i < m; i++) assert.equal(r.peekUser(i), got + i);
    r.consumeRelease(m);
    got += m;
  }
  assert.equal(got, sent);
  assert.ok(sent > 4 * 1000);
});

test('wrap-around of the 32-bit indices keeps counts and order right', () => {
  const r = new Ring(createRing(8, { startIndex: 0xffff_fff0 }));
  const d = newRingDesc();
  let next = 0;
  for (let i = 0; i < 64; i++) {
    assert.equal(r.push(0, 0, 0, i), ChanErr.Ok);
    if (i % 2 === 1) {
      assert.equal(r.count(), 2);
      assert.equal(r.pop(d), ChanErr.Ok);
      assert.equal(d.user, next++);
      assert.equal(r.pop(d), ChanErr.Ok);
      assert.equal(d.user, next++);
    }
  }
  // Fill completely across the wrap point, then drain.
  for (let i = 0; i < 8; i++) assert.equal(r.push(0, 0, 0, 100 + i), ChanErr.Ok);
  assert.equal(r.push(0, 0, 0, 0), ChanErr.Full);
  for (let i = 0; i < 8; i++) {
    assert.equal(r.pop(d), ChanErr.Ok);
    assert.equal(d.user, 100 + i);
  }
  assert.equal(r.pop(d), ChanErr.Empty);
});

test('two handles on one spec (producer and consumer attached separately) see each other', () => {
  const spec = createRing(4);
  const p = new Ring(spec);
  p.push(1, 1, 1, 1);
  const c = Ring.attach(spec); // attaches mid-stream: sees the descriptor already there
  assert.equal(c.consumePeek(4), 1);
  c.consumeRelease(1);
  for (let i = 0; i < 4; i++) assert.equal(p.push(0, 0, 0, i), ChanErr.Ok);
  assert.equal(p.push(0, 0, 0, 9), ChanErr.Full);
  assert.equal(c.consumePeek(8), 4);
});

test('a one-thread ring works on a plain ArrayBuffer; waiting says NotShared', () => {
  const spec = createRing(4, { shared: false });
  assert.ok(spec.buffer instanceof ArrayBuffer);
  const r = new Ring(spec);
  assert.equal(r.push(7, 8, 9, 10), ChanErr.Ok);
  const d = newRingDesc();
  assert.equal(r.pop(d), ChanErr.Ok);
  assert.equal(d.user, 10);
  assert.equal(r.consumeWaitSync(10), ChanErr.NotShared);
});

test('need-wakeup: a consumer that is not sleeping gets no notify', () => {
  const r = new Ring(createRing(64));
  for (let i = 0; i < 1000; i++) {
    if (r.produceReserve(1) === 0) r.consumeRelease(r.consumePeek(64));
    r.setDesc(0, 0, 0, 0, i);
    assert.equal(r.producePublish(1), false);
  }
  assert.equal(r.wakeups, 0);
});

test('need-wakeup: an armed consumer is woken once by the next publish, not by later ones', () => {
  const r = new Ring(createRing(8));
  assert.equal(r.consumeArm(), true);
  assert.equal(r.bell.isArmed(), true);
  assert.equal(r.push(0, 0, 0, 1), ChanErr.Ok);
  assert.equal(r.wakeups, 1);
  assert.equal(r.bell.isArmed(), false);
  r.push(0, 0, 0, 2);
  r.push(0, 0, 0, 3);
  assert.equal(r.wakeups, 1);
});

test('need-wakeup: arming a non-empty ring fails and leaves the flag down', () => {
  const r = new Ring(createRing(8));
  r.push(0, 0, 0, 1);
  assert.equal(r.consumeArm(), false);
  assert.equal(r.bell.isArmed(), false);
  r.push(0, 0, 0, 2);
  assert.equal(r.wakeups, 0);
});

test('consumeWaitSync times out on an empty ring and lowers the flag', () => {
  const r = new Ring(createRing(8));
  assert.equal(r.consumeWaitSync(5), ChanErr.TimedOut);
  assert.equal(r.bell.isArmed(), false);
  r.push(0, 0, 0, 1);
  assert.equal(r.wakeups, 0);
  assert.equal(r.consumeWaitSync(5), ChanErr.Ok);
});

test('consumeWaitAsync: a sleeping consumer in this thread is woken by a publish', async () => {
  const r = new Ring(createRing(8));
  const woke = r.consumeWaitAsync(10_000);
  assert.equal(r.bell.isArmed(), true);
  setTimeout(() => r.push(0, 0, 0, 42), 5);
  assert.equal(await woke, ChanErr.Ok);
  assert.equal(r.wakeups, 1);
  assert.equal(r.peekUser(0), 42);
  // Not sleeping now: more publishes, no more notifies.
  r.push(0, 0, 0, 43);
  assert.equal(r.wakeups, 1);
});

test('consumeWaitAsync resolves at once when the ring is not empty, and Closed after close', async () => {
  const r = new Ring(createRing(8));
  r.push(0, 0, 0, 1);
  assert.equal(await r.consumeWaitAsync(10_000), ChanErr.Ok);
  r.consumeRelease(1);
  const pending = r.consumeWaitAsync(10_000);
  r.close();
  assert.equal(await pending, ChanErr.Closed);
  assert.equal(r.isClosed(), true);
  assert.equal(r.consumeWaitSync(10_000), ChanErr.Closed);
});
