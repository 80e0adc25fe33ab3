import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIO_PRIO_DELTA_MAX } from './aiocb.js';
import { RQ_LEVELS, RunQueue, ST_CANCELED, ST_QUEUED, ST_RUNNING, createRunQueue } from './runqueue.js';

const STRIDE = 8;
const WORD = 5;

/** A state table of `slots` slots and a function that queues slot s at level l with generation g. */
function setup(slots: number, capacity = 8): { rq: RunQueue; states: Int32Array; put: (l: number, s: number, g?: number) => boolean } {
  const rq = new RunQueue(createRunQueue(capacity));
  const states = new Int32Array(new SharedArrayBuffer(slots * STRIDE * 4));
  const put = (l: number, s: number, g = 1): boolean => {
    const tag = (g << 2) | ST_QUEUED;
    states[s * STRIDE + WORD] = tag;
    return rq.push(l, s, tag);
  };
  return { rq, states, put };
}

test('run queue: one level per aio_reqprio value', () => {
  assert.equal(RQ_LEVELS, AIO_PRIO_DELTA_MAX + 1);
});

test('run queue: an empty queue has no work and claims nothing', () => {
  const { rq, states } = setup(4);
  assert.equal(rq.hasWork(), false);
  assert.equal(rq.claim(states, STRIDE, WORD), -1);
});

test('run queue: the lowest level is claimed first, each level in push order', () => {
  const { rq, states, put } = setup(8);
  put(9, 0);
  put(0, 1);
  put(4, 2);
  put(0, 3);
  put(9, 4);
  assert.equal(rq.hasWork(), true);
  const order: number[] = [];
  for (let s = rq.claim(states, STRIDE, WORD); s >= 0; s = rq.claim(states, STRIDE, WORD)) order.push(s);
  assert.deepEqual(order, [1, 3, 2, 0, 4]);
  assert.equal(rq.hasWork(), false);
});

test('run queue: a claim moves the slot state from queued to running', () => {
  const { rq, states, put } = setup(2);
  put(0, 1, 7);
  assert.equal(rq.claim(states, STRIDE, WORD), 1);
  assert.equal(states[1 * STRIDE + WORD], (7 << 2) | ST_RUNNING);
});

test('run queue: a canceled entry is skipped, and so is a stale entry of a reused slot', () => {
  const { rq, states, put } = setup(4);
  put(0, 0, 1);
  put(0, 1, 1);
  // Cancel slot 0 (queued -> canceled, as AioContext.cancel does).
  const tag0 = (1 << 2) | ST_QUEUED;
  assert.equal(Atomics.compareExchange(states, 0 * STRIDE + WORD, tag0, tag0 + 2), tag0);
  assert.equal(states[0 * STRIDE + WORD]! & 3, ST_CANCELED);
  // Slot 1 is reused by a new request (generation 2) before a helper saw the old entry.
  put(0, 1, 2);
  // Slot 0's entry (canceled) and slot 1's old entry (generation 1) fail their claims; the
  // new entry of slot 1 wins; nothing runs twice.
  assert.equal(rq.claim(states, STRIDE, WORD), 1);
  assert.equal(states[1 * STRIDE + WORD], (2 << 2) | ST_RUNNING);
  assert.equal(states[0 * STRIDE + WORD], tag0 + 2);
  assert.equal(rq.claim(states, STRIDE, WORD), -1);
  assert.equal(rq.hasWork(), false);
});

test('run queue: a full level refuses a push until helpers take entries', () => {
  const { rq, states, put } = setup(8, 4);
  for (let s = 0; s < 4; s++) assert.equal(put(3, s), true);
  assert.equal(put(3, 4), false);
  assert.equal(rq.pending(3), 4);
  assert.equal(put(2, 5), true); // other levels have their own room
  assert.equal(rq.claim(states, STRIDE, WORD), 5);
  assert.equal(rq.claim(states, STRIDE, WORD), 0);
  assert.equal(put(3, 4), true);
  assert.equal(rq.pending(3), 4);
});

test('run queue: wake reports whether a helper was asleep; sleep returns at once when work is queued', () => {
  const { rq, put } = setup(2);
  assert.equal(rq.wake(1), false);
  put(0, 0);
  assert.equal(rq.sleep(1000), true);
});

test('run queue: sleep times out without work', () => {
  const { rq } = setup(2);
  assert.equal(rq.sleep(1), false);
});
