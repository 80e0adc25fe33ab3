import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena, FramePool, OWNER_FREE, checkArenaSpec, createArena } from './arena.js';
import { ChanErr } from './errors.js';
import { Ring, createRing } from './ring.js';

test('createArena validates geometry; frames are addressed by offset', () => {
  assert.throws(() => createArena({ frameCount: 0 }), { name: 'RangeError', code: 'EINVAL' });
  assert.throws(() => createArena({ frameCount: 4, frameSize: 100 }), { name: 'RangeError', code: 'EINVAL' });
  assert.throws(() => createArena({ frameCount: 4, frameSize: 1 << 17 }), { name: 'RangeError', code: 'EINVAL' });
  const spec = createArena({ frameCount: 4 });
  assert.equal(checkArenaSpec(spec), ChanErr.Ok);
  assert.equal(checkArenaSpec({ ...spec, frameCount: 5 }), ChanErr.BadSpec);
  const a = new Arena(spec);
  assert.equal(a.frameSize, 2048);
  assert.equal(a.bytes.length, 4 * 2048);
  assert.equal(a.frameOffset(3), 6144);
  assert.equal(a.frameIndex(6144), 3);
  assert.equal(a.frameIndex(6145), -1);
  assert.equal(a.frameIndex(8192), -1);
  assert.equal(a.frameIndex(-2048), -1);
  assert.equal(a.inFrame(2048, 2048), true);
  assert.equal(a.inFrame(2049, 2048), false);
  assert.equal(a.inFrame(8192, 1), false);
});

test('two mappings of one arena see the same bytes', () => {
  const spec = createArena({ frameCount: 2, frameSize: 64 });
  const a = new Arena(spec);
  const b = new Arena(spec);
  a.bytes[70] = 0xab;
  assert.equal(b.bytes[70], 0xab);
});

test('with checks off, ownership calls succeed and validate nothing', () => {
  const a = new Arena(createArena({ frameCount: 2 }));
  assert.equal(a.owners, null);
  assert.equal(a.claim(0, 1), ChanErr.Ok);
  assert.equal(a.claim(0, 2), ChanErr.Ok);
  assert.equal(a.release(0, 3), ChanErr.Ok);
  assert.equal(a.ownerOf(0), -1);
});

test('ownership checks catch a frame used by two owners', () => {
  const a = new Arena(createArena({ frameCount: 4, ownerChecks: true }));
  const f = a.frameOffset(2);
  assert.equal(a.claim(f, 1), ChanErr.Ok);
  assert.equal(a.ownerOf(f), 1);
  assert.equal(a.claim(f, 2), ChanErr.NotOwner, 'a second owner claims a held frame');
  assert.equal(a.pass(f, 1, 2), ChanErr.Ok);
  assert.equal(a.pass(f, 1, 3), ChanErr.NotOwner, 'the old owner passes it on again');
  assert.equal(a.release(f, 1), ChanErr.NotOwner, 'the old owner frees it');
  assert.equal(a.ownerOf(f), 2);
  assert.equal(a.release(f, 2), ChanErr.Ok);
  assert.equal(a.ownerOf(f), OWNER_FREE);
  assert.equal(a.release(f, 2), ChanErr.DoubleFree);
  assert.equal(a.pass(f, 2, 1), ChanErr.NotOwner, 'use after free');
  assert.equal(a.claim(f + 1, 1), ChanErr.BadFrame);
});

test('FramePool hands out its frames, reports exhaustion, and reuses the last freed first', () => {
  const a = new Arena(createArena({ frameCount: 8, frameSize: 64 }));
  const p = new FramePool(a, 1, 4);
  p.addRange(4, 4);
  assert.equal(p.available(), 4);
  const got = [p.alloc(), p.alloc(), p.alloc(), p.alloc()];
  assert.deepEqual(got, [256, 320, 384, 448]);
  assert.equal(p.alloc(), -1);
  assert.equal(p.lastError, ChanErr.Exhausted);
  assert.equal(p.free(320, 2), ChanErr.Ok);
  assert.equal(p.alloc(), 320);
  assert.equal(p.lastError, ChanErr.Ok);
  assert.throws(() => p.addRange(0, 8), { name: 'RangeError', code: 'EINVAL' });
});

test('FramePool without checks reports an overflow instead of growing', () => {
  const a = new Arena(createArena({ frameCount: 2, frameSize: 64 }));
  const p = new FramePool(a, 1, 2);
  p.addRange(0, 2);
  assert.equal(p.free(0, 1), ChanErr.PoolOverflow);
});

test('FramePool with checks refuses a double free and a free by a non-owner', () => {
  const a = new Arena(createArena({ frameCount: 2, frameSize: 64, ownerChecks: true }));
  const p = new FramePool(a, 1, 2);
  p.addRange(0, 2);
  const f = p.alloc();
  assert.equal(a.ownerOf(f), 1);
  assert.equal(p.free(f, 2), ChanErr.NotOwner);
  assert.equal(p.free(f, 1), ChanErr.Ok);
  assert.equal(p.free(f, 1), ChanErr.DoubleFree);
  assert.equal(p.available(), 2);
});

test('FramePool.refill drains a fill ring, bounded by its room', () => {
  const a = new Arena(createArena({ frameCount: 8, frameSize: 64 }));
  const p = new FramePool(a, 1, 8);
  const fill = new Ring(createRing(8));
  for (let i = 0; i < 6; i++) fill.push(a.frameOffset(i), 0, 0, 0);
  assert.equal(p.refill(fill), 6);
  assert.equal(p.available(), 6);
  assert.equal(fill.count(), 0);
  for (let i = 6; i < 8; i++) fill.push(a.frameOffset(i), 0, 0, 0);
  fill.push(0, 0, 0, 0);
  assert.equal(p.refill(fill), 2, 'only the room left');
  assert.equal(fill.count(), 1);
});
