// The doorbell: how a consumer that found its ring empty goes to sleep, and how the producer
// wakes it, without a lost wake-up and without paying for a notify on every publish. It is
// the need-wakeup protocol of AF_XDP (XDP_RING_NEED_WAKEUP): the sleeper raises a flag, the
// producer looks at the flag after it publishes, and only a raised flag costs a notify.
//
// Two words of the ring header are used, both on their own cache line (the "cold" line:
// touched only around sleeps, never per descriptor):
//   flag  1 while the consumer asks to be woken; set by the consumer, cleared by whoever
//         takes it (the producer, with compareExchange, so one sleep gets one notify).
//   bell  a counter the producer bumps before Atomics.notify; the consumer waits on the
//         value it read before raising the flag.
//
// Why no wake-up is lost (all JS Atomics operations are sequentially consistent, so they
// appear in one total order that every thread agrees on):
//   consumer: t = load(bell); store(flag, 1); p = load(prod);  if p shows work: don't sleep
//                                                              else wait(bell, t)
//   producer: store(prod, p'); if load(flag) == 1 and CAS(flag, 1 -> 0): add(bell, 1); notify
// This is Dekker's pattern. If the consumer's load(prod) did not see p', then the
// producer's store(prod) comes after that load in the total order, so the producer's
// load(flag), later still, sees the consumer's store(flag, 1) and rings. Its add(bell)
// either precedes the consumer's wait (the bell no longer equals t: wait returns
// "not-equal" at once) or follows it (notify wakes the waiter). Either way the consumer
// wakes. A producer that finds the flag down pays one plain-cost load and no notify.

import { ChanErr } from './errors.js';

type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
type WaitAsyncFn = (a: Int32Array, index: number, value: number, timeout?: number) => WaitAsyncResult;

// Atomics.waitAsync is ES2024 (Node >= 16 has it); the ES2022 lib does not declare it.
const waitAsyncFn: WaitAsyncFn | undefined = (Atomics as unknown as { waitAsync?: WaitAsyncFn }).waitAsync;

const RESOLVED_OK: Promise<number> = Promise.resolve(ChanErr.Ok);
const RESOLVED_NOT_SHARED: Promise<number> = Promise.resolve(ChanErr.NotShared);

function codeOfWaitResult(r: string): number {
  return r === 'timed-out' ? ChanErr.TimedOut : ChanErr.Ok;
}

/** A need-wakeup flag and a wait/notify counter in two words of a ring header. */
export class Doorbell {
  /** The header words holding the flag and the bell. */
  readonly words: Int32Array;
  /** Index of the need-wakeup flag in `words`. */
  readonly flagIndex: number;
  /** Index of the bell counter in `words`. */
  readonly bellIndex: number;
  /** Whether the words live in a SharedArrayBuffer (waiting needs one). */
  readonly shared: boolean;
  /** Wake-ups this side has delivered (producer side); a counter for tests and stats. */
  notifies = 0;
  /** The bell value captured by the last `arm()` (consumer side). */
  token = 0;

  constructor(words: Int32Array, flagIndex: number, bellIndex: number) {
    this.words = words;
    this.flagIndex = flagIndex;
    this.bellIndex = bellIndex;
    this.shared = typeof SharedArrayBuffer !== 'undefined' && words.buffer instanceof SharedArrayBuffer;
  }

  /**
   * Raise the need-wakeup flag (consumer side), remembering the bell value to wait on.
   * The caller must re-check its ring after this and `disarm()` if it found work.
   */
  arm(): void {
    this.token = Atomics.load(this.words, this.bellIndex);
    Atomics.store(this.words, this.flagIndex, 1);
  }

  /** Lower the need-wakeup flag (consumer side). */
  disarm(): void {
    Atomics.store(this.words, this.flagIndex, 0);
  }

  /** Return whether the need-wakeup flag is raised. */
  isArmed(): boolean {
    return Atomics.load(this.words, this.flagIndex) !== 0;
  }

  /**
   * Wake the consumer if it asked to be woken (producer side, after publishing); return
   * whether it had asked. Takes the flag, so one sleep costs at most one notify.
   */
  ring(): boolean {
    if (Atomics.load(this.words, this.flagIndex) === 0) return false;
    if (Atomics.compareExchange(this.words, this.flagIndex, 1, 0) !== 1) return false;
    this.kick();
    this.notifies++;
    return true;
  }

  /** Bump the bell and wake every waiter, flag or not (used by close). */
  kick(): void {
    Atomics.add(this.words, this.bellIndex, 1);
    if (this.shared) Atomics.notify(this.words, this.bellIndex);
  }

  /**
   * Block this thread until the bell moves past the armed token or `timeoutMs` elapses;
   * return ChanErr.Ok (woken, or the bell had already moved), ChanErr.TimedOut, or
   * ChanErr.NotShared. Not for a browser main thread; Node allows it anywhere.
   */
  waitSync(timeoutMs: number): number {
    if (!this.shared) return ChanErr.NotShared;
    return codeOfWaitResult(Atomics.wait(this.words, this.bellIndex, this.token, timeoutMs));
  }

  /**
   * Wait without blocking until the bell moves past the armed token or `timeoutMs`
   * elapses; resolve to ChanErr.Ok, ChanErr.TimedOut or ChanErr.NotShared.
   * A pending wait does not keep Node's event loop alive.
   */
  waitAsync(timeoutMs: number): Promise<number> {
    if (!this.shared || waitAsyncFn === undefined) return RESOLVED_NOT_SHARED;
    const r = waitAsyncFn(this.words, this.bellIndex, this.token, timeoutMs);
    if (!r.async) return r.value === 'timed-out' ? Promise.resolve(ChanErr.TimedOut) : RESOLVED_OK;
    return r.value.then(codeOfWaitResult);
  }
}
