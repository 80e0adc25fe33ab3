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
  flushQueued(_e: NeighEntry, buf: Uint8Array, off: number): void {
    this.flushed.push(buf[off]!);
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
