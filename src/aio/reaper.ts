// The completion reaper: the main thread's side of the helpers' completion rings. It drains
// them in rounds (each a microtask after the previous round's notifications, so requests
// their callbacks submitted are already queued), polls them briefly when a round finds
// nothing, and otherwise sleeps on the main bell with one Atomics.waitAsync, which a helper
// rings after it publishes (a notify only when the main thread sleeps). After REAP_ROUNDS
// rounds in a row it yields to the event loop.
//
// Guarantees: while the instance has requests outstanding on the helpers, a round is
// scheduled or the main thread sleeps on the bell, never neither. Never does: decide what a
// completion means (the sink's reap does), or block the event loop for more than aio_poll_us
// at a time. Bounded work: a round drains what is in the rings (at most aio_num entries);
// nothing is allocated per completion (one descriptor, reused).

import { ChanErr, type Doorbell, newRingDesc } from '../channel/index.js';
import type { Helper, HelperPool } from './pool.js';

/** Default aio_poll_us: about four 4 KiB page-cache reads, far below a sleep and wake-up. */
export const DEFAULT_POLL_US = 20;
/** Most sleeps the main thread takes without polling after polls that missed. */
const POLL_BACKOFF_MAX = 8;
/** Rounds of reaping without a sleep before the main thread yields to the event loop. */
const REAP_ROUNDS = 64;

/** What the reaper needs from its AIO instance. */
export interface ReapSink {
  /** Return how many requests are outstanding on the helpers. */
  outstanding(): number;
  /** Complete `slot` with `res` if it is still the request claimed with state word `claimed`; return whether it was. */
  reap(slot: number, claimed: number, res: number): boolean;
  /** After a round's completions (the overflow moves on, aio_suspend calls wake). */
  after(): void;
}

/** Reaps the completion rings of one instance's helpers. */
export class Reaper {
  /** The main bell (in the run queue's buffer); set when the run queue is made, before any request goes to a helper. */
  bell: Doorbell | null = null;
  /** Times the main thread went to sleep waiting for completions. */
  sleeps = 0;
  /** Completions reaped. */
  reaped = 0;
  private readonly pollUs: number;
  private readonly desc = newRingDesc();
  private sleeping = false;
  private scheduled = false;
  private rounds = 0;
  private pollBackoff = 0;
  private pollSkip = 0;

  /** Make a reaper of `pool`'s rings that polls up to `pollUs` microseconds (0: never) and reports to `sink`. */
  constructor(
    private readonly pool: HelperPool,
    pollUs: number,
    private readonly sink: ReapSink,
  ) {
    this.pollUs = Math.max(0, pollUs);
  }

  /** Make sure someone will reap completions while requests are outstanding. */
  ensure(): void {
    if (this.sleeping || this.scheduled) return;
    this.scheduled = true;
    this.rounds = 0;
    queueMicrotask(this.round);
  }

  /** Reap a helper's completion ring; return how many requests finished. */
  drain(h: Helper): number {
    const d = this.desc;
    let n = 0;
    while (h.comp.pop(d) === ChanErr.Ok) if (this.sink.reap(d.offset, d.user | 0, d.length | 0)) n++;
    this.reaped += n;
    return n;
  }

  /**
   * One round: drain every helper's completion ring; while that finds work, go again (up to
   * REAP_ROUNDS, then yield to the event loop). When it finds none, poll the rings for up to
   * `aio_poll_us` (only while the last poll paid off), then sleep on the main bell.
   */
  private readonly round = (): void => {
    this.scheduled = false;
    if (this.sink.outstanding() === 0) return;
    if (this.drainAll() > 0 || this.poll()) {
      this.sink.after();
      if (this.sink.outstanding() === 0) return;
      this.scheduled = true;
      if (++this.rounds < REAP_ROUNDS) queueMicrotask(this.round);
      else {
        this.rounds = 0;
        setImmediate(this.round);
      }
      return;
    }
    this.sleep();
  };

  /**
   * Busy-poll the completion rings for up to pollUs; return whether completions came (then
   * reaped). After a miss the next 1, 2, 4, 8 sleeps come without a poll (then every 8th
   * polls again; a hit resets it), so a slow device or a busy machine costs a miss per
   * eight sleeps at most, and a quiet one finds its way back to polling.
   */
  private poll(): boolean {
    if (this.pollUs <= 0) return false;
    if (this.pollSkip > 0) {
      this.pollSkip--;
      return false;
    }
    const end = performance.now() + this.pollUs / 1000;
    do {
      for (let i = 0; i < 8; i++) {
        if (this.anyCompletion()) {
          this.pollBackoff = 0;
          return this.drainAll() > 0;
        }
      }
    } while (performance.now() < end);
    this.pollBackoff = this.pollBackoff === 0 ? 1 : Math.min(2 * this.pollBackoff, POLL_BACKOFF_MAX);
    this.pollSkip = this.pollBackoff;
    return false;
  }

  private sleep(): void {
    const bell = this.bell!;
    bell.arm();
    // Seq-cst: the flag store above is ordered before the ring loads in anyCompletion (doorbell.ts).
    if (this.anyCompletion()) {
      bell.disarm();
      this.scheduled = true;
      queueMicrotask(this.round);
      return;
    }
    this.sleeping = true;
    this.sleeps++;
    void bell.waitAsync(Infinity).then(this.onWake); // no timeout: V8 then posts no timer task per sleep
  }

  private readonly onWake = (): void => {
    this.bell!.disarm();
    this.sleeping = false;
    this.rounds = 0;
    this.scheduled = true;
    this.round();
  };

  private anyCompletion(): boolean {
    for (const h of this.pool.list) if (h.comp.consumePeek(1) !== 0) return true;
    return false;
  }

  private drainAll(): number {
    let n = 0;
    for (const h of this.pool.list) n += this.drain(h);
    return n;
  }
}
