// The deterministic driver for tests and simulations. Hosts and other nodes run on a
// VirtualClock: `step()` polls every node until all are idle, then moves the clock to
// the earliest deadline any node or device reports (`pollAt()`), so a 30-second ARP
// timeout or a 2-minute TIME-WAIT takes no wall time, and the same inputs always produce
// the same run. Scheduled callbacks (`at`, `after`) let a scenario act at given times.
//
// Bounded work: a settle round stops after `maxRoundsPerStep` polls of all nodes (a node
// that always reports work is a bug: the step throws NETCH_ERR_SIM_LIVELOCK); runUntil
// stops at `maxTime` of virtual time or `maxSteps` steps.

import { type Millis, VirtualClock } from '../time.js';
import type { Deadline, PollNode } from './node.js';

/** Options of a simulation. */
export interface SimOptions {
  /** The clock to drive (default: a new VirtualClock at 0). */
  clock?: VirtualClock;
  /** Poll rounds per settle before declaring a livelock (default 100000). */
  maxRoundsPerStep?: number;
}

/** Limits of `runUntil`. */
export interface RunOptions {
  /** Virtual milliseconds from now after which to give up (default 60000). */
  maxTime?: Millis;
  /** Steps after which to give up (default 1000000). */
  maxSteps?: number;
}

interface Scheduled {
  at: Millis;
  seq: number;
  fn: (now: Millis) => void;
}

function simError(code: string, message: string): Error {
  const e = new Error(`${code}: ${message}`) as Error & { code: string };
  e.code = code;
  return e;
}

/** A deterministic simulation of nodes on a virtual clock. */
export class Sim {
  readonly clock: VirtualClock;
  private readonly nodes: PollNode[] = [];
  private readonly deadlines: Deadline[] = [];
  private readonly timers: Scheduled[] = [];
  private seq = 0;
  private stuck = 0;
  private readonly maxRounds: number;

  constructor(opts: SimOptions = {}) {
    this.clock = opts.clock ?? new VirtualClock();
    this.maxRounds = opts.maxRoundsPerStep ?? 100_000;
  }

  /** Return the virtual time. */
  now(): Millis {
    return this.clock.now();
  }

  /** Add nodes (hosts) to poll; return this. */
  add(...nodes: PollNode[]): this {
    for (const n of nodes) if (!this.nodes.includes(n)) this.nodes.push(n);
    return this;
  }

  /** Add devices (or anything with a deadline) not attached to a node; return this. */
  addDevice(...devs: Deadline[]): this {
    for (const d of devs) if (!this.deadlines.includes(d)) this.deadlines.push(d);
    return this;
  }

  /** Remove a node. */
  remove(node: PollNode): void {
    const i = this.nodes.indexOf(node);
    if (i >= 0) this.nodes.splice(i, 1);
  }

  /** Call `fn(now)` when the clock reaches `at` (callbacks at equal times run in order added). */
  at(at: Millis, fn: (now: Millis) => void): void {
    this.timers.push({ at, seq: this.seq++, fn });
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** Call `fn(now)` after `ms` of virtual time. */
  after(ms: Millis, fn: (now: Millis) => void): void {
    this.at(this.clock.now() + ms, fn);
  }

  /**
   * Run due callbacks and poll every node until all are idle; return the number of
   * polls that did work. Errors: throws NETCH_ERR_SIM_LIVELOCK past maxRoundsPerStep.
   */
  settle(): number {
    let total = 0;
    for (let round = 0; ; round++) {
      if (round >= this.maxRounds) throw simError('NETCH_ERR_SIM_LIVELOCK', `nodes still busy after ${round} poll rounds at t=${this.clock.now()}`);
      let work = this.runTimers();
      const now = this.clock.now();
      for (const n of this.nodes) {
        const w = n.poll(now);
        if (w > 0) {
          work += w;
          total++;
        }
      }
      // Stop at the first idle round, but never before a second one: a device may hand
      // frames to its peer while reporting no work (a fault injector releasing delayed
      // frames at the first receive of an instant), and the peer may have been polled
      // earlier in that round.
      if (work === 0 && round >= 1) return total;
    }
  }

  /** Return the earliest deadline of nodes, devices and callbacks (Infinity when none). */
  nextDeadline(): Millis {
    let t = this.timers.length > 0 ? this.timers[0]!.at : Infinity;
    for (const n of this.nodes) t = Math.min(t, n.pollAt());
    for (const d of this.deadlines) t = Math.min(t, d.pollAt());
    return t;
  }

  /**
   * Settle, then advance the clock to the next deadline (no further than `limit`) and
   * settle again; return false when nothing is scheduled (the simulation is quiescent).
   */
  step(limit: Millis = Infinity): boolean {
    this.settle();
    const next = this.nextDeadline();
    if (next === Infinity && limit === Infinity) return false;
    this.moveTo(Math.min(next, limit));
    return true;
  }

  /**
   * Step until `pred()` holds; return true when it did, false when `maxTime` of virtual
   * time passed or nothing was left to happen (the clock then stands at the limit, or
   * where the simulation went quiet).
   */
  runUntil(pred: () => boolean, opts: RunOptions = {}): boolean {
    const end = this.clock.now() + (opts.maxTime ?? 60_000);
    const maxSteps = opts.maxSteps ?? 1_000_000;
    this.settle();
    for (let steps = 0; steps < maxSteps; steps++) {
      if (pred()) return true;
      const next = this.nextDeadline();
      if (next > end) {
        if (next !== Infinity) {
          this.clock.advanceTo(end);
          this.settle();
        }
        return pred();
      }
      this.moveTo(next);
    }
    return pred();
  }

  /** Run for `ms` of virtual time, handling everything due in between; the clock ends at now + ms. */
  runFor(ms: Millis): void {
    const end = this.clock.now() + ms;
    this.settle();
    for (let next = this.nextDeadline(); next <= end; next = this.nextDeadline()) this.moveTo(next);
    this.clock.advanceTo(end);
    this.settle();
  }

  /** Run until nothing is scheduled or `maxTime` passed; return true when quiescent. */
  runUntilIdle(opts: RunOptions = {}): boolean {
    return this.runUntil(() => this.nextDeadline() === Infinity, opts);
  }

  /**
   * Advance the clock to `t` (if later) and settle. A deadline that polling leaves in the
   * past would make the simulation spin at one instant: after 1000 such moves in a row
   * it throws NETCH_ERR_SIM_STUCK.
   */
  private moveTo(t: Millis): void {
    if (t > this.clock.now()) {
      this.stuck = 0;
      this.clock.advanceTo(t);
    } else if (++this.stuck > 1000) {
      throw simError('NETCH_ERR_SIM_STUCK', `a deadline at ${t} stays due at t=${this.clock.now()} after polling`);
    }
    this.settle();
  }

  private runTimers(): number {
    const now = this.clock.now();
    let n = 0;
    while (this.timers.length > 0 && this.timers[0]!.at <= now) {
      const t = this.timers.shift()!;
      t.fn(now);
      n++;
    }
    return n;
  }
}
