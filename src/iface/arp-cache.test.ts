import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArpCache, type NeighEntry, type NeighIo, NeighState, defaultArpConfig } from './arp-cache.js';
import { newSnmpCounters } from './counters.js';
import type { Interface } from './interface.js';

const IFACE = { name: 'eth0', dev: { maxFrameLen: 64 } } as unknown as Interface;

class FakeIo implements NeighIo {
  requests: [number, number, number][] = [];
  flushed: number[] = [];
  failed: number[] = [];
  sendArpRequest(_i: Interface, ip: number, dstMac: number, now: number): void {
    this.requests.push([ip, dstMac, now]);
  }
  /** Each flushed frame as "first byte:last byte:length". */
  frames: string[] = [];
  flushQueued(_e: NeighEntry, buf: Uint8Array, off: number, len: number): void {
    this.flushed.push(buf[off]!);
    this.frames.push(`${buf[off]}:${buf[off + len - 1]}:${len}`);
  }
  failQueued(_e: NeighEntry, buf: Uint8Array, off: number): void {
    this.failed.push(buf[off]!);
  }
}

function make(patch: Partial<ReturnType<typeof defaultArpConfig>> = {}) {
  const io = new FakeIo();
  const counters = newSnmpCounters().Arp;
  const cache = new ArpCache({ ...defaultArpConfig(), ...patch }, counters, io);
  return { io, counters, cache };
}

function hold(cache: ArpCache, e: NeighEntry, tag: number): void {
  const at = cache.queueSlot(e, 10);
  e.qBuf[at] = tag;
  cache.queueCommit(e, 10);
}

test('resolve starts INCOMPLETE with a broadcast request; a solicited update flushes held frames in order', () => {
  const { io, cache, counters } = make({ queueLen: 2 });
  const e = cache.resolve(IFACE, 7, 100)!;
  assert.equal(e.state, NeighState.Incomplete);
  assert.deepEqual(io.requests, [[7, 0, 100]]);
  hold(cache, e, 1);
  hold(cache, e, 2);
  hold(cache, e, 3);
  assert.equal(counters.UnresolvedDiscards, 1);
  assert.equal(cache.resolve(IFACE, 7, 150), e, 'a second resolve reuses the entry, no new request');
  assert.equal(io.requests.length, 1);
  cache.update(IFACE, 7, 0xaabb, true, false, 200);
  assert.deepEqual(io.flushed, [2, 3]);
  assert.equal(e.state, NeighState.Reachable);
  assert.equal(e.mac, 0xaabb);
  assert.equal(cache.nextDeadline(), 200 + 30_000);
});

test('an INCOMPLETE entry retries every retransMs and fails after mcastProbes', () => {
  const { io, cache, counters } = make({ mcastProbes: 3, retransMs: 1000 });
  const e = cache.resolve(IFACE, 9, 0)!;
  hold(cache, e, 5);
  assert.equal(cache.poll(999), 0);
  assert.equal(cache.poll(1000), 1);
  assert.equal(cache.poll(2000), 1);
  assert.equal(io.requests.length, 3);
  assert.equal(cache.poll(3000), 1);
  assert.deepEqual(io.failed, [5]);
  assert.equal(cache.size, 0);
  assert.equal(counters.ResFailed, 1);
  assert.equal(cache.nextDeadline(), Infinity);
});

test('an unsolicited update creates a STALE entry only when asked to', () => {
  const { cache } = make();
  cache.update(IFACE, 1, 0x11, false, false, 0);
  assert.equal(cache.lookup(IFACE, 1), null);
  cache.update(IFACE, 1, 0x11, false, true, 0);
  assert.equal(cache.lookup(IFACE, 1)!.state, NeighState.Stale);
  cache.update(IFACE, 1, 0x22, true, false, 5);
  assert.equal(cache.lookup(IFACE, 1)!.state, NeighState.Reachable);
  cache.update(IFACE, 1, 0x33, false, false, 6);
  const e = cache.lookup(IFACE, 1)!;
  assert.equal(e.state, NeighState.Stale, 'a changed address without confirmation is STALE');
  assert.equal(e.mac, 0x33);
});

test('a full table evicts the least recently used STALE entry, else refuses', () => {
  const { cache, counters } = make({ maxEntries: 2 });
  cache.update(IFACE, 1, 0x11, false, true, 0);
  cache.update(IFACE, 2, 0x22, false, true, 10);
  assert.ok(cache.resolve(IFACE, 3, 20));
  assert.equal(cache.lookup(IFACE, 1), null, 'the older STALE entry went');
  assert.ok(cache.lookup(IFACE, 2));
  cache.resolve(IFACE, 2, 30); // now DELAY: not evictable
  assert.equal(cache.resolve(IFACE, 4, 40), null);
  assert.equal(counters.TableFulls, 1);
});

test('entries are pooled: a removed entry is reused with a clean state', () => {
  const { cache } = make({ mcastProbes: 1, retransMs: 10 });
  const e1 = cache.resolve(IFACE, 1, 0)!;
  cache.poll(10);
  const e2 = cache.resolve(IFACE, 2, 20)!;
  assert.equal(e2, e1);
  assert.equal(e2.ip, 2);
  assert.equal(e2.qCount, 0);
  assert.match(cache.format(), /^0\.0\.0\.2 dev eth0 INCOMPLETE\n$/);
});

test('the hold queue is bounded by bytes too: frames of mixed sizes wrap around the byte ring, the oldest dropped, the rest flushed intact in order', () => {
  const iface = { name: 'eth0', dev: { maxFrameLen: 100 } } as unknown as Interface;
  const { io, cache, counters } = make({ queueLen: 16, queueBytes: 250 });
  const e = cache.resolve(iface, 7, 0)!;
  const sizes = [90, 60, 100, 30, 80, 20, 70];
  for (let k = 0; k < sizes.length; k++) {
    const len = sizes[k]!;
    const at = cache.queueSlot(e, len);
    assert.ok(at >= 0 && at + len <= 250, `frame ${k} placed at ${at}`);
    e.qBuf.fill(k + 1, at, at + len);
    cache.queueCommit(e, len);
  }
  // Held at the end: the newest frames that fit 250 bytes in the ring, each one whole.
  cache.update(iface, 7, 0xaabb, true, false, 10);
  assert.deepEqual(io.frames, ['4:4:30', '5:5:80', '6:6:20', '7:7:70']);
  assert.equal(counters.UnresolvedDiscards, 3);
});

test('the default hold queue keeps a burst of 64 SYN-sized frames (Linux holds 101)', () => {
  const iface = { name: 'eth0', dev: { maxFrameLen: 1514 } } as unknown as Interface;
  const { io, cache, counters } = make();
  const e = cache.resolve(iface, 7, 0)!;
  for (let k = 0; k < 64; k++) hold(cache, e, k);
  cache.update(iface, 7, 0xaabb, true, false, 10);
  assert.equal(io.flushed.length, 64);
  assert.deepEqual(io.flushed, Array.from({ length: 64 }, (_, k) => k));
  assert.equal(counters.UnresolvedDiscards, 0);
});
