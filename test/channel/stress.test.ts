// Channel stress across threads: millions of descriptors with seeded random burst sizes
// between two worker threads, each checked to arrive exactly once and in order; a frame
// channel with its fill ring and ownership checks under the same load; wake-ups of a
// sleeping consumer in another thread, counted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { Arena, createArena } from '../../src/channel/arena.js';
import { createNetChannel } from '../../src/channel/channel.js';
import { ChanErr } from '../../src/channel/errors.js';
import { Ring, createRing } from '../../src/channel/ring.js';

const WORKER = new URL('./stress-worker.js', import.meta.url);

type Result = { error?: string; [k: string]: unknown };

/** Run the worker with `data`; resolve to its posted result, or reject after `timeoutMs`. */
function runWorker(data: object, timeoutMs = 60_000): { done: Promise<Result>; worker: Worker } {
  const worker = new Worker(WORKER, { workerData: data });
  const done = new Promise<Result>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`worker ${JSON.stringify((data as { role: string }).role)} timed out`));
    }, timeoutMs);
    worker.once('message', (m: Result) => {
      clearTimeout(timer);
      resolve(m);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
  return { done, worker };
}

test('10 million descriptors cross two worker threads exactly once, in order (seeded random bursts)', async () => {
  const total = 10_000_000;
  const spec = createRing(256);
  const consumer = runWorker({ role: 'consume', spec, total, seed: 0x1234_5678, maxBurst: 64, sleepy: true });
  const producer = runWorker({ role: 'produce', spec, total, seed: 0x0bad_cafe, maxBurst: 64 });
  const [p, c] = await Promise.all([producer.done, consumer.done]);
  assert.equal(p.error, undefined, p.error);
  assert.equal(c.error, undefined, c.error);
  assert.equal(p.sent, total);
  assert.equal(c.received, total);
  assert.equal(c.extra, false, 'nothing after the last descriptor');
  // Every sleep of the consumer costs at most one notify from the producer.
  assert.ok((p.wakeups as number) <= (c.sleeps as number), `wakeups ${p.wakeups} > sleeps ${c.sleeps}`);
});

test('small ring, small bursts: 1 million descriptors through an 8-slot ring', async () => {
  const total = 1_000_000;
  const spec = createRing(8, { startIndex: 0xffff_0000 });
  const consumer = runWorker({ role: 'consume', spec, total, seed: 99, maxBurst: 5, sleepy: false });
  const producer = runWorker({ role: 'produce', spec, total, seed: 7, maxBurst: 7 });
  const [p, c] = await Promise.all([producer.done, consumer.done]);
  assert.equal(p.error, undefined, p.error);
  assert.equal(c.error, undefined, c.error);
  assert.equal(c.received, total);
  assert.equal(c.extra, false);
  assert.equal(p.wakeups, 0, 'a consumer that never sleeps is never notified');
});

test('frame channel across threads: 1 million frames written in place, returned through the fill ring, ownership checked', async () => {
  const total = 1_000_000;
  const arena = createArena({ frameCount: 64, frameSize: 2048, ownerChecks: true });
  const spec = createNetChannel(arena, { frameCount: 64, ringSize: 32 });
  const consumer = runWorker({ role: 'frames-consume', spec, total });
  const producer = runWorker({ role: 'frames-produce', spec, total });
  const [p, c] = await Promise.all([producer.done, consumer.done]);
  assert.equal(p.error, undefined, p.error);
  assert.equal(c.error, undefined, c.error);
  assert.equal(c.received, total);
  // Every frame is free again (in the fill ring or the producer's pool), none held twice.
  const a = new Arena(arena);
  for (let i = 0; i < 64; i++) assert.equal(a.ownerOf(a.frameOffset(i)), 0, `frame ${i}`);
});

test('ownership checks work across threads: another thread cannot use or free a frame it does not own', async () => {
  const spec = createArena({ frameCount: 4, ownerChecks: true });
  const a = new Arena(spec);
  const offset = a.frameOffset(1);
  assert.equal(a.claim(offset, 1), ChanErr.Ok);
  const r = await runWorker({ role: 'foreign-owner', arena: spec, offset }).done;
  assert.deepEqual(r, { pass: ChanErr.NotOwner, release: ChanErr.NotOwner, owner: 1 });
});

test('a consumer sleeping in another thread is woken by each publish, exactly one notify per sleep', async () => {
  const rounds = 20;
  const spec = createRing(8);
  const r = new Ring(spec);
  const sleeper = runWorker({ role: 'sleeper', spec, rounds });
  for (let i = 0; i < rounds; i++) {
    // Wait (bounded) until the worker has armed the doorbell and is about to sleep.
    const deadline = Date.now() + 10_000;
    while (!r.bell.isArmed()) {
      if (Date.now() > deadline) throw new Error(`round ${i}: the worker never went to sleep`);
      await new Promise((res) => setTimeout(res, 1));
    }
    assert.equal(r.push(0, 0, 0, i), ChanErr.Ok);
  }
  const res = await sleeper.done;
  assert.equal(res.error, undefined, res.error);
  assert.equal(res.woken, rounds);
  assert.equal(r.wakeups, rounds);
});
