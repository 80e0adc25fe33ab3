// Worker side of the channel stress tests. workerData.role picks what this thread does;
// the result (or the first error) is posted back once, at the end.

import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from '../../src/channel/arena.js';
import { ChannelConsumer, ChannelProducer, type NetChannelSpec } from '../../src/channel/channel.js';
import { ChanErr } from '../../src/channel/errors.js';
import { Ring, type RingSpec } from '../../src/channel/ring.js';

/** Return a seeded xorshift32 generator of integers in [1, max]. */
export function burstSizes(seed: number, max: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return 1 + ((s >>> 0) % max);
  };
}

/** The descriptor fields that sequence number `seq` carries. */
export function descOffset(seq: number): number {
  return Math.imul(seq, 0x9e3779b1) >>> 0;
}
export function descLength(seq: number): number {
  return (seq * 7) & 0xffff;
}
export function descFlags(seq: number): number {
  return (seq ^ 0x5a5a5a5a) >>> 0;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Back off after a long spin: sleep ~0.1 ms so a busy core can run the other side. */
function backoff(spins: number): number {
  if (spins < 2000) return spins + 1;
  Atomics.wait(pause, 0, 0, 0.1);
  return 0;
}

function produce(spec: RingSpec, total: number, seed: number, maxBurst: number): object {
  const r = new Ring(spec);
  const next = burstSizes(seed, maxBurst);
  let seq = 0;
  let spins = 0;
  while (seq < total) {
    const want = Math.min(next(), total - seq);
    const k = r.produceReserve(want);
    if (k === 0) {
      spins = backoff(spins);
      continue;
    }
    spins = 0;
    for (let i = 0; i < k; i++) {
      const s = seq + i;
      r.setDesc(i, descOffset(s), descLength(s), descFlags(s), s);
    }
    r.producePublish(k);
    seq += k;
  }
  return { sent: seq, wakeups: r.wakeups };
}

function consume(spec: RingSpec, total: number, seed: number, maxBurst: number, sleepy: boolean): object {
  const r = new Ring(spec);
  const next = burstSizes(seed, maxBurst);
  let seq = 0;
  let sleeps = 0;
  let spins = 0;
  while (seq < total) {
    const n = r.consumePeek(next());
    if (n === 0) {
      if (sleepy && ++spins > 200) {
        spins = 0;
        sleeps++;
        const code = r.consumeWaitSync(1000);
        if (code !== ChanErr.Ok && code !== ChanErr.TimedOut) return { error: `wait returned ${code}` };
      }
      continue;
    }
    for (let i = 0; i < n; i++) {
      const s = seq + i;
      const user = r.peekUser(i);
      if (user !== s || r.peekOffset(i) !== descOffset(s) || r.peekLength(i) !== descLength(s) || r.peekFlags(i) !== descFlags(s)) {
        return { error: `descriptor ${s}: got user=${user} offset=${r.peekOffset(i)} length=${r.peekLength(i)} flags=${r.peekFlags(i)}` };
      }
    }
    r.consumeRelease(n);
    seq += n;
  }
  // Exactly once: nothing may follow the last sequence number.
  const extra = r.consumePeek(1) !== 0 || r.count() !== 0;
  return { received: seq, sleeps, extra };
}

function sleeper(spec: RingSpec, rounds: number): object {
  const r = new Ring(spec);
  let woken = 0;
  for (let i = 0; i < rounds; i++) {
    const code = r.consumeWaitSync(10_000);
    if (code !== ChanErr.Ok) return { error: `round ${i}: wait returned ${code}` };
    // A wake with nothing to read would be a spurious wake: tolerate it but count it.
    if (r.consumePeek(1) === 0) {
      i--;
      continue;
    }
    if (r.peekUser(0) !== i) return { error: `round ${i}: got ${r.peekUser(0)}` };
    r.consumeRelease(1);
    woken++;
  }
  return { woken };
}

function framesProduce(spec: NetChannelSpec, total: number): object {
  const p = new ChannelProducer(spec, new Arena(spec.arena));
  const bytes = p.arena.bytes;
  let seq = 0;
  let spins = 0;
  while (seq < total) {
    let k = 0;
    while (k < 32 && seq + k < total && p.canSend()) {
      const off = p.alloc();
      if (off < 0) break;
      const s = seq + k;
      const len = 64 + (s % 1400);
      bytes[off] = s & 0xff;
      bytes[off + len - 1] = (s >>> 8) & 0xff;
      const code = p.send(off, len, 0, s);
      if (code !== ChanErr.Ok) return { error: `frame ${s}: send returned ${code}` };
      k++;
    }
    if (k === 0) {
      spins = backoff(spins);
      continue;
    }
    spins = 0;
    p.flush();
    seq += k;
  }
  return { sent: seq };
}

function framesConsume(spec: NetChannelSpec, total: number): object {
  const c = new ChannelConsumer(spec, new Arena(spec.arena));
  const bytes = c.arena.bytes;
  let seq = 0;
  let spins = 0;
  while (seq < total) {
    const n = c.peek(32);
    if (n === 0) {
      spins = backoff(spins);
      continue;
    }
    spins = 0;
    for (let i = 0; i < n; i++) {
      const off = c.offset(i);
      const len = c.length(i);
      const s = seq + i;
      if (c.user(i) !== s || len !== 64 + (s % 1400)) return { error: `frame ${s}: user ${c.user(i)} len ${len}` };
      if (bytes[off] !== (s & 0xff) || bytes[off + len - 1] !== ((s >>> 8) & 0xff)) return { error: `frame ${s}: bytes differ` };
      const code = c.recycle(off);
      if (code !== ChanErr.Ok) return { error: `frame ${s}: recycle returned ${code}` };
    }
    c.release(n);
    c.flushRecycled();
    seq += n;
  }
  return { received: seq };
}

function foreignOwner(spec: { arena: import('../../src/channel/arena.js').ArenaSpec; offset: number }): object {
  const a = new Arena(spec.arena);
  // Owner 2 tries to use and free a frame that owner 1 holds.
  return { pass: a.pass(spec.offset, 2, 3), release: a.release(spec.offset, 2), owner: a.ownerOf(spec.offset) };
}

const d = workerData as { role: string; [k: string]: unknown };
let result: object;
try {
  switch (d.role) {
    case 'produce':
      result = produce(d.spec as RingSpec, d.total as number, d.seed as number, d.maxBurst as number);
      break;
    case 'consume':
      result = consume(d.spec as RingSpec, d.total as number, d.seed as number, d.maxBurst as number, d.sleepy as boolean);
      break;
    case 'sleeper':
      result = sleeper(d.spec as RingSpec, d.rounds as number);
      break;
    case 'frames-produce':
      result = framesProduce(d.spec as NetChannelSpec, d.total as number);
      break;
    case 'frames-consume':
      result = framesConsume(d.spec as NetChannelSpec, d.total as number);
      break;
    case 'foreign-owner':
      result = foreignOwner(d as never);
      break;
    default:
      result = { error: `unknown role ${d.role}` };
  }
} catch (e) {
  result = { error: String((e as Error).stack ?? e) };
}
parentPort!.postMessage(result);
