import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Millis } from '../time.js';
import { type FrameSink, type LinkDevice, newLinkStats, transmitCopy } from './device.js';
import { type FaultInjectorOptions, faultInjector } from './fault-injector.js';

/** A queue-backed fake device: `inject` queues a received frame, `sent` logs transmitted ones. */
class FakeLink implements LinkDevice {
  readonly name = 'fake0';
  readonly maxFrameLen = 1514;
  readonly stats = newLinkStats();
  readonly txBytes = new Uint8Array(1514);
  readonly rxQueue: Uint8Array[] = [];
  readonly sent: Array<{ bytes: Uint8Array; now: Millis }> = [];
  closed = false;
  inject(frame: Uint8Array): void {
    this.rxQueue.push(frame.slice());
  }
  receive(sink: FrameSink, budget: number, now: Millis): number {
    let n = 0;
    while (n < budget && this.rxQueue.length > 0) {
      const f = this.rxQueue.shift()!;
      sink.onFrame(f, 0, f.length, now);
      n++;
    }
    return n;
  }
  transmitBegin(len: number): number {
    return this.closed || len > this.maxFrameLen ? -1 : 0;
  }
  transmitCommit(off: number, len: number, now: Millis): void {
    this.sent.push({ bytes: this.txBytes.slice(off, off + len), now });
  }
  setRxNotify(): void {}
  pollAt(): Millis {
    return Infinity;
  }
  close(): void {
    this.closed = true;
  }
}

/** Return a `len`-byte frame numbered `i` (big-endian in its first four bytes), the rest a pattern. */
function frame(i: number, len = 64): Uint8Array {
  const f = new Uint8Array(len);
  for (let k = 4; k < len; k++) f[k] = (i * 7 + k) & 0xff;
  f[0] = i >>> 24;
  f[1] = (i >>> 16) & 0xff;
  f[2] = (i >>> 8) & 0xff;
  f[3] = i & 0xff;
  return f;
}

function idOf(f: Uint8Array): number {
  return ((f[0]! << 24) | (f[1]! << 16) | (f[2]! << 8) | f[3]!) >>> 0;
}

/** Send frames 0..count-1, one every `gap` ms, releasing held frames as time passes; drain at the end. */
function run(opts: FaultInjectorOptions, count: number, gap = 1, len = 64): { link: FakeLink; out: Array<{ bytes: Uint8Array; now: Millis }>; dev: ReturnType<typeof faultInjector> } {
  const link = new FakeLink();
  const dev = faultInjector(link, opts);
  let now = 0;
  for (let i = 0; i < count; i++) {
    now = i * gap;
    while (dev.pollAt() <= now) dev.poll(dev.pollAt());
    const f = frame(i, len);
    transmitCopy(dev, f, 0, f.length, now);
  }
  for (let guard = 0; guard < 1_000_000 && dev.pollAt() < Infinity; guard++) dev.poll(dev.pollAt());
  return { link, out: link.sent, dev };
}

test('with every fault off, every frame passes at once, byte-exact and in order', () => {
  const { out, dev } = run({ seed: 5 }, 10_000);
  assert.equal(out.length, 10_000);
  out.forEach((s, i) => {
    assert.deepEqual(s.bytes, frame(i));
    assert.equal(s.now, i);
  });
  assert.equal(dev.stats.txFrames, 10_000);
  assert.equal(dev.stats.txDropped, 0);
  assert.equal(dev.pollAt(), Infinity);
});

test('the same seed gives identical behaviour; another seed does not', () => {
  const opts = { tx: { loss: 0.1, duplicate: 0.05, corrupt: 0.05, reorder: 0.1, reorderDelay: 3, delay: 2, jitter: 1.5 } };
  const a = run({ ...opts, seed: 99 }, 2000);
  const b = run({ ...opts, seed: 99 }, 2000);
  const c = run({ ...opts, seed: 100 }, 2000);
  assert.deepEqual(a.out, b.out);
  assert.deepEqual(a.dev.txFaults, b.dev.txFaults);
  assert.notDeepEqual(a.out, c.out);
});

test('the loss rate is near the setting over 100k frames', () => {
  const { out, dev } = run({ seed: 3, tx: { loss: 0.1 } }, 100_000);
  const lost = 100_000 - out.length;
  assert.equal(dev.txFaults.lost, lost);
  assert.equal(dev.stats.txDropped, lost);
  assert.ok(lost > 9_000 && lost < 11_000, `lost ${lost}`);
  // The survivors are intact and in order.
  let last = -1;
  for (const s of out) {
    const id = idOf(s.bytes);
    assert.ok(id > last);
    last = id;
  }
});

