// The shared run queue: glibc's runlist (sysdeps/pthread/aio_misc.c) moved into shared memory
// so that a helper takes its next request itself, with no round trip through the main thread.
// One FIFO per priority level (aio_reqprio 0..AIO_PRIO_DELTA_MAX); a helper always takes from
// the lowest non-empty level, so requests start in priority order and, within a level, in the
// order they became runnable, which is exactly the order glibc's runlist gives them.
//
// Each FIFO has one producer (the main thread) and several consumers (the helpers): a
// single-producer multi-consumer ring. An entry is (slot, tag): the request-table slot and the
// value its state word holds while the request waits. A helper claims an entry by moving the
// consumer index forward with compareExchange, then claims the request by moving the slot's
// state word from tag to tag + 1 (queued -> running) with compareExchange; the main thread
// cancels a waiting request by moving the same word from tag to tag + 2. Exactly one of the
// two wins, so a request is either run once or canceled, never both. The tag carries a
// generation that changes every time a slot is reused, so a stale entry (a canceled request
// whose slot already serves another one) fails the claim and is skipped.
//
// Sleeping. A helper that finds no work polls for a short while, then sleeps on the `work`
// word. The main thread wakes helpers only when some are asleep (the `sleepers` count): the
// need-wakeup idea of channel/doorbell.ts with several sleepers. Completions travel the other
// way on each helper's own SPSC completion ring (src/channel); one Doorbell (the "main bell")
// in this buffer lets the main thread sleep on all of them at once with one Atomics.waitAsync.
//
// Memory ordering (every JS Atomics operation is sequentially consistent; see channel/ring.ts):
//   - The main thread writes an entry and the slot's table words with plain stores, then
//     publishes with Atomics.store of the level's producer index. A helper reads the producer
//     index with Atomics.load before it reads the entry, and the table words after its claim,
//     so it sees them complete.
//   - A helper reads the entry *before* its compareExchange on the consumer index. The main
//     thread overwrites an entry only when the consumer index shows it consumed, which takes a
//     successful compareExchange past it; so if ours succeeds, nobody moved the index after we
//     read the entry, and the entry we read was the live one.
//   - No lost wake-up (Dekker's pattern, as in channel/doorbell.ts):
//       helper: t = load(work); add(sleepers, 1); if hasWork(): undo, run  else wait(work, t)
//       main:   store(prod);    if load(sleepers) > 0: add(work, 1); notify(work)
//     If the helper's hasWork() missed the store, the main thread's load(sleepers) comes later
//     in the total order and sees the helper counted, so it bumps `work`, and the helper's wait
//     either sees the new value at once or is woken.
//   - `idle` (helpers polling, sleeping or starting) only decides whether to start another
//     helper; a helper leaving the idle count re-checks the queue afterwards, so no request is
//     left behind when the last idle helper retires.
// Atomics outside src/channel: this structure is aio's own (an SPMC ring with a claim word),
// kept here beside its only user.

import { AIO_PRIO_DELTA_MAX } from './aiocb.js';

/** Priority levels: aio_reqprio 0..AIO_PRIO_DELTA_MAX. */
export const RQ_LEVELS = AIO_PRIO_DELTA_MAX + 1;

/** Slot state (low two bits of a slot's state word): waiting in the run queue. */
export const ST_QUEUED = 1;
/** Slot state: claimed by a helper. */
export const ST_RUNNING = 2;
/** Slot state: canceled by the main thread before a helper claimed it. */
export const ST_CANCELED = 3;

// Word indices of the control block (Int32Array), one 128-byte line per group.
const WORK = 0; // futex word helpers sleep on
const SLEEPERS = 1; // helpers inside (or about to enter) Atomics.wait
const IDLE = 32; // helpers polling, sleeping or starting
const BELL_FLAG = 64; // main bell: need-wakeup flag
const BELL_WORD = 65; // main bell: wait/notify counter
const MASK = 96; // bit L set once level L was ever used (main writes; helpers scan only those)
const CTRL_WORDS = 128;
const LEVEL_WORDS = 64; // per level: prod at +0, cons at +32 (separate lines)

/** Index of the main bell's flag and counter words in `RunQueue.ctrl` (for channel's Doorbell). */
export const MAIN_BELL_FLAG = BELL_FLAG;
/** See MAIN_BELL_FLAG. */
export const MAIN_BELL_WORD = BELL_WORD;

/** Everything a thread needs to attach to a run queue. */
export interface RunQueueSpec {
  readonly buffer: SharedArrayBuffer;
  /** Entries per level, a power of two. */
  readonly size: number;
}

/** Return the spec of a new run queue with room for `capacity` entries per level. */
export function createRunQueue(capacity: number): RunQueueSpec {
  let size = 2;
  while (size < capacity) size <<= 1;
  const bytes = (CTRL_WORDS + RQ_LEVELS * LEVEL_WORDS + RQ_LEVELS * size * 2) * 4;
  return { buffer: new SharedArrayBuffer(bytes), size };
}

/** One thread's handle on the run queue (main thread: push/wake; helpers: claim/sleep). */
export class RunQueue {
  /** The control words (wake-up counters, idle count, the main bell, the level mask). */
  readonly ctrl: Int32Array;
  private readonly levels: Int32Array;
  private readonly entries: Int32Array;
  private readonly size: number;
  private readonly mask: number;
  /** Main thread only: its copy of each level's producer index. */
  private readonly prodLocal: Int32Array;

