import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena, createArena } from './arena.js';
import { ChannelConsumer, ChannelProducer, ceilPow2, createNetChannel, openLocalChannel } from './channel.js';
import { ChanErr } from './errors.js';

test('ceilPow2', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 255, 256, 257].map(ceilPow2), [2, 2, 2, 4, 4, 8, 256, 256, 512]);
});

test('createNetChannel rejects partitions outside the arena and equal owner ids', () => {
  const arena = createArena({ frameCount: 4 });
  assert.throws(() => createNetChannel(arena, { firstFrame: 2, frameCount: 3 }), { name: 'RangeError', code: 'EINVAL' });
  assert.throws(() => createNetChannel(arena, { producerId: 1, consumerId: 1 }), { name: 'RangeError', code: 'EINVAL' });
});

test('a channel with a fill ring moves frames and gets every one back', () => {
  const arenaSpec = createArena({ frameCount: 8, frameSize: 256, ownerChecks: true });
  const spec = createNetChannel(arenaSpec, { firstFrame: 4, frameCount: 4, ringSize: 4 });
  const arena = new Arena(arenaSpec);
  const p = new ChannelProducer(spec, arena);
  const c = new ChannelConsumer(spec, new Arena(arenaSpec));
  let sent = 0;
  let got = 0;
  for (let round = 0; round < 100; round++) {
    for (;;) {
      const off = p.alloc();
      if (off < 0) break;
      assert.ok(off >= 4 * 256, 'frames come from the partition');
      arena.bytes[off] = sent & 0xff;
      assert.equal(p.send(off, 1 + (sent % 200), 0, sent), ChanErr.Ok);
      sent++;
    }
    assert.equal(p.pool.lastError, ChanErr.Exhausted);
    p.flush();
    const n = c.peek(64);
    for (let i = 0; i < n; i++) {
      assert.equal(c.user(i), got);
      assert.equal(c.length(i), 1 + (got % 200));
      assert.equal(c.arena.bytes[c.offset(i)], got & 0xff);
      got++;
    }
    c.done(n);
  }
  assert.equal(got, sent);
  assert.equal(sent, 400);
});

test('send reports Full when the data ring has no slot; the caller keeps the frame', () => {
  const arenaSpec = createArena({ frameCount: 4, frameSize: 64 });
  const { producer: p, consumer: c } = openLocalChannel(createNetChannel(arenaSpec, { ringSize: 2, local: true }));
  const f = [p.alloc(), p.alloc(), p.alloc()];
  assert.equal(p.canSend(), true);
  assert.equal(p.send(f[0]!, 10, 0, 0), ChanErr.Ok);
  assert.equal(p.send(f[1]!, 10, 0, 1), ChanErr.Ok);
  assert.equal(p.canSend(), false);
  assert.equal(p.send(f[2]!, 10, 0, 2), ChanErr.Full);
  assert.equal(p.unflushed(), 2);
  assert.equal(c.peek(8), 0, 'nothing visible before flush');
  p.flush();
  assert.equal(c.peek(8), 2);
  c.done(2);
  assert.equal(p.free(f[2]!), ChanErr.Ok);
  assert.equal(p.pool.available(), 4);
});

test('ownership checks catch a frame sent twice and a frame recycled twice', () => {
  const arenaSpec = createArena({ frameCount: 4, frameSize: 64, ownerChecks: true });
  const { producer: p, consumer: c } = openLocalChannel(createNetChannel(arenaSpec, { local: true, producerId: 7, consumerId: 9 }));
  const f = p.alloc();
  assert.equal(p.arena.ownerOf(f), 7);
  assert.equal(p.send(f, 10, 0, 0), ChanErr.Ok);
  assert.equal(p.arena.ownerOf(f), 9);
  assert.equal(p.send(f, 10, 0, 0), ChanErr.NotOwner, 'the producer no longer owns it');
  assert.equal(p.free(f), ChanErr.NotOwner);
  p.flush();
  assert.equal(c.peek(4), 1);
  assert.equal(c.recycle(c.offset(0)), ChanErr.Ok);
  assert.equal(c.recycle(c.offset(0)), ChanErr.DoubleFree);
  c.release(1);
});
