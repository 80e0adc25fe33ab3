import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sim } from './sim.js';
import type { PollNode } from './node.js';
import type { Millis } from '../time.js';

/** A node with a list of deadlines; each poll at or past one consumes it. */
class Timers implements PollNode {
  fired: Millis[] = [];
  constructor(public due: Millis[]) {}
  poll(now: Millis): number {
    let n = 0;
    while (this.due.length > 0 && this.due[0]! <= now) {
      this.due.shift();
      this.fired.push(now);
      n++;
    }
    return n;
  }
  pollAt(): Millis {
    return this.due.length > 0 ? this.due[0]! : Infinity;
  }
}

test('step jumps the clock from deadline to deadline and reports quiescence', () => {
  const t = new Timers([5, 5, 20, 1000]);
  const sim = new Sim().add(t);
  assert.equal(sim.step(), true);
  assert.equal(sim.now(), 5);
  assert.equal(sim.step(), true);
  assert.equal(sim.now(), 20);
  assert.equal(sim.step(100), true, 'a limit stops the clock short');
  assert.equal(sim.now(), 100);
  assert.equal(sim.step(), true);
  assert.equal(sim.step(), false);
  assert.deepEqual(t.fired, [5, 5, 20, 1000]);
});

test('runUntil stops when the predicate holds, or at maxTime with the clock there', () => {
  const t = new Timers([10, 20, 30, 5000]);
  const sim = new Sim().add(t);
  assert.equal(sim.runUntil(() => t.fired.length === 2), true);
  assert.equal(sim.now(), 20);
  assert.equal(sim.runUntil(() => t.fired.length === 4, { maxTime: 1000 }), false);
  assert.equal(sim.now(), 1020);
  assert.deepEqual(t.fired, [10, 20, 30]);
  assert.equal(sim.runUntil(() => false), false, 'quiescent after the last deadline');
  assert.equal(sim.now(), 5000);
});

test('runFor handles everything due and ends exactly at now + ms; callbacks run in time order', () => {
  const sim = new Sim();
  const log: string[] = [];
  sim.at(30, (now) => log.push(`b@${now}`));
  sim.at(10, (now) => log.push(`a@${now}`));
  sim.at(10, (now) => {
    log.push(`a2@${now}`);
    sim.after(5, (n) => log.push(`c@${n}`));
  });
  sim.runFor(25);
  assert.equal(sim.now(), 25);
  assert.deepEqual(log, ['a@10', 'a2@10', 'c@15']);
  sim.runFor(10);
  assert.deepEqual(log, ['a@10', 'a2@10', 'c@15', 'b@30']);
});

test('a node that is always busy is a livelock; a deadline that never clears is stuck', () => {
  const busy: PollNode = { poll: () => 1, pollAt: () => Infinity };
  assert.throws(() => new Sim({ maxRoundsPerStep: 50 }).add(busy).settle(), { code: 'NETCH_ERR_SIM_LIVELOCK' });
  const stuck: PollNode = { poll: () => 0, pollAt: () => 0 };
  assert.throws(() => new Sim().add(stuck).runFor(10), { code: 'NETCH_ERR_SIM_STUCK' });
});

test('devices added without a node still set deadlines', () => {
  const sim = new Sim().addDevice({ pollAt: () => 42 });
  sim.step();
  assert.equal(sim.now(), 42);
});
