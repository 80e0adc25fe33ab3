// Completion notifications (glibc: __aio_notify): SIGEV_THREAD calls and SIGEV_SIGNAL
// events, queued as requests complete and run together in one microtask, in completion
// order, on the main thread (where glibc starts a thread per SIGEV_THREAD notification).
//
// Bounded work: O(1) to queue; a run calls each note once. Nothing is allocated per note: three
// parallel arrays, reused from index 0 after every run (they grow to the most notes queued
// at once, and stay), where push/splice would allocate a new backing store or result array.

import { SIGEV_SIGNAL, SIGEV_THREAD, type Sigevent } from './aiocb.js';

/** The notifications of one AIO instance waiting for their microtask. */
export class NoteQueue {
  /** SIGEV_THREAD or SIGEV_SIGNAL, per note. */
  private readonly kind: number[] = [];
  /** The function (SIGEV_THREAD) or the signal number (SIGEV_SIGNAL). */
  private readonly target: unknown[] = [];
  private readonly value: unknown[] = [];
  private head = 0;
  private tail = 0;
  private scheduled = false;

  /** Make a queue that delivers SIGEV_SIGNAL notes to `signal`. */
  constructor(private readonly signal: (signo: number, value: unknown) => void) {}

  /** Queue the notification `s` asks for (none for null or SIGEV_NONE). */
  push(s: Sigevent | null | undefined): void {
    if (s === null || s === undefined) return;
    const t = this.tail;
    if (s.sigev_notify === SIGEV_THREAD && s.sigev_notify_function !== null) {
      this.kind[t] = SIGEV_THREAD;
      this.target[t] = s.sigev_notify_function;
    } else if (s.sigev_notify === SIGEV_SIGNAL) {
      this.kind[t] = SIGEV_SIGNAL;
      this.target[t] = s.sigev_signo;
    } else {
      return;
    }
    this.value[t] = s.sigev_value;
    this.tail = t + 1;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.run);
    }
  }

  /**
   * Run every queued note. A callback may complete more requests (aio_cancel, a failed
   * submit) and queue more notes: they run in this loop too. A callback that throws is
   * dropped (its exception goes up as the microtask's), and the rest run in a new microtask.
   */
  private readonly run = (): void => {
    try {
      while (this.head < this.tail) {
        const i = this.head++;
        const target = this.target[i];
        const value = this.value[i];
        this.target[i] = undefined; // let the function and value go
        this.value[i] = undefined;
        if (this.kind[i] === SIGEV_THREAD) (target as (v: unknown) => void)(value);
        else this.signal(target as number, value);
      }
    } finally {
      if (this.head < this.tail) {
        queueMicrotask(this.run);
      } else {
        this.head = 0;
        this.tail = 0;
        this.scheduled = false;
      }
    }
  };
}