test('delayed frames are released exactly at their due time and not before', () => {
  const link = new FakeLink();
  const dev = faultInjector(link, { tx: { delay: 10 } });
  transmitCopy(dev, frame(1), 0, 64, 0);
  transmitCopy(dev, frame(2), 0, 64, 2.5);
  assert.equal(link.sent.length, 0);
  assert.equal(dev.heldFrames('tx'), 2);
  assert.equal(dev.pollAt(), 10);
  assert.equal(dev.poll(9.999), 0);
  assert.equal(link.sent.length, 0);
  // receive() releases due frames too.
  assert.equal(dev.receive({ onFrame() {} }, 8, 10), 0);
  assert.deepEqual(link.sent.map((s) => [idOf(s.bytes), s.now]), [[1, 10]]);
  assert.equal(dev.pollAt(), 12.5);
  assert.equal(dev.poll(12.5), 1);
  assert.deepEqual(link.sent.map((s) => [idOf(s.bytes), s.now]), [[1, 10], [2, 12.5]]);
  assert.equal(dev.pollAt(), Infinity);
  assert.equal(dev.txFaults.delayed, 2);
});

test('reordering changes the order but loses nothing', () => {
  const { out, dev } = run({ seed: 11, tx: { reorder: 0.2, reorderDelay: 5 } }, 1000);
  const ids = out.map((s) => idOf(s.bytes));
  assert.equal(ids.length, 1000);
  assert.deepEqual([...ids].sort((x, y) => x - y), ids.map((_, i) => i));
  assert.notDeepEqual(ids, ids.map((_, i) => i));
  assert.ok(dev.txFaults.reordered > 100 && dev.txFaults.reordered < 300);
  // A reordered frame leaves reorderDelay after it was sent.
  for (const s of out) {
    const late = s.now - idOf(s.bytes);
    assert.ok(late === 0 || late === 5, `frame ${idOf(s.bytes)} sent at ${s.now}`);
  }
});

test('duplication sends a second identical copy right after the first', () => {
  const { out, dev } = run({ seed: 2, tx: { duplicate: 0.25 } }, 1000);
  const dups = dev.txFaults.duplicated;
  assert.equal(out.length, 1000 + dups);
  assert.ok(dups > 150 && dups < 350, `dups ${dups}`);
  let seen = 0;
  for (let i = 1; i < out.length; i++) {
    if (idOf(out[i]!.bytes) === idOf(out[i - 1]!.bytes)) {
      assert.deepEqual(out[i]!.bytes, out[i - 1]!.bytes);
      seen++;
    }
  }
  assert.equal(seen, dups);
});

test('corruption flips exactly one bit of the frame', () => {
  const { out, dev } = run({ seed: 4, tx: { corrupt: 1 } }, 200);
  assert.equal(dev.txFaults.corrupted, 200);
  out.forEach((s, i) => {
    const want = frame(i);
    let bits = 0;
    for (let k = 0; k < want.length; k++) {
      let x = want[k]! ^ s.bytes[k]!;
      while (x !== 0) {
        bits += x & 1;
        x >>>= 1;
      }
    }
    assert.equal(bits, 1, `frame ${i}`);
  });
});

test('jitter varies the delay within its bounds', () => {
  const { out } = run({ seed: 8, tx: { delay: 10, jitter: 4 } }, 500, 100);
  const delays = out.map((s) => s.now - idOf(s.bytes) * 100);
  assert.ok(delays.every((d) => d >= 6 - 1e-9 && d <= 14 + 1e-9));
  assert.ok(new Set(delays).size > 100);
});

test('the rate limiter spaces frames by their serialization time and tail-drops past its queue', () => {
  const link = new FakeLink();
  // 1 Mbit/s: a 1250-byte frame takes 10 ms.
  const dev = faultInjector(link, { tx: { rateBps: 1_000_000, rateQueue: 3 } });
  for (let i = 0; i < 5; i++) transmitCopy(dev, frame(i, 1250), 0, 1250, 0);
  assert.equal(dev.txFaults.rateDropped, 2);
  assert.equal(dev.stats.txDropped, 2);
  for (let guard = 0; guard < 10 && dev.pollAt() < Infinity; guard++) dev.poll(dev.pollAt());
  assert.deepEqual(link.sent.map((s) => [idOf(s.bytes), s.now]), [[0, 10], [1, 20], [2, 30]]);
  // After the queue drained, the line is free again: the next frame takes 10 ms from now.
  transmitCopy(dev, frame(9, 1250), 0, 1250, 100);
  assert.equal(dev.pollAt(), 110);
});

