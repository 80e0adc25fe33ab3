import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ChanErr, Ring } from '../channel/index.js';
import { transmitCopy, type FrameSink } from './device.js';
import { MEMORY_LINK_MTU_MAX, createSharedMemoryLink, memoryLinkPair, openMemoryLink, type MemoryLink } from './memory.js';

const ECHO_WORKER = new URL('../../test/channel/memory-link-worker.js', import.meta.url);

/** A seeded byte generator (xorshift32). */
function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** A sink that copies every frame it is lent. */
class Collect implements FrameSink {
  frames: Uint8Array[] = [];
  times: number[] = [];
  onFrame(buf: Uint8Array, off: number, len: number, now: number): void {
    this.frames.push(buf.slice(off, off + len));
    this.times.push(now);
  }
}

function send(link: MemoryLink, frame: Uint8Array, now = 0): boolean {
  const at = link.transmitBegin(frame.length);
  if (at < 0) return false;
  link.txBytes.set(frame, at);
  link.transmitCommit(at, frame.length, now);
  return true;
}

function seqFrame(seq: number, len = 64): Uint8Array {
  const f = new Uint8Array(len);
  new DataView(f.buffer).setUint32(0, seq);
  f.fill(seq & 0xff, 4);
  return f;
}

const seqOf = (f: Uint8Array): number => new DataView(f.buffer, f.byteOffset).getUint32(0);
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a pair has the contract defaults: names, maxFrameLen 1514, arena bytes as txBytes', () => {
  const [a, b] = memoryLinkPair();
  assert.equal(a.name, 'mem0');
  assert.equal(b.name, 'mem1');
  assert.equal(a.maxFrameLen, 1514);
  assert.equal(b.maxFrameLen, 1514);
  assert.equal(a.txBytes.buffer, b.txBytes.buffer, 'one arena');
  assert.equal(a.pollAt(), Infinity);
  assert.equal(a.transmitBegin(1515), -1);
  assert.equal(a.transmitBegin(-1), -1);
  assert.ok(a.transmitBegin(1514) >= 0);
  const [c] = memoryLinkPair({ maxFrameLen: 2048, names: ['x0', 'x1'] });
  assert.equal(c.name, 'x0');
  assert.ok(c.transmitBegin(2048) >= 0);
  assert.throws(() => memoryLinkPair({ maxFrameLen: 2049 }), RangeError);
  assert.throws(() => memoryLinkPair({ maxFrameLen: 9000, frameSize: 4096 }), RangeError);
  assert.throws(() => memoryLinkPair({ frames: 0 }), RangeError);
});

test('frames arrive in order and byte-exact, both directions, with counters and the caller time', () => {
  const [a, b] = memoryLinkPair();
  const next = rng(42);
  const sentAB: Uint8Array[] = [];
  const sentBA: Uint8Array[] = [];
  const atB = new Collect();
  const atA = new Collect();
  let bytesAB = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 10; i++) {
      const len = 14 + (next() % 1501);
      const f = new Uint8Array(len);
      for (let j = 0; j < len; j++) f[j] = next() & 0xff;
      assert.equal(send(a, f, round), true);
      sentAB.push(f);
      bytesAB += len;
      const g = f.slice(0, 14 + (len % 100));
      assert.equal(send(b, g, round), true);
      sentBA.push(g);
    }
    b.receive(atB, 4, 1000 + round);
    b.receive(atB, 64, 1000 + round);
    a.receive(atA, 64, 2000 + round);
  }
  assert.deepEqual(atB.frames, sentAB);
  assert.deepEqual(atA.frames, sentBA);
  assert.equal(atB.times[0], 1000);
  assert.equal(a.stats.txFrames, 500);
  assert.equal(a.stats.txBytes, bytesAB);
  assert.equal(b.stats.rxFrames, 500);
  assert.equal(b.stats.rxBytes, bytesAB);
  assert.equal(b.stats.rxDropped + a.stats.txDropped, 0);
  assert.equal(b.receive(atB, 64, 0), 0);
});