  /** Attach to the queue `spec` describes. */
  constructor(spec: RunQueueSpec) {
    this.size = spec.size;
    this.mask = spec.size - 1;
    this.ctrl = new Int32Array(spec.buffer, 0, CTRL_WORDS);
    this.levels = new Int32Array(spec.buffer, CTRL_WORDS * 4, RQ_LEVELS * LEVEL_WORDS);
    this.entries = new Int32Array(spec.buffer, (CTRL_WORDS + RQ_LEVELS * LEVEL_WORDS) * 4, RQ_LEVELS * spec.size * 2);
    this.prodLocal = new Int32Array(RQ_LEVELS);
    for (let l = 0; l < RQ_LEVELS; l++) this.prodLocal[l] = Atomics.load(this.levels, l * LEVEL_WORDS);
  }

  // ---- main thread (the only producer) ----

  /**
   * Append (slot, tag) to level `level` and publish it; return false when the level is full
   * (the caller keeps the request and tries again after completions). Bounded work: O(1).
   */
  push(level: number, slot: number, tag: number): boolean {
    const base = level * LEVEL_WORDS;
    const p = this.prodLocal[level]!;
    // Acquire: entries below cons are no longer read by any helper (see the header).
    if (((p - Atomics.load(this.levels, base + 32)) | 0) >= this.size) return false;
    const e = (level * this.size + (p & this.mask)) * 2;
    this.entries[e] = slot;
    this.entries[e + 1] = tag;
    if ((this.ctrl[MASK]! & (1 << level)) === 0) Atomics.or(this.ctrl, MASK, 1 << level);
    this.prodLocal[level] = (p + 1) | 0;
    Atomics.store(this.levels, base, (p + 1) | 0); // release: the entry and the slot's words
    return true;
  }

  /** Wake up to `n` sleeping helpers; return whether any was asleep. Call after a burst of pushes. */
  wake(n: number): boolean {
    if (Atomics.load(this.ctrl, SLEEPERS) === 0) return false;
    Atomics.add(this.ctrl, WORK, 1);
    Atomics.notify(this.ctrl, WORK, n);
    return true;
  }

  /** Return the number of helpers polling, sleeping or starting (a hint for starting helpers). */
  idleHelpers(): number {
    return Atomics.load(this.ctrl, IDLE);
  }

  /** Count a helper about to start as idle (main thread, at spawn; the helper takes it over). */
  addIdle(n: number): void {
    Atomics.add(this.ctrl, IDLE, n);
  }

  /** Return how many entries of `level` wait to be claimed (stale canceled ones included). */
  pending(level: number): number {
    const base = level * LEVEL_WORDS;
    return (this.prodLocal[level]! - Atomics.load(this.levels, base + 32)) | 0;
  }

  // ---- helpers (the consumers) ----

  /** Return whether some level has an entry (helpers; a fresh look at every used level). */
  hasWork(): boolean {
    const used = Atomics.load(this.ctrl, MASK);
    for (let l = 0; l < RQ_LEVELS; l++) {
      if ((used & (1 << l)) === 0) continue;
      const base = l * LEVEL_WORDS;
      if (Atomics.load(this.levels, base) !== Atomics.load(this.levels, base + 32)) return true;
    }
    return false;
  }

  /**
   * Take the first entry of the lowest non-empty level and claim its request by moving the
   * slot's state word `states[slot]` from its tag to tag + 1 (running); return the slot, or
   * -1 when the queue is empty. Entries whose claim fails (canceled) are skipped.
   */
  claim(states: Int32Array, stateStride: number, stateWord: number): number {
    const used = Atomics.load(this.ctrl, MASK);
    for (let l = 0; l < RQ_LEVELS; l++) {
      if ((used & (1 << l)) === 0) continue;
      const base = l * LEVEL_WORDS;
      for (;;) {
        const c = Atomics.load(this.levels, base + 32);
        if (Atomics.load(this.levels, base) === c) break; // acquire: entries below prod are written
        const e = (l * this.size + (c & this.mask)) * 2;
        const slot = this.entries[e]!;
        const tag = this.entries[e + 1]!;
        if (Atomics.compareExchange(this.levels, base + 32, c, (c + 1) | 0) !== c) continue; // another helper took it
        const w = slot * stateStride + stateWord;
        if (Atomics.compareExchange(states, w, tag, (tag + 1) | 0) === tag) return slot;
        // Canceled, or a stale entry of a reused slot: skip it.
      }
    }
    return -1;
  }

  /** Leave the idle count (a helper that found work); it must look at the queue afterwards. */
  leaveIdle(): void {
    Atomics.sub(this.ctrl, IDLE, 1);
  }

  /** Enter the idle count (a helper that found no work). */
  enterIdle(): void {
    Atomics.add(this.ctrl, IDLE, 1);
  }

  /**
   * Sleep until the main thread publishes work or `timeoutMs` passes; return false on a
   * timeout with still no work. The helper must be in the idle count.
   */
  sleep(timeoutMs: number): boolean {
    const t = Atomics.load(this.ctrl, WORK);
    Atomics.add(this.ctrl, SLEEPERS, 1);
    let r: string = 'ok';
    if (!this.hasWork()) r = Atomics.wait(this.ctrl, WORK, t, timeoutMs);
    Atomics.sub(this.ctrl, SLEEPERS, 1);
    return r !== 'timed-out' || this.hasWork();
  }
}