test('a full pool refuses transmitBegin; the caller counts the drop', () => {
  const link = new FakeLink();
  const dev = faultInjector(link, { poolFrames: 4, tx: { delay: 5 } });
  let ok = 0;
  for (let i = 0; i < 6; i++) if (transmitCopy(dev, frame(i), 0, 64, 0)) ok++;
  assert.equal(ok, 4);
  assert.equal(dev.stats.txDropped, 2);
  assert.equal(dev.txFaults.poolExhausted, 2);
  dev.poll(5);
  assert.equal(link.sent.length, 4);
  assert.ok(transmitCopy(dev, frame(7), 0, 64, 5), 'buffers come back after release');
  assert.equal(dev.transmitBegin(1515), -1);
});

test('receive-side faults: loss, delay and duplication, within budget', () => {
  const link = new FakeLink();
  const dev = faultInjector(link, { seed: 6, rx: { delay: 4, duplicate: 1 } });
  const got: Array<[number, Millis]> = [];
  const sink: FrameSink = { onFrame: (b, off, _len, now) => got.push([idOf(b.subarray(off)), now]) };
  link.inject(frame(1));
  link.inject(frame(2));
  assert.equal(dev.receive(sink, 8, 0), 2, 'both frames taken in, held');
  assert.deepEqual(got, []);
  assert.equal(dev.pollAt(), 4);
  assert.equal(dev.heldFrames('rx'), 4);
  assert.equal(dev.receive(sink, 3, 4), 3);
  assert.deepEqual(got, [[1, 4], [1, 4], [2, 4]]);
  assert.equal(dev.receive(sink, 3, 4), 1);
  assert.deepEqual(got.length, 4);
  assert.equal(dev.stats.rxFrames, 4);
  // Loss on receive.
  dev.configure('rx', { delay: 0, duplicate: 0, loss: 1 });
  link.inject(frame(3));
  assert.equal(dev.receive(sink, 8, 5), 1);
  assert.equal(got.length, 4);
  assert.equal(dev.stats.rxDropped, 1);
  assert.equal(dev.rxFaults.lost, 1);
  // Back to pass-through: the frame is lent straight from the inner device.
  dev.configure('rx', { loss: 0 });
  link.inject(frame(4));
  assert.equal(dev.receive(sink, 8, 6), 1);
  assert.deepEqual(got[4], [4, 6]);
});

test('receive-side corruption corrupts a copy, not the lender\'s bytes', () => {
  const link = new FakeLink();
  const dev = faultInjector(link, { seed: 1, rx: { corrupt: 1 } });
  const f = frame(5);
  link.inject(f);
  const lent = link.rxQueue[0]!;
  let seen: Uint8Array | null = null;
  dev.receive({ onFrame: (b, off, len) => (seen = b.slice(off, off + len)) }, 1, 0);
  assert.deepEqual(lent, f);
  assert.notDeepEqual(seen, f);
  assert.equal(dev.rxFaults.corrupted, 1);
});

test('invalid settings are refused; close drops held frames and closes the inner device', () => {
  const link = new FakeLink();
  assert.throws(() => faultInjector(link, { tx: { loss: 1.5 } }), RangeError);
  assert.throws(() => faultInjector(link, { tx: { delay: -1 } }), RangeError);
  assert.throws(() => faultInjector(link, { poolFrames: 0 }), RangeError);
  const dev = faultInjector(link, { tx: { delay: 5 } });
  assert.equal(dev.config('tx').delay, 5);
  transmitCopy(dev, frame(1), 0, 64, 0);
  dev.close();
  dev.close();
  assert.ok(link.closed);
  assert.equal(dev.pollAt(), Infinity);
  assert.equal(dev.transmitBegin(64), -1);
  assert.equal(dev.receive({ onFrame() {} }, 8, 10), 0);
  assert.equal(link.sent.length, 0);
});

test('bad fault settings throw a RangeError with the stable code EINVAL', () => {
  const inner = faultInjector(faultInjectorInnerForCodes());
  assert.throws(() => inner.configure('tx', { loss: 2 }), { name: 'RangeError', code: 'EINVAL' });
  assert.throws(() => faultInjector(faultInjectorInnerForCodes(), { poolFrames: 0 }), { name: 'RangeError', code: 'EINVAL' });
});

function faultInjectorInnerForCodes(): LinkDevice {
  return {
    name: 'x', maxFrameLen: 1514, stats: newLinkStats(), txBytes: new Uint8Array(1514),
    receive: () => 0, transmitBegin: () => -1, transmitCommit: () => {}, setRxNotify: () => {}, pollAt: () => Infinity, close: () => {},
  };
}