test('receive honours its budget', () => {
  const [a, b] = memoryLinkPair();
  for (let i = 0; i < 10; i++) send(a, seqFrame(i));
  const c = new Collect();
  assert.equal(b.receive(c, 3, 0), 3);
  assert.equal(b.receive(c, 0, 0), 0);
  assert.equal(b.receive(c, 100, 0), 7);
  assert.deepEqual(c.frames.map(seqOf), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('backpressure: a full ring makes transmitBegin return -1; nothing is lost or duplicated', () => {
  const [a, b] = memoryLinkPair({ ringSize: 8, frames: 16 });
  let seq = 0;
  while (send(a, seqFrame(seq))) seq++;
  assert.equal(seq, 8, 'the ring holds 8');
  assert.equal(a.transmitBegin(64), -1);
  const c = new Collect();
  let rounds = 0;
  while (seq < 1000 && rounds++ < 10_000) {
    b.receive(c, 3, 0);
    while (send(a, seqFrame(seq))) seq++;
  }
  while (b.receive(c, 64, 0) > 0);
  assert.deepEqual(c.frames.map(seqOf), Array.from({ length: seq }, (_, i) => i));
  assert.equal(transmitCopy(a, seqFrame(0), 0, 64, 0), true);
});

test('backpressure: an exhausted arena makes transmitBegin return -1 until frames come back', () => {
  const [a, b] = memoryLinkPair({ ringSize: 16, frames: 4 });
  let seq = 0;
  while (send(a, seqFrame(seq))) seq++;
  assert.equal(seq, 4, 'four frames to send with');
  assert.equal(transmitCopy(a, seqFrame(99), 0, 64, 0), false);
  assert.equal(a.stats.txDropped, 1);
  const c = new Collect();
  assert.equal(b.receive(c, 1, 0), 1);
  assert.equal(send(a, seqFrame(seq++)), true, 'the received frame went back to the sender');
  assert.equal(send(a, seqFrame(seq)), false);
  while (b.receive(c, 64, 0) > 0);
  assert.deepEqual(c.frames.map(seqOf), [0, 1, 2, 3, 4]);
});

test('transmitBegin twice reuses the reservation; a commit of an unreserved offset is dropped', () => {
  const [a, b] = memoryLinkPair({ frames: 2 });
  const x = a.transmitBegin(100);
  assert.equal(a.transmitBegin(60), x);
  a.transmitCommit(x + 1, 60, 0);
  assert.equal(a.stats.txDropped, 1);
  a.txBytes.set(seqFrame(5), x);
  a.transmitCommit(x, 64, 0);
  a.transmitCommit(x, 64, 0); // the reservation was taken
  assert.equal(a.stats.txDropped, 2);
  assert.equal(a.stats.txFrames, 1);
  const c = new Collect();
  b.receive(c, 8, 0);
  assert.deepEqual(c.frames.map(seqOf), [5]);
  // A commit longer than maxFrameLen is dropped and its frame goes back to the pool.
  const y = a.transmitBegin(64);
  a.transmitCommit(y, 1515, 0);
  assert.equal(a.stats.txDropped, 3);
  assert.ok(send(a, seqFrame(1)) && send(a, seqFrame(2)), 'both frames free again');
});

test('notify: fires once per transition from empty, scheduled (never inside the sender)', async () => {
  const [a, b] = memoryLinkPair();
  let calls = 0;
  b.setRxNotify(() => calls++);
  await tick();
  assert.equal(calls, 0, 'an empty ring does not notify');
  send(a, seqFrame(1));
  assert.equal(calls, 0, 'not synchronously from transmitCommit');
  send(a, seqFrame(2));
  send(a, seqFrame(3));
  await tick();
  assert.equal(calls, 1, 'one notify for three frames');
  send(a, seqFrame(4));
  await tick();
  assert.equal(calls, 1, 'no new transition: the ring was never seen empty');
  const c = new Collect();
  assert.equal(b.receive(c, 2, 0), 2);
  send(a, seqFrame(5));
  await tick();
  assert.equal(calls, 1, 'a partial receive does not re-arm');
  assert.equal(b.receive(c, 64, 0), 3);
  await tick();
  assert.equal(calls, 1);
  send(a, seqFrame(6));
  await tick();
  assert.equal(calls, 2, 'drained, then a frame: a new transition');
  assert.equal(a.stats.txFrames, 6);
});

test('notify: setting a callback while frames wait fires it; null cancels', async () => {
  const [a, b] = memoryLinkPair();
  send(a, seqFrame(1));
  let calls = 0;
  b.setRxNotify(() => calls++);
  assert.equal(calls, 0);
  await tick();
  assert.equal(calls, 1);
  b.receive(new Collect(), 64, 0);
  b.setRxNotify(null);
  send(a, seqFrame(2));
  await tick();
  assert.equal(calls, 0 + 1, 'cancelled');
  let other = 0;
  b.setRxNotify(() => other++);
  await tick();
  assert.equal(other, 1, 'the waiting frame is announced to the new callback');
});

test('notify: a callback that receives and replies drives a ping-pong to completion', async () => {
  const [a, b] = memoryLinkPair();
  const rounds = 200;
  let pongs = 0;
  const echo: FrameSink = { onFrame: (buf, off, len, now) => void transmitCopy(b, buf, off, len, now) };
  const count: FrameSink = { onFrame: () => void pongs++ };
  b.setRxNotify(() => setImmediate(() => b.receive(echo, 64, 0)));
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  a.setRxNotify(() =>
    setImmediate(() => {
      a.receive(count, 64, 0);
      if (pongs < rounds) send(a, seqFrame(pongs));
      else done();
    }),
  );
  send(a, seqFrame(0));
  await finished;
  assert.equal(pongs, rounds);
  assert.equal(b.stats.txFrames, rounds);
});

test('a sink that throws loses no frame: the ones lent go back, the rest stay queued', () => {
  const [a, b] = memoryLinkPair({ frames: 4, ringSize: 4 });
  for (let i = 0; i < 4; i++) send(a, seqFrame(i));
  const seen: number[] = [];
  const throwing: FrameSink = {
    onFrame(buf, off) {
      seen.push(buf[off + 3]!);
      if (seen.length === 2) throw new Error('sink bug');
    },
  };
  assert.throws(() => b.receive(throwing, 64, 0), /sink bug/);
  assert.deepEqual(seen, [0, 1]);
  assert.equal(send(a, seqFrame(4)) && send(a, seqFrame(5)), true, 'both lent frames went back');
  const c = new Collect();
  while (b.receive(c, 64, 0) > 0);
  assert.deepEqual(c.frames.map(seqOf), [2, 3, 4, 5]);
});

test('the transmit/receive hot path allocates nothing: a million frames cause no garbage collection', async () => {
  const [a, b] = memoryLinkPair();
  let sum = 0;
  const sink: FrameSink = { onFrame: (buf, off, len) => void (sum += buf[off]! + len) };
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const at = a.transmitBegin(100);
      a.txBytes[at] = i & 1;
      a.transmitCommit(at, 100, 0);
      if ((i & 31) === 31) b.receive(sink, 64, 0);
    }
    b.receive(sink, 64, 0);
  };
  run(50_000); // warm up: let the JIT settle
  let gcs = 0;
  const obs = new PerformanceObserver((list) => void (gcs += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 20));
  const before = gcs;
  run(1_000_000); // 16 bytes per frame would be 16 MB: several scavenges
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  assert.equal(gcs - before, 0, 'garbage collections during the run');
  assert.equal(b.stats.rxFrames, 1_050_000);
  assert.ok(sum > 0);
});

test('close: later calls return -1 or 0, the other end cannot transmit, close is idempotent', async () => {
  const [a, b] = memoryLinkPair();
  send(a, seqFrame(1));
  let calls = 0;
  b.setRxNotify(() => calls++);
  const reserved = a.transmitBegin(64);
  assert.ok(reserved >= 0);
  a.close();
  a.close();
  assert.equal(a.transmitBegin(64), -1);
  a.transmitCommit(reserved, 64, 0);
  assert.equal(a.receive(new Collect(), 64, 0), 0);
  assert.equal(b.transmitBegin(64), -1, 'the peer sees the link closed');
  assert.equal(b.receive(new Collect(), 64, 0), 1, 'frames already sent can still be read');
  b.close();
  assert.equal(b.receive(new Collect(), 64, 0), 0);
  await tick();
});

test('ownership checks on a pair: normal traffic passes them', () => {
  const [a, b] = memoryLinkPair({ ownerChecks: true, frames: 4, ringSize: 4 });
  const c = new Collect();
  for (let i = 0; i < 100; i++) {
    assert.equal(send(a, seqFrame(i)), true);
    assert.equal(send(b, seqFrame(i)), true);
    assert.equal(b.receive(c, 64, 0), 1);
    assert.equal(a.receive(c, 64, 0), 1);
  }
  assert.equal(c.frames.length, 200);
});

test('openMemoryLink rejects what is not a shared link spec', () => {
  assert.throws(() => openMemoryLink({} as never), RangeError);
  const [s] = createSharedMemoryLink();
  assert.equal(s.maxFrameLen, 1514);
  assert.throws(() => openMemoryLink({ ...s, tx: { ...s.tx, fill: null } }), RangeError);
});

test('a shared link opened twice in one thread moves frames and notifies through the doorbell', async () => {
  const [sa, sb] = createSharedMemoryLink({ frames: 8 });
  const a = openMemoryLink(sa);
  const b = openMemoryLink(sb);
  let notified!: () => void;
  const gotNotify = new Promise<void>((r) => (notified = r));
  let calls = 0;
  b.setRxNotify(() => {
    calls++;
    notified();
  });
  for (let i = 0; i < 5; i++) assert.equal(send(a, seqFrame(i, 100)), true);
  assert.equal(calls, 0);
  await gotNotify;
  assert.equal(calls, 1);
  const c = new Collect();
  assert.equal(b.receive(c, 64, 0), 5);
  assert.deepEqual(c.frames.map(seqOf), [0, 1, 2, 3, 4]);
  // Frames go back through the fill ring: 8 frames serve 100 sends.
  for (let i = 5; i < 105; i++) {
    assert.equal(send(a, seqFrame(i, 100)), true, `send ${i}`);
    assert.equal(b.receive(c, 64, 0), 1);
  }
  assert.equal(c.frames.length, 105);
  a.close();
  b.close();
});

test('across threads a receiver that drained its ring looks again for rxSpin turns: frames sent then need no wake-up', async () => {
  for (const rxSpin of [0, 8]) {
    const [sa, sb] = createSharedMemoryLink({ frames: 8, rxSpin });
    const a = openMemoryLink(sa);
    const b = openMemoryLink(sb);
    assert.equal(sb.rxSpin, rxSpin);
    let calls = 0;
    let wake!: () => void;
    b.setRxNotify(() => {
      calls++;
      wake();
    });
    const c = new Collect();
    for (let i = 0; i < 3; i++) {
      const notified = new Promise<void>((r) => (wake = r));
      send(a, seqFrame(i));
      await notified;
      assert.equal(b.receive(c, 64, 0), 1); // drained: b spins (rxSpin > 0) or sleeps
      await tick();
    }
    assert.equal(calls, 3);
    assert.deepEqual(c.frames.map(seqOf), [0, 1, 2]);
    // The first frame always needs a wake-up (b slept since setRxNotify); the next ones only without a spin.
    assert.equal(a.wakeupsSent, rxSpin === 0 ? 3 : 1, `rxSpin ${rxSpin}`);
    // A spin ends: after rxSpin idle turns the receiver sleeps, and the next frame wakes it.
    for (let i = 0; i < rxSpin + 2; i++) await tick();
    const notified = new Promise<void>((r) => (wake = r));
    send(a, seqFrame(3));
    await notified;
    assert.equal(a.wakeupsSent, rxSpin === 0 ? 4 : 2);
    a.close();
    b.close();
  }
  assert.throws(() => createSharedMemoryLink({ rxSpin: -1 }), RangeError);
});

test('cross-thread pair: 100k frames there and back with contents checked', async () => {
  const { fillFrame, checkFrame, frameLen } = await import('../../test/channel/memory-link-worker.js');
  const total = 100_000;
  const [sa, sb] = createSharedMemoryLink();
  const a = openMemoryLink(sa);
  const worker = new Worker(ECHO_WORKER, { workerData: { role: 'echo', spec: sb, total } });
  const result = new Promise<{ received: number; error: string | null; notifies: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let echoed = 0;
  let bad: string | null = null;
  const sink: FrameSink = {
    onFrame(buf, off, len) {
      const seq = checkFrame(buf, off, len);
      if (bad === null && (seq !== echoed || len !== frameLen(echoed))) bad = `echo ${echoed}: got seq ${seq} len ${len}`;
      echoed++;
    },
  };
  let wake: (() => void) | null = null;
  let notifies = 0;
  a.setRxNotify(() => {
    notifies++;
    const w = wake;
    wake = null;
    if (w !== null) w();
  });
  let sent = 0;
  const deadline = Date.now() + 60_000;
  while (echoed < total && bad === null) {
    assert.ok(Date.now() < deadline, `stalled: sent ${sent}, echoed ${echoed}`);
    let progress = 0;
    while (sent < total) {
      const len = frameLen(sent);
      const at = a.transmitBegin(len);
      if (at < 0) break;
      fillFrame(a.txBytes, at, len, sent);
      a.transmitCommit(at, len, 0);
      sent++;
      progress++;
    }
    progress += a.receive(sink, 256, 0);
    if (progress === 0) {
      // Nothing to do: sleep until an echo arrives (the rx notify), or 5 ms at most.
      await new Promise<void>((r) => {
        const t = setTimeout(r, 5);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }
  const r = await result;
  await worker.terminate();
  assert.equal(bad, null);
  assert.equal(r.error, null);
  assert.equal(r.received, total);
  assert.equal(echoed, total);
  assert.ok(r.notifies > 0 && notifies > 0, 'both ends were woken by notifications');
  a.close();
});

test('a budget spent on corrupt descriptors still reports the budget, so the caller polls again', async () => {
  const { ChannelProducer, Arena } = await import('../channel/index.js');
  const [sa, sb] = createSharedMemoryLink({ frames: 8 });
  const b = openMemoryLink(sb);
  // A misbehaving peer: raw channel access, lengths past maxFrameLen.
  const raw = new ChannelProducer(sa.tx, new Arena(sa.tx.arena));
  for (let i = 0; i < 4; i++) assert.equal(raw.send(raw.alloc(), 5000, 0, 0), 0);
  const good = raw.alloc();
  raw.arena.bytes.set(seqFrame(7), good);
  assert.equal(raw.send(good, 64, 0, 0), 0);
  raw.flush();
  const c = new Collect();
  // 4 frames taken from the ring (all dropped): the return must say "budget used".
  assert.equal(b.receive(c, 4, 0), 4);
  assert.equal(b.stats.rxDropped, 4);
  assert.equal(b.receive(c, 4, 0), 1);
  assert.deepEqual(c.frames.map(seqOf), [7]);
  b.close();
});

test('bad options and specs throw a RangeError with the stable code EINVAL', () => {
  assert.throws(() => memoryLinkPair({ maxFrameLen: 10 }), { name: 'RangeError', code: 'EINVAL' });
  assert.throws(() => memoryLinkPair({ frames: 0 }), { name: 'RangeError', code: 'EINVAL' });
  assert.throws(() => openMemoryLink({} as never), { name: 'RangeError', code: 'EINVAL' });
});

test('mtu: 64 KiB frames (MTU 65522, like a loopback) carry their bytes both ways, in one thread and across specs', () => {
  const [a, b] = memoryLinkPair({ mtu: MEMORY_LINK_MTU_MAX, frames: 4 });
  assert.equal(MEMORY_LINK_MTU_MAX, 65522);
  assert.equal(a.maxFrameLen, 65536);
  assert.equal(a.transmitBegin(65537), -1);
  const r = rng(7);
  const big = Uint8Array.from({ length: 65536 }, () => r() & 0xff);
  assert.ok(send(a, big));
  assert.ok(send(b, big.subarray(0, 9000)));
  const ca = new Collect();
  const cb = new Collect();
  assert.equal(b.receive(cb, 8, 0), 1);
  assert.equal(a.receive(ca, 8, 0), 1);
  assert.deepEqual(cb.frames[0], big);
  assert.deepEqual(ca.frames[0], big.subarray(0, 9000));
  const [sa, sb] = createSharedMemoryLink({ mtu: 9000 });
  assert.equal(sa.maxFrameLen, 9014);
  assert.equal(sa.tx.arena.frameSize, 9024, 'frames rounded up to 64');
  assert.equal(openMemoryLink(sb).maxFrameLen, 9014);
  const [small] = memoryLinkPair({ mtu: 576 });
  assert.equal(small.maxFrameLen, 590);
});

test('mtu: out of range, or given with maxFrameLen, is EINVAL', () => {
  for (const mtu of [67, MEMORY_LINK_MTU_MAX + 1, 1500.5, Number.NaN]) {
    assert.throws(() => memoryLinkPair({ mtu }), { code: 'EINVAL' }, `mtu ${mtu}`);
  }
  assert.throws(() => memoryLinkPair({ mtu: 1500, maxFrameLen: 1514 }), { code: 'EINVAL' });
  assert.throws(() => memoryLinkPair({ mtu: 9000, frameSize: 2048 }), { code: 'EINVAL' }, 'frames too small for the MTU');
});

test('checksumOffload: off by default, declared by both ends when asked, carried by the shared specs', () => {
  const [a, b] = memoryLinkPair();
  assert.equal(a.checksumOffload, false);
  assert.equal(b.checksumOffload, false);
  const [c, d] = memoryLinkPair({ checksumOffload: true });
  assert.equal(c.checksumOffload, true);
  assert.equal(d.checksumOffload, true);
  const [sa, sb] = createSharedMemoryLink({ checksumOffload: true });
  assert.equal(openMemoryLink(sa).checksumOffload, true);
  assert.equal(openMemoryLink(sb).checksumOffload, true);
  const [se] = createSharedMemoryLink();
  assert.equal(openMemoryLink(se).checksumOffload, false);
});

test('across threads, an end that ran out of frames is woken on its receive doorbell when the peer gives frames back (and not before)', () => {
  const [sa, sb] = createSharedMemoryLink({ frames: 4 });
  const a = openMemoryLink(sa);
  const b = openMemoryLink(sb);
  const sleeper = new Ring(sa.rx.data); // where a's thread sleeps (stack-worker arms this bell)
  for (let i = 0; i < 4; i++) {
    const off = a.transmitBegin(60);
    assert.ok(off >= 0);
    a.transmitCommit(off, 60, 0);
  }
  assert.equal(a.transmitBegin(60), -1, 'all four frames are with b');
  sleeper.bell.arm();
  assert.equal(sleeper.bell.waitSync(0), ChanErr.TimedOut, 'nothing woke a yet');
  assert.equal(b.receive({ onFrame: () => {} }, 2, 0), 2);
  assert.equal(sleeper.bell.waitSync(0), ChanErr.Ok, 'giving frames back rang the bell a sleeps on');
  sleeper.bell.disarm();
  assert.ok(a.transmitBegin(60) >= 0, 'and a frame is there');
  // Once a has frames again it has not asked: giving more back rings nothing.
  sleeper.bell.arm();
  assert.equal(b.receive({ onFrame: () => {} }, 2, 0), 2);
  assert.equal(sleeper.bell.waitSync(0), ChanErr.TimedOut);
  sleeper.bell.disarm();
});

test('a wake batch: a sleeping peer is woken once per batch of frames or by flushWakeups, and sees every frame as it is sent', () => {
  const [sa, sb] = createSharedMemoryLink({ frames: 64 });
  const a = openMemoryLink(sa);
  const b = openMemoryLink(sb);
  const sleeper = new Ring(sb.rx.data); // where b's thread sleeps
  a.setWakeBatch(4);
  const c = new Collect();
  sleeper.bell.arm();
  for (let i = 0; i < 3; i++) assert.equal(send(a, seqFrame(i)), true);
  assert.equal(sleeper.bell.waitSync(0), ChanErr.TimedOut, 'three frames: no wake-up yet');
  assert.equal(a.wakeupsSent, 0);
  assert.equal(b.receive(c, 64, 0), 3, 'yet all three are published');
  assert.equal(send(a, seqFrame(3)), true);
  assert.equal(sleeper.bell.waitSync(0), ChanErr.Ok, 'the fourth frame woke b');
  assert.equal(a.wakeupsSent, 1);
  sleeper.bell.disarm();
  // The rest of a batch waits for the owner's flush.
  sleeper.bell.arm();
  assert.equal(send(a, seqFrame(4)), true);
  assert.equal(sleeper.bell.waitSync(0), ChanErr.TimedOut);
  assert.equal(a.flushWakeups(), true);
  assert.equal(sleeper.bell.waitSync(0), ChanErr.Ok, 'flushWakeups woke b');
  assert.equal(a.flushWakeups(), false, 'nothing sent since');
  sleeper.bell.disarm();
  // Back to one: every publish may wake again; frames left unwoken are flushed at once.
  sleeper.bell.arm();
  assert.equal(send(a, seqFrame(5)), true);
  a.setWakeBatch(1);
  assert.equal(sleeper.bell.waitSync(0), ChanErr.Ok, 'setWakeBatch(1) flushed the pending wake-up');
  sleeper.bell.disarm();
  sleeper.bell.arm();
  assert.equal(send(a, seqFrame(6)), true);
  assert.equal(sleeper.bell.waitSync(0), ChanErr.Ok);
  sleeper.bell.disarm();
  assert.equal(b.receive(c, 64, 0), 4);
  assert.deepEqual(c.frames.map(seqOf), [0, 1, 2, 3, 4, 5, 6]);
  for (const bad of [0, 1.5, 1025, NaN]) assert.throws(() => a.setWakeBatch(bad), { name: 'RangeError', code: 'EINVAL' });
  a.close();
  b.close();
});
