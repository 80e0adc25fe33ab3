// The real-time driver: runs nodes (hosts) on the event loop with a RealClock. A node is
// polled when it asks (its devices received frames, a send started a timer: the wakeup
// callback) and when its next deadline comes (`pollAt()`), never in a busy loop: between
// those the process sleeps in libuv. One `setImmediate` serves all wake-ups until it runs;
// one `setTimeout` stands for the earliest deadline and is re-armed only when that moves.
//
// Bounded work: a run polls all nodes at most `maxRoundsPerRun` times, then yields to the
// event loop (setImmediate) so I/O and timers of the rest of the process keep running.

import { type Clock, type Millis, RealClock } from '../time.js';
import { netchError } from '../iface/errors.js';
import type { PollNode } from './node.js';

/** Options of a real-time loop. */
export interface LoopOptions {
  /** Time source (default RealClock, performance.now()). */
  clock?: Clock;
  /** Let the process exit while only this loop's deadline timer is pending (default false). */
  unref?: boolean;
  /** Poll rounds per run before yielding to the event loop (default 16). */
  maxRoundsPerRun?: number;
}

/** A real-time driver for nodes. */
export class Loop {
  readonly clock: Clock;
  private readonly nodes: PollNode[] = [];
  private readonly unref: boolean;
  private readonly maxRounds: number;
  private running = false;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt: Millis = Infinity;
  private readonly runBound = (): void => this.run();
  private readonly timerBound = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    this.run();
  };
  private readonly wakeBound = (): void => this.wake();

  /** Create a stopped loop. Errors: EINVAL when `maxRoundsPerRun` is not a positive integer. */
  constructor(opts: LoopOptions = {}) {
    this.clock = opts.clock ?? new RealClock();
    this.unref = opts.unref === true;
    const rounds = opts.maxRoundsPerRun ?? 16;
    // 0 (or NaN) rounds would never poll a node yet keep rescheduling: a busy spin.
    if (!Number.isInteger(rounds) || rounds < 1) throw netchError('EINVAL', `maxRoundsPerRun ${rounds} is not a positive integer`, { syscall: 'Loop' });
    this.maxRounds = rounds;
  }

  /** Return whether the loop is started. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Add a node; it is polled from the next run on. Return this. */
  add(node: PollNode): this {
    if (this.nodes.includes(node)) return this;
    this.nodes.push(node);
    if (this.running) {
      node.setWakeup?.(this.wakeBound);
      this.wake();
    }
    return this;
  }

  /** Remove a node (its wakeup is cancelled). */
  remove(node: PollNode): void {
    const i = this.nodes.indexOf(node);
    if (i < 0) return;
    this.nodes.splice(i, 1);
    if (this.running) node.setWakeup?.(null);
  }

  /** Start polling: wire wakeups and run once soon. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const n of this.nodes) n.setWakeup?.(this.wakeBound);
    this.wake();
  }

  /** Stop: cancel wakeups and timers. Nodes keep their state; start() resumes. Idempotent. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const n of this.nodes) n.setWakeup?.(null);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    this.clearTimer();
  }

  /** Schedule a run on the next turn of the event loop (coalesced). */
  wake(): void {
    if (!this.running || this.immediate !== null) return;
    this.immediate = setImmediate(this.runBound);
  }

  /** Poll every node until idle or the round budget is spent, then schedule the next run. */
  private run(): void {
    this.immediate = null;
    if (!this.running) return;
    let busy = false;
    for (let round = 0; round < this.maxRounds; round++) {
      const now = this.clock.now();
      let work = 0;
      for (const n of this.nodes) work += n.poll(now);
      busy = work > 0;
      if (!busy) break;
    }
    if (!this.running) return;
    if (busy) {
      this.wake(); // budget spent with work left: yield, then continue
      return;
    }
    let next = Infinity;
    for (const n of this.nodes) next = Math.min(next, n.pollAt());
    if (next === Infinity) {
      this.clearTimer();
      return;
    }
    const delay = next - this.clock.now();
    if (delay <= 0) {
      this.wake();
      return;
    }
    if (this.timer !== null && this.timerAt === next) return;
    this.clearTimer();
    // setTimeout fires no earlier than asked, in whole milliseconds; round up so the
    // deadline has passed when we poll.
    this.timer = setTimeout(this.timerBound, Math.ceil(delay));
    if (this.unref) this.timer.unref();
    this.timerAt = next;
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }
}
