import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from './prng.js';
import { TimerHandle, TimerWheel } from './timer-wheel.js';

test('an empty wheel has no deadline and fires nothing', () => {
  const w = new TimerWheel();
  assert.equal(w.nextDeadline(), Infinity);
  assert.equal(w.advance(1e9, () => assert.fail('fired')), 0);
});

test('timers fire in deadline order, only once due, and are disarmed when they fire', () => {
  const w = new TimerWheel<string>();
  const a = new TimerHandle('a');
  const b = new TimerHandle('b');
  const c = new TimerHandle('c');
  w.schedule(a, 30);
  w.schedule(b, 10);
  w.schedule(c, 20);
  assert.equal(w.size, 3);
  assert.equal(w.nextDeadline(), 10);
  const fired: string[] = [];
  assert.equal(w.advance(9.999, (h) => fired.push(h.owner)), 0);
  assert.equal(w.advance(20, (h, now) => {
    fired.push(h.owner);
    assert.equal(now, 20);
    assert.ok(!h.isArmed());
  }), 2);
  assert.deepEqual(fired, ['b', 'c']);
  assert.equal(w.nextDeadline(), 30);
  assert.ok(a.isArmed() && !b.isArmed());
});

test('equal deadlines fire in scheduling order', () => {
  const w = new TimerWheel<number>();
  const hs = Array.from({ length: 10 }, (_, i) => new TimerHandle(i));
  for (const h of hs) w.schedule(h, 5);
  const fired: number[] = [];
  w.advance(5, (h) => fired.push(h.owner));
  assert.deepEqual(fired, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('cancel disarms; cancelling twice or an unarmed timer returns false', () => {
  const w = new TimerWheel();
  const a = new TimerHandle(null);
  const b = new TimerHandle(null);
  w.schedule(a, 1);
  w.schedule(b, 2);
  assert.equal(w.cancel(a), true);
  assert.equal(w.cancel(a), false);
  assert.equal(w.nextDeadline(), 2);
  assert.equal(w.size, 1);
  assert.equal(a.deadline, Infinity);
});

test('reschedule moves an armed timer earlier or later', () => {
  const w = new TimerWheel<string>();
  const a = new TimerHandle('a');
  const b = new TimerHandle('b');
  w.schedule(a, 10);
  w.schedule(b, 20);
  w.reschedule(a, 30);
  assert.equal(w.nextDeadline(), 20);
  w.reschedule(a, 5);
  assert.equal(w.nextDeadline(), 5);
  assert.equal(w.size, 2);
});

test('a callback that re-arms at now does not loop; the next call fires it', () => {
  const w = new TimerWheel<string>();
  const a = new TimerHandle('a');
  const b = new TimerHandle('b');
  w.schedule(a, 1);
  w.schedule(b, 3);
  const fired: string[] = [];
  let rearms = 0;
  const cb = (h: TimerHandle<string>): void => {
    fired.push(h.owner);
    if (h === a && rearms++ < 1) w.schedule(a, 2); // already due at now = 3
  };
  // a fires; the re-armed a (deadline 2) now heads the heap and waits for the next call,
  // which fires it and then b, keeping deadline order.
  assert.equal(w.advance(3, cb), 1);
  assert.equal(w.nextDeadline(), 2);
  assert.equal(w.advance(3, cb), 2);
  assert.deepEqual(fired, ['a', 'a', 'b']);
  // An endless re-armer costs one firing per call.
  const c = new TimerHandle('c');
  w.schedule(c, 0);
  const again = (h: TimerHandle<string>): void => w.schedule(h, 0);
  assert.equal(w.advance(3, again), 1);
  assert.equal(w.advance(3, again), 1);
});

test('max bounds the timers fired per call', () => {
  const w = new TimerWheel();
  for (let i = 0; i < 5; i++) w.schedule(new TimerHandle(null), i);
  assert.equal(w.advance(10, () => {}, 2), 2);
  assert.equal(w.size, 3);
  w.clear();
  assert.equal(w.size, 0);
  assert.equal(w.nextDeadline(), Infinity);
});

test('a NaN deadline means never', () => {
  const w = new TimerWheel();
  const a = new TimerHandle(null);
  w.schedule(a, NaN);
  assert.equal(w.nextDeadline(), Infinity);
  assert.equal(w.advance(1e12, () => assert.fail('fired')), 0);
});

test('property: random schedule/cancel/advance agree with a sorted-list model', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rng = new Prng(seed);
    const w = new TimerWheel<number>();
    const hs = Array.from({ length: 50 }, (_, i) => new TimerHandle(i));
    // Model: armed timer id -> [deadline, order].
    const model = new Map<number, [number, number]>();
    let order = 0;
    let now = 0;
    for (let step = 0; step < 3000; step++) {
      const op = rng.nextInt(10);
      const h = hs[rng.nextInt(hs.length)]!;
      if (op < 5) {
        const d = now + rng.nextInt(100);
        w.schedule(h, d);
        model.set(h.owner, [d, order++]);
      } else if (op < 7) {
        assert.equal(w.cancel(h), model.delete(h.owner));
      } else {
        now += rng.nextInt(30);
        const due = [...model.entries()].filter(([, [d]]) => d <= now).sort((x, y) => x[1][0] - y[1][0] || x[1][1] - y[1][1]);
        const fired: number[] = [];
        w.advance(now, (t) => fired.push(t.owner));
        assert.deepEqual(fired, due.map(([id]) => id), `seed ${seed} step ${step}`);
        for (const id of fired) model.delete(id);
      }
      assert.equal(w.size, model.size);
      const min = Math.min(...[...model.values()].map(([d]) => d));
      assert.equal(w.nextDeadline(), min);
      for (const t of hs) assert.equal(t.isArmed(), model.has(t.owner));
    }
  }
});
