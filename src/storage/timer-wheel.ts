// Timers for the transport layer (retransmission, delayed ACK, keepalive, TIME-WAIT,
// persist), driven by the injected clock: nothing here reads the time, every call is given
// `now`. Despite the file's name it is not a hashed wheel but a binary min-heap of deadlines,
// which fires timers in exact deadline order (a wheel only orders them to a slot's
// granularity) at a cost that is just as flat in practice:
//   schedule / cancel / reschedule   O(log n)
//   advance with nothing due         O(1): one look at the root
//   nextDeadline                     O(1)
// An idle connection costs nothing per tick: there is no scan of all timers.
//
// Handles are intrusive, the way Linux's `struct timer_list` is: the caller allocates one
// TimerHandle per timer it will ever need (a socket owns its retransmit handle, its
// delayed-ACK handle...) and the heap only stores references to them, so scheduling allocates
// nothing once the heap's array has grown to the largest number of timers armed at once.
//
// Ties: timers with the same deadline fire in the order they were (re)scheduled.

import type { Millis } from '../time.js';

/** A timer owned by the caller; the heap links it in while it is armed. */
export class TimerHandle<T = unknown> {
  /** The time the timer fires, or Infinity while it is not armed. */
  deadline: Millis = Infinity;
  /** The caller's object this timer belongs to (a socket). */
  owner: T;
  /** The caller's tag telling its timers apart (retransmit, delayed ACK...). */
  kind: number;
  /** Position in the heap, or -1 while not armed; maintained by TimerWheel only. */
  heapIndex = -1;
  /** Scheduling order, for ties; maintained by TimerWheel only. */
  seq = 0;

  /** Create an unarmed timer belonging to `owner`, tagged `kind`. */
  constructor(owner: T, kind = 0) {
    this.owner = owner;
    this.kind = kind;
  }

  /** Return true while the timer is armed. */
  isArmed(): boolean {
    return this.heapIndex >= 0;
  }
}

/** The callback `advance` calls for each timer that fires. */
export type TimerCallback<T> = (handle: TimerHandle<T>, now: Millis) => void;

/** A set of armed timers ordered by deadline. */
export class TimerWheel<T = unknown> {
  private heap: TimerHandle<T>[] = [];
  private n = 0;
  private nextSeq = 0;

  /** The number of armed timers. */
  get size(): number {
    return this.n;
  }

  /** Return the earliest deadline of an armed timer, or Infinity when none is armed. */
  nextDeadline(): Millis {
    return this.n === 0 ? Infinity : this.heap[0]!.deadline;
  }

  /**
   * Arm `h` to fire at `deadline`; if it is armed already (in this wheel), move it.
   * A handle belongs to one wheel at a time.
   */
  schedule(h: TimerHandle<T>, deadline: Millis): void {
    if (deadline !== deadline) deadline = Infinity; // NaN would break the heap order: treat it as never
    h.seq = this.nextSeq++;
    if (h.heapIndex >= 0) {
      const old = h.deadline;
      h.deadline = deadline;
      if (deadline < old) this.siftUp(h.heapIndex);
      else this.siftDown(h.heapIndex);
      return;
    }
    h.deadline = deadline;
    const i = this.n++;
    if (i === this.heap.length) this.heap.push(h);
    else this.heap[i] = h;
    h.heapIndex = i;
    this.siftUp(i);
  }

  /** Move an armed or unarmed timer to `deadline` (the same as `schedule`). */
  reschedule(h: TimerHandle<T>, deadline: Millis): void {
    this.schedule(h, deadline);
  }

  /** Disarm `h` (null: a timer never made, so not armed); return true when it was armed. */
  cancel(h: TimerHandle<T> | null): boolean {
    if (h === null) return false;
    const i = h.heapIndex;
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }

  /**
   * Fire, in deadline order, every timer whose deadline is at or before `now`, up to `max`
   * of them: each is disarmed and then passed to `cb`, which may arm it (or any other timer)
   * again. Return how many fired.
   * Bounded work: a timer armed from inside `cb` is not fired by the same call, even when
   * its deadline has passed, so a callback that re-arms at `now` cannot loop forever; call
   * again while `nextDeadline() <= now`.
   */
  advance(now: Millis, cb: TimerCallback<T>, max: number = Infinity): number {
    const limit = this.nextSeq;
    let fired = 0;
    while (fired < max && this.n > 0) {
      const h = this.heap[0]!;
      if (h.deadline > now || h.seq >= limit) break;
      this.removeAt(0);
      fired++;
      cb(h, now);
    }
    return fired;
  }

  /** Disarm every timer. */
  clear(): void {
    for (let i = 0; i < this.n; i++) {
      const h = this.heap[i]!;
      h.heapIndex = -1;
      h.deadline = Infinity;
    }
    this.n = 0;
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const h = heap[i]!;
    const last = --this.n;
    h.heapIndex = -1;
    h.deadline = Infinity;
    if (i !== last) {
      const moved = heap[last]!;
      heap[i] = moved;
      moved.heapIndex = i;
      // The moved timer may belong above or below its new place.
      if (i > 0 && before(moved, heap[(i - 1) >> 1]!)) this.siftUp(i);
      else this.siftDown(i);
    }
    // Keep the array's length (no shrinking, no reallocation), but drop the reference.
    heap[last] = PLACEHOLDER as TimerHandle<T>;
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const h = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!before(h, parent)) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    heap[i] = h;
    h.heapIndex = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = this.n;
    const h = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(heap[r]!, heap[l]!) ? r : l;
      const child = heap[c]!;
      if (!before(child, h)) break;
      heap[i] = child;
      child.heapIndex = i;
      i = c;
    }
    heap[i] = h;
    h.heapIndex = i;
  }
}

/** Return true when `a` fires before `b`: earlier deadline, then earlier scheduling. */
function before(a: TimerHandle<unknown>, b: TimerHandle<unknown>): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

/** Fills vacated heap slots so the array keeps one element type and no stale reference. */
const PLACEHOLDER = new TimerHandle<unknown>(null, -1);
