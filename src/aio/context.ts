// The AIO engine, after glibc's rt/aio_misc.c: a queue of runnable requests ordered by
// priority (the "runlist", runqueue.ts, in shared memory so that helpers take from it
// themselves), one list of requests per file descriptor of which only the head is runnable
// (so requests on one fd run one at a time, the waiting ones by aio_reqprio and then in
// submission order, as glibc inserts them), and a pool of helper threads created on demand
// up to aio_threads that retire after aio_idle_time.
// glibc guards its lists with one mutex; here the per-fd lists live on the main thread alone,
// the run queue is a lock-free ring with one producer (the main thread) and the helpers as
// consumers, and each helper hands results back on its own completion ring. The helper pool
// is pool.ts, the main thread's side of the completion rings reaper.ts; this file queues,
// orders, cancels and completes the requests.
//
// Bound to a POSIX process of our stack (`options.process`, or `processAio(p)` of index.ts),
// aio_fildes names that process's fds: a request on an OS file put there by openOsFile goes to
// the helpers with its OS descriptor; one on a socket is served on the main thread by the
// socket's readiness callbacks (sockets.ts), with one list per socket fd and direction. A
// request keeps the open file its fd named at submission: closing the fd never sends it to a
// file that reuses the number (a socket request ends with EBADF; an OS file keeps its
// descriptor open until its last request ends, os-file.ts).
//
// Bounded work per request: O(1) to queue (O(fd list) when it overtakes waiting requests of
// a larger aio_reqprio), claim, complete and notify, plus O(fd list) for aio_cancel and the
// promise forms; nothing is allocated per request (slot records are made once, with the
// context; notifications go through notify.ts's reused arrays) except by the promise forms.

import { EventEmitter } from 'node:events';
import { fstatSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Doorbell } from '../channel/index.js';
import {
  AIO_ALLDONE,
  AIO_CANCELED,
  AIO_NOTCANCELED,
  AIO_PRIO_DELTA_MAX,
  LIO_NOP,
  LIO_NOWAIT,
  LIO_READ,
  LIO_WAIT,
  LIO_WRITE,
  O_DSYNC,
  O_SYNC,
  SIGEV_NONE,
  SIGEV_SIGNAL,
  SIGEV_THREAD,
  type Aiocb,
  type Sigevent,
} from './aiocb.js';
import type { OpenFile, Process } from '../posix/index.js';
import { Waiter } from '../posix/wait.js';
import { EAGAIN, EBADF, ECANCELED, EFBIG, EINPROGRESS, EINTR, EINVAL, EIO, EOVERFLOW } from './errno.js';
import { HELPER_IDLE } from './helper.js';
import { NoteQueue } from './notify.js';
import { OsFile } from './os-file.js';
import { HelperPool, type Helper } from './pool.js';
import { DEFAULT_POLL_US, Reaper } from './reaper.js';
import { SocketEngine } from './sockets.js';
import { MAIN_BELL_FLAG, MAIN_BELL_WORD, RQ_LEVELS, RunQueue, ST_QUEUED, ST_RUNNING, createRunQueue, type RunQueueSpec } from './runqueue.js';
import { OP_FDATASYNC, OP_FSYNC, OP_READ, OP_WRITE, SLOT_WORDS, W_BUF, W_BUFOFF, W_FD, W_HELPER, W_NBYTES, W_OP, W_STATE, createRequestTable, type RequestTable } from './table.js';

/** glibc's struct aioinit, the fields it uses. */
export interface AioInit {
  /**
   * Most helper threads at once (glibc default 20; here the number of cores, at least 2);
   * below 1 means 1. aio_init ignores it once the first request was submitted.
   */
  aio_threads?: number;
  /**
   * Most requests queued or running at once; more get EAGAIN (default 64). aio_init makes it
   * glibc's row size: at least 32, rounded down to a multiple of 32, and ignores it once the
   * first request was submitted; `new AioContext` takes it as given (at least 1).
   */
  aio_num?: number;
  /**
   * Seconds a helper waits for work before it retires (default 1; fractions allowed); 0
   * leaves it as it was, a negative value retires a helper as soon as it finds no work.
   */
  aio_idle_time?: number;
  /**
   * Not in glibc: microseconds the main thread polls the completion rings before it sleeps
   * (default 20; 0 never polls). Fixed once the context is made.
   */
  aio_poll_us?: number;
}

/**
 * Return the default aio_threads: one helper per core, at least 2. glibc's 20 is sized for
 * threads that mostly sleep in the kernel; a helper here is a whole V8 isolate, and for reads
 * from the page cache (CPU work: a copy) more helpers than cores only take turns on them.
 * Two at least, so that one request blocked on a slow descriptor (a pipe, a socket) does not
 * stop the others.
 */
export function defaultAioThreads(): number {
  return Math.max(2, availableParallelism());
}

/** Options of `new AioContext`: glibc's tuning fields and the process whose fds aio_fildes names. */
export interface AioContextOptions extends AioInit {
  /**
   * Bind the instance to this process of our stack: aio_fildes is then one of its fds (its
   * sockets, and OS files installed with openOsFile). Without it aio_fildes is an OS
   * descriptor. Fixed once made.
   */
  process?: Process | null;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** The first offset Linux cannot take (a loff_t is signed 64-bit): pread/pwrite answer EINVAL there. */
const OFFSET_LIMIT = 2 ** 63;
/** glibc's ENTRIES_PER_ROW: aio_init's aio_num is at least this, and a multiple of it. */
const AIO_NUM_ROW = 32;

interface LioGroup {
  left: number;
  failed: boolean;
  sig: Sigevent | null;
  resolve: ((n: number) => void) | null;
}

/** Return glibc's aio_num for aio_init's `n`: at least 32, rounded down to a multiple of 32. */
function aioNumOf(n: number): number {
  return n < AIO_NUM_ROW ? AIO_NUM_ROW : Math.floor(n / AIO_NUM_ROW) * AIO_NUM_ROW;
}

/** Return the idle wait in ms for aio_idle_time `seconds` (negative: none, retire at once). */
function idleMsOf(seconds: number): number {
  return seconds < 0 ? 0 : Math.max(1, Math.round(seconds * 1000));
}

// Where a slot's request is, as the main thread sees it.
const Q_FREE = 0;
/** Waiting behind the head of its fd's list. */
const Q_WAITING = 1;
/** Runnable, but its level of the shared run queue was full: kept in `overflow`. */
const Q_OVERFLOW = 2;
/** In the shared run queue, or claimed by a helper (the slot's state word tells which). */
const Q_QUEUED = 3;
/** A socket request at the head of its list, served on the main thread (sockets.ts). */
const Q_SOCKET = 4;

/** Return the key of a socket fd's list of writes (its reads are listed under the fd itself). */
function writeKey(fd: number): number {
  return -1 - fd;
}

/** One fd's list of requests: head and tail slot, -1 when empty. */
interface FdList {
  head: number;
  tail: number;
}

/** Distinct fds kept before the empty lists are pruned. */
const FD_LISTS_PRUNE = 1024;

/** One request slot's record on the main thread; made once per slot, reused (one hidden class). */
interface SlotRec {
  cb: Aiocb | null;
  op: number;
  /** Served on the main thread (a socket or console fd of the bound process), not by a helper. */
  main: boolean;
  /** Its list's key in fdLists: aio_fildes, or writeKey(aio_fildes) for a socket write. */
  key: number;
  /** The OS descriptor a helper uses. */
  osFd: number;
  /**
   * In a bound instance, the open file aio_fildes named at submission: the request runs on
   * it or not at all (EBADF), whatever the fd names later. Null in an unbound one.
   */
  file: OpenFile | null;
  seq: number;
  /** Its aio_reqprio at submission (0 for a sync, as glibc forces): the order in its fd's list and the run queue. */
  prio: number;
  q: number;
  /** The slot's state word while queued ((gen << 2) | ST_QUEUED). */
  tag: number;
  gen: number;
  /** The next slot of the same fd's list, or -1. */
  next: number;
  group: LioGroup | null;
  resolve: ((n: number) => void) | null;
}

function isSharedBytes(b: unknown): b is Uint8Array {
  return b instanceof Uint8Array && typeof SharedArrayBuffer !== 'undefined' && b.buffer instanceof SharedArrayBuffer;
}

function validSigevent(s: Sigevent | null | undefined): boolean {
  if (s === null || s === undefined) return true;
  if (s.sigev_notify === SIGEV_NONE || s.sigev_notify === SIGEV_SIGNAL) return true;
  return s.sigev_notify === SIGEV_THREAD && typeof s.sigev_notify_function === 'function';
}

/** Return whether `fd` can name a descriptor at all (a non-negative integer). */
function isFd(fd: number): boolean {
  return Number.isInteger(fd) && fd >= 0;
}

/** Return -EINVAL when `cb` cannot be submitted at all (glibc's check in __aio_enqueue_request, and our sigevent check), else 0. */
function checkRequest(cb: Aiocb): number {
  if (!Number.isInteger(cb.aio_reqprio) || cb.aio_reqprio < 0 || cb.aio_reqprio > AIO_PRIO_DELTA_MAX) return -EINVAL;
  return validSigevent(cb.aio_sigevent) ? 0 : -EINVAL;
}

/**
 * Return -errno when `cb` cannot be a read or write request, else 0 (the EINVAL, EOVERFLOW
 * and EFBIG rules of aio_read(3) and aio_write(3)). A request served on the main thread
 * (`main`) may use any Uint8Array, and its offset is ignored (a socket cannot seek).
 */
function checkTransfer(cb: Aiocb, main: boolean, op: number): number {
  const buf = cb.aio_buf;
  if (!(buf instanceof Uint8Array) || (!main && !isSharedBytes(buf))) return -EINVAL;
  if (!Number.isInteger(cb.aio_nbytes) || cb.aio_nbytes < 0 || cb.aio_nbytes > buf.byteLength) return -EINVAL;
  if (main) return 0;
  if (!Number.isInteger(cb.aio_offset) || cb.aio_offset < 0 || cb.aio_offset >= OFFSET_LIMIT) return -EINVAL;
  // The largest position we can name exactly is 2^53 - 1: a transfer that would pass it is
  // EFBIG for a write (as past a file's offset maximum) and EOVERFLOW for a read. A transfer
  // of 0 bytes moves nothing, so it cannot pass it.
  if (cb.aio_nbytes > 0 && cb.aio_offset + cb.aio_nbytes > MAX_SAFE) return op === OP_WRITE ? -EFBIG : -EOVERFLOW;
  return 0;
}

/**
 * One AIO instance: its queues, its helper pool and its "signals" (`'signal'` events with
 * (signo, value), the SIGEV_SIGNAL notifications). Most programs use the default instance
 * through the aio* functions of index.ts.
 */
export class AioContext extends EventEmitter {
  private threads: number;
  private idleMs: number;
  private slotsMax: number;
  private table: RequestTable | null = null;
  private queue: RunQueue | null = null;
  private queueSpec: RunQueueSpec | null = null;
  private readonly freeSlots: number[] = [];
  private readonly recs: SlotRec[] = [];
  /** Runnable requests that did not fit the shared queue (rare), in priority order. */
  private readonly overflow: number[] = [];
  /**
   * Each fd's list (head and tail slot, -1 when empty). An emptied list stays in the map for
   * the fd's next request (a delete and re-insert per request rehashes the map); the empty
   * ones are pruned when the map passes FD_LISTS_PRUNE entries.
   */
  private readonly fdLists = new Map<number, FdList>();
  /** The helper threads, their completion rings and the data buffers registered with them. */
  private readonly pool = new HelperPool((h) => this.onHelperExit(h));
  private seq = 0;
  /** aio_suspend calls waiting: each is called with `interrupted` false after completions, true after a signal. */
  private readonly completionWaiters = new Set<(interrupted: boolean) => void>();
  private pushedSinceKick = 0;
  private kickScheduled = false;
  /** The process whose fds aio_fildes names, or null (OS descriptors). */
  readonly process: Process | null;
  /** Serves the socket requests (made on first use, bound contexts only). */
  private sockets: SocketEngine | null = null;
  /** Requests outstanding on the helpers (the rest are socket requests, served on this thread). */
  private helperOutstanding = 0;
  /** Where the socket engine completes its requests: as a helper's completion, then wake aio_suspend. */
  private readonly socketSink = {
    finish: (slot: number, res: number): void => {
      this.finish(slot, res);
      this.wakeWaiters();
    },
  };
  /**
   * Notifications waiting for their microtask. A SIGEV_SIGNAL one becomes a 'signal' event;
   * when a listener caught it (a handler ran), it interrupts aio_suspend (EINTR).
   */
  private readonly notes = new NoteQueue((signo, value) => {
    if (this.emit('signal', signo, value)) this.wakeWaiters(true);
  });
  /** Reaps the helpers' completion rings (made with the options: aio_poll_us). */
  private readonly reaper: Reaper;

  /**
   * Make an instance with glibc's tuning fields (defaults: one thread per core (at least 2),
   * 64 requests, 1 s), bound to `init.process` when given (aio_fildes then names its fds).
   */
  constructor(init: AioContextOptions = {}) {
    super();
    this.process = init.process ?? null;
    this.threads = Math.max(1, Math.floor(init.aio_threads ?? defaultAioThreads()));
    this.slotsMax = 0;
    this.resize(Math.max(1, Math.floor(init.aio_num ?? 64)));
    this.idleMs = idleMsOf(init.aio_idle_time || 1); // 0 or absent: the default, 1 s
    this.reaper = new Reaper(this.pool, init.aio_poll_us ?? DEFAULT_POLL_US, {
      outstanding: () => this.helperOutstanding,
      reap: (slot, claimed, res) => this.reapOne(slot, claimed, res),
      after: () => this.afterCompletions(),
    });
  }

  /** Make `n` request slots (only before the first request). */
  private resize(n: number): void {
    this.slotsMax = n;
    this.recs.length = 0;
    this.freeSlots.length = 0;
    for (let i = 0; i < n; i++) {
      this.recs.push({ cb: null, op: 0, main: false, key: 0, osFd: -1, file: null, seq: 0, prio: 0, q: Q_FREE, tag: 0, gen: 0, next: -1, group: null, resolve: null });
    }
    for (let i = n - 1; i >= 0; i--) this.freeSlots.push(i);
  }

  /**
   * Apply aio_init(3) as glibc does: aio_threads (at least 1) and aio_num (at least 32,
   * rounded down to a multiple of 32) only while no request was ever submitted (glibc's
   * pool does not exist yet); aio_idle_time whenever it is not 0 (negative: helpers retire
   * as soon as they find no work). A new idle time reaches helpers started after the call.
   */
  tune(init: AioInit): void {
    if (this.seq === 0) {
      if (init.aio_threads !== undefined) this.threads = Math.max(1, Math.floor(init.aio_threads));
      if (init.aio_num !== undefined) this.resize(aioNumOf(Math.floor(init.aio_num)));
    }
    if (init.aio_idle_time !== undefined && init.aio_idle_time !== 0) this.idleMs = idleMsOf(init.aio_idle_time);
  }

  /** Return the most requests that may be outstanding at once (aio_num). */
  get aioNum(): number {
    return this.slotsMax;
  }

  /** Return the most helper threads (aio_threads). */
  get aioThreads(): number {
    return this.threads;
  }

  /** Return the seconds an idle helper waits for work before it retires (aio_idle_time; 0: at once). */
  get aioIdleTime(): number {
    return this.idleMs / 1000;
  }

  /** Return the number of live helper threads. */
  get helpers(): number {
    return this.pool.live;
  }

  /** Return how many helpers were started so far (a counter for tests and stats). */
  get spawned(): number {
    return this.pool.spawned;
  }

  /** Return how many helpers retired so far (a counter for tests and stats). */
  get retired(): number {
    return this.pool.retired;
  }

  /** Return how many times the main thread went to sleep waiting for completions (a counter for stats). */
  get sleeps(): number {
    return this.reaper.sleeps;
  }

  /** Return how many completions were reaped from the helpers (a counter for stats). */
  get reaped(): number {
    return this.reaper.reaped;
  }

  /** Return the number of requests queued or running. */
  get outstanding(): number {
    return this.slotsMax - this.freeSlots.length;
  }
  /** Queue a read (aio_read(3)); return 0 or -errno. */
  read(cb: Aiocb): number {
    return this.submitTransfer(cb, OP_READ, null);
  }

  /** Queue a write (aio_write(3)); return 0 or -errno. */
  write(cb: Aiocb): number {
    return this.submitTransfer(cb, OP_WRITE, null);
  }

  /**
   * Queue a sync of cb.aio_fildes (aio_fsync(3)); return 0 or -errno. As in glibc: -EINVAL
   * for an `op` other than O_SYNC or O_DSYNC, -EBADF for an fd that is not open (glibc's
   * fcntl check), and the sync runs at priority 0 whatever aio_reqprio says (glibc writes 0
   * into it), so it overtakes the waiting requests of its fd that have a larger aio_reqprio.
   * aio_buf, aio_nbytes and aio_offset are ignored. A socket cannot be synchronized:
   * -EINVAL, as fsync(2) answers for one.
   */
  fsync(op: number, cb: Aiocb): number {
    if (op !== O_SYNC && op !== O_DSYNC) return -EINVAL;
    if (cb === null || typeof cb !== 'object') return -EINVAL;
    if (!this.isOpen(cb.aio_fildes)) return -EBADF;
    if (cb.__error_code === EINPROGRESS) return -EINVAL; // still in flight: its status stays
    cb.aio_reqprio = 0;
    if (!validSigevent(cb.aio_sigevent)) return this.refuse(cb, -EINVAL);
    const file = this.fileOf(cb.aio_fildes);
    if (file !== undefined && !(file instanceof OsFile)) return this.refuse(cb, -EINVAL);
    return this.enqueue(cb, op === O_SYNC ? OP_FSYNC : OP_FDATASYNC, null, file ?? null, 0);
  }

  /**
   * Return whether `fd` is open: in a bound instance, in its process; else as an OS
   * descriptor (glibc asks fcntl(F_GETFL); Node has fstat).
   */
  private isOpen(fd: number): boolean {
    if (!isFd(fd)) return false;
    if (this.process !== null) return this.process.file(fd) !== null;
    try {
      fstatSync(fd);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Return the error status kept in the block (aio_error(3)): 0, EINPROGRESS or the errno
   * value. Like glibc it reads the field, so a block never submitted gives what it holds
   * (0 for newAiocb's); -EINVAL only for something that is not a block.
   */
  error(cb: Aiocb): number {
    if (cb === null || typeof cb !== 'object') return -EINVAL;
    return cb.__error_code;
  }

  /**
   * Return the return status kept in the block (aio_return(3)): the byte count, or -errno
   * where glibc keeps -1. Like glibc it reads the field: a second call returns the same
   * value, a pending request 0, a block never submitted what it holds (0 for newAiocb's);
   * -EINVAL only for something that is not a block.
   */
  return(cb: Aiocb): number {
    if (cb === null || typeof cb !== 'object') return -EINVAL;
    return cb.__return_value;
  }

  /**
   * Resolve to 0 once at least one request of `list` is complete, -EAGAIN after `timeoutMs`,
   * or -EINTR when a signal of this instance (a SIGEV_SIGNAL notification that a 'signal'
   * listener caught) comes first (aio_suspend(3); null entries are ignored). A promise, not
   * a block: the main thread cannot sleep.
   */
  suspend(list: readonly (Aiocb | null)[], timeoutMs = Infinity): Promise<number> {
    const anyDone = (): boolean => {
      let pending = 0;
      for (const cb of list) {
        if (cb === null) continue;
        if (cb.__error_code !== EINPROGRESS) return true;
        pending++;
      }
      return pending === 0;
    };
    if (anyDone()) return Promise.resolve(0);
    if (timeoutMs <= 0) return Promise.resolve(-EAGAIN);
    if (this.process !== null && Number.isFinite(timeoutMs)) return this.suspendOnKernel(anyDone, timeoutMs);
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const check = (interrupted: boolean): void => {
        const done = anyDone();
        if (!done && !interrupted) return;
        this.completionWaiters.delete(check);
        if (timer !== null) clearTimeout(timer);
        resolve(done ? 0 : -EINTR);
      };
      this.completionWaiters.add(check);
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          this.completionWaiters.delete(check);
          resolve(-EAGAIN);
        }, timeoutMs);
      }
    });
  }

  /** aio_suspend's wait in a bound instance: the timeout runs on the process's kernel clock (virtual under Sim), on its timer heap. */
  private suspendOnKernel(anyDone: () => boolean, timeoutMs: number): Promise<number> {
    const k = this.process!.kernel;
    return new Promise((resolve) => {
      // A Waiter watching no file: it settles when we finish it (a completion or a signal)
      // or its timer fires.
      const w = new Waiter(k, [], anyDone, (ready) => {
        this.completionWaiters.delete(check);
        resolve(!ready ? -EAGAIN : anyDone() ? 0 : -EINTR);
      });
      const check = (interrupted: boolean): void => {
        if (interrupted || anyDone()) w.finish(true);
      };
      this.completionWaiters.add(check);
      k.scheduleTimer(w.timer, k.now() + timeoutMs);
    });
  }

  /**
   * Cancel `cb`, or with cb null every request of `fd` (aio_cancel(3)); return AIO_CANCELED,
   * AIO_NOTCANCELED (one is running), AIO_ALLDONE (nothing pending; or `cb` is not in
   * progress), -EBADF for an fd that is not open, -EINVAL for a `cb` of another fd or one in
   * progress that is not queued on `fd` here. A canceled request completes with ECANCELED
   * and is notified. A request waiting in the shared run queue is canceled by winning its
   * slot's state word before a helper does.
   */
  cancel(fd: number, cb: Aiocb | null = null): number {
    if (!isFd(fd)) return -EBADF;
    // A closed fd is EBADF (glibc checks it with fcntl first), unless requests submitted
    // before the close are still pending on it: those can still be canceled.
    if (!this.hasPending(fd) && !this.isOpen(fd)) return -EBADF;
    if (cb !== null) {
      if (typeof cb !== 'object' || cb.aio_fildes !== fd) return -EINVAL;
      if (cb.__error_code !== EINPROGRESS) return AIO_ALLDONE;
      if (this.slotOf(cb) < 0) return -EINVAL; // in progress, but not one of fd's requests here
    }
    let canceled = 0;
    let running = 0;
    for (let k = 0; k < 2; k++) {
      // A socket fd has two lists (reads, writes); any other fd only the first.
      for (let s = this.fdLists.get(k === 0 ? fd : writeKey(fd))?.head ?? -1; s >= 0; ) {
        const rec = this.recs[s]!;
        const next = rec.next;
        if (cb === null || rec.cb === cb) {
          if (this.tryCancel(s)) canceled++;
          else running++;
        }
        s = next;
      }
    }
    this.pump();
    this.wakeWaiters();
    if (running > 0) return AIO_NOTCANCELED;
    return canceled > 0 ? AIO_CANCELED : AIO_ALLDONE;
  }

  /** Return whether requests on `fd` (either of a socket fd's lists) are pending. */
  private hasPending(fd: number): boolean {
    return (this.fdLists.get(fd)?.head ?? -1) >= 0 || (this.fdLists.get(writeKey(fd))?.head ?? -1) >= 0;
  }

  /** Return whether a helper has started `cb`, or a socket write has queued part of it (it can no longer be canceled). */
  isRunning(cb: Aiocb): boolean {
    const s = this.slotOf(cb);
    if (s >= 0 && this.recs[s]!.q === Q_SOCKET) return this.sockets!.started(s);
    if (s < 0 || this.recs[s]!.q !== Q_QUEUED) return false;
    return (Atomics.load(this.table!.words, s * SLOT_WORDS + W_STATE) & 3) === ST_RUNNING;
  }

  /**
   * Queue every entry of `list` (lio_listio(3)); null and LIO_NOP entries are skipped and
   * do not count. As in glibc, an entry with another opcode is queued and fails with EINVAL
   * (in its aio_error), as one on a bad fd fails with EBADF. With LIO_WAIT resolve to 0 when
   * all completed, or -EIO when one failed or was refused; with LIO_NOWAIT return 0 at once
   * (or the last refused entry's -errno) and notify `sig` when the queued ones completed. A
   * refused entry keeps its error in its aio_error (EAGAIN included, as POSIX asks), unless
   * it is a block still in flight: that one's status is left alone. -EINVAL for a bad mode or
   * `sig`, -EAGAIN (nothing queued) for more entries than aio_num.
   */
  listio(mode: number, list: readonly (Aiocb | null)[], sig: Sigevent | null = null): number | Promise<number> {
    if (mode !== LIO_WAIT && mode !== LIO_NOWAIT) return -EINVAL;
    if (!validSigevent(sig)) return -EINVAL;
    let n = 0;
    for (const cb of list) if (cb !== null && cb.aio_lio_opcode !== LIO_NOP) n++;
    if (n > this.slotsMax) return -EAGAIN;
    const group: LioGroup = { left: 1, failed: false, sig: mode === LIO_NOWAIT ? sig : null, resolve: null };
    let queued = 0;
    let refused = 0;
    for (const cb of list) {
      if (cb === null || cb.aio_lio_opcode === LIO_NOP) continue;
      const opcode = cb.aio_lio_opcode;
      const op = opcode === LIO_READ ? OP_READ : opcode === LIO_WRITE ? OP_WRITE : -1;
      const r = this.submitTransfer(cb, op, group);
      if (r >= 0) {
        queued++;
      } else {
        refused = r;
        // POSIX: an entry not queued for lack of resources has EAGAIN as its error status.
        if (r === -EAGAIN && cb.__error_code !== EINPROGRESS) this.record(cb, r);
      }
    }
    if (queued === 0 && mode === LIO_WAIT) return refused; // glibc: nothing to wait for
    if (mode === LIO_NOWAIT) {
      this.groupDone(group);
      return refused;
    }
    return new Promise<number>((resolve) => {
      group.resolve = (r) => resolve(refused < 0 ? -EIO : r);
      this.groupDone(group);
    });
  }

  /** Queue `cb` with operation `op` and resolve to its result (bytes or -errno), consumed like aio_return. */
  submitAsync(cb: Aiocb, op: 'read' | 'write' | number): Promise<number> {
    const r = op === 'read' ? this.read(cb) : op === 'write' ? this.write(cb) : this.fsync(op, cb);
    if (r < 0) return Promise.resolve(r);
    return this.wait(cb);
  }

  /** Resolve to the result of a submitted request once it completes (what aio_return then gives); every call's promise settles. */
  wait(cb: Aiocb): Promise<number> {
    if (cb.__error_code !== EINPROGRESS) return Promise.resolve(this.return(cb));
    const s = this.slotOf(cb);
    if (s < 0) return Promise.resolve(-EINVAL);
    const rec = this.recs[s]!;
    return new Promise((resolve) => {
      const earlier = rec.resolve; // a second wait on the same request settles both
      rec.resolve = earlier === null ? resolve : (n: number): void => (earlier(n), resolve(n));
    });
  }

  // ---- queueing (glibc: __aio_enqueue_request) ----

  /**
   * Return the open file `fd` names in the bound process (null when none), or undefined in
   * an unbound instance (`fd` is then an OS descriptor, for the helpers). An OsFile goes to
   * the helpers with its OS descriptor; any other file (a socket, a console fd) is served on
   * this thread (sockets.ts).
   */
  private fileOf(fd: number): OpenFile | null | undefined {
    return this.process === null ? undefined : this.process.file(fd);
  }

  /**
   * Check and queue a read or write (`op` OP_READ or OP_WRITE; -1 for an lio_listio entry
   * with an opcode that is neither); return 0 or -errno. Refused: a block still in flight
   * (-EINVAL, its status untouched), a bad aio_reqprio or sigevent (-EINVAL, recorded in the
   * block as glibc records it), a bad buffer, count or offset (-EINVAL, -EOVERFLOW, -EFBIG,
   * recorded too), no free slot (-EAGAIN). Queued and failed at once, as glibc's helper
   * fails them: an invalid opcode (EINVAL) and an fd that is not open (EBADF).
   */
  private submitTransfer(cb: Aiocb, op: number, group: LioGroup | null): number {
    if (cb === null || typeof cb !== 'object' || cb.__error_code === EINPROGRESS) return -EINVAL;
    const e = checkRequest(cb);
    if (e !== 0) return this.refuse(cb, e);
    if (op < 0) return this.failQueued(cb, -EINVAL, group);
    if (!isFd(cb.aio_fildes)) return this.failQueued(cb, -EBADF, group);
    const file = this.fileOf(cb.aio_fildes);
    if (file === null) return this.failQueued(cb, -EBADF, group);
    const t = checkTransfer(cb, file !== undefined && !(file instanceof OsFile), op);
    return t !== 0 ? this.refuse(cb, t) : this.enqueue(cb, op, group, file ?? null, cb.aio_reqprio);
  }

  /** Record a refusal's error in the block, as glibc records its EINVAL; return `e`. EAGAIN is not recorded (glibc leaves the block alone). */
  private refuse(cb: Aiocb, e: number): number {
    if (e !== -EAGAIN) this.record(cb, e);
    return e;
  }

  /** Store a final status in the block: the errno in __error_code, -errno (glibc: -1) in __return_value. */
  private record(cb: Aiocb, res: number): void {
    cb.__error_code = res >= 0 ? 0 : -res;
    cb.__return_value = res;
  }

  /**
   * Accept a request that can only fail (glibc queues it and its helper fails it: an invalid
   * opcode, a bad fd), and complete it now with `res`: status in the block, its sigevent
   * notified; an lio_listio group counts it as failed. Return 0 (it was queued).
   */
  private failQueued(cb: Aiocb, res: number, group: LioGroup | null): number {
    this.record(cb, res);
    this.notes.push(cb.aio_sigevent);
    if (group !== null) group.failed = true;
    return 0;
  }

  /** Queue a checked request on `file` (null: an unbound instance's OS descriptor) at priority `prio`; return 0 or -EAGAIN. */
  private enqueue(cb: Aiocb, op: number, group: LioGroup | null, file: OpenFile | null, prio: number): number {
    const slot = this.freeSlots.pop();
    if (slot === undefined) return -EAGAIN;
    const rec = this.recs[slot]!;
    const main = file !== null && !(file instanceof OsFile);
    if (!main && this.helperOutstanding++ === 0) this.pool.setReferenced(true);
    if (file instanceof OsFile) file.pending++; // its OS descriptor stays open until this ends
    rec.cb = cb;
    rec.op = op;
    rec.main = main;
    rec.file = file;
    rec.osFd = main ? -1 : file instanceof OsFile ? file.osFd : cb.aio_fildes;
    // Socket reads and writes wait in separate lists: each direction runs one at a time.
    rec.key = main && op === OP_WRITE ? writeKey(cb.aio_fildes) : cb.aio_fildes;
    rec.seq = this.seq++;
    rec.prio = prio;
    rec.next = -1;
    rec.group = group;
    rec.resolve = null;
    if (group !== null) group.left++;
    cb.__error_code = EINPROGRESS;
    cb.__return_value = 0;
    const key = rec.key;
    let list = this.fdLists.get(key);
    if (list === undefined) {
      if (this.fdLists.size >= FD_LISTS_PRUNE) this.pruneFdLists();
      list = { head: -1, tail: -1 };
      this.fdLists.set(key, list);
    }
    if (list.tail < 0) {
      list.head = slot;
      list.tail = slot;
      this.makeRunnable(slot);
    } else {
      this.insertWaiting(list, slot);
      rec.q = Q_WAITING;
    }
    if (!main) this.reaper.ensure();
    return 0;
  }

  /**
   * Put `slot` in its fd's list behind the head (running, or runnable: never overtaken) and
   * behind every waiting request of the same or a smaller aio_reqprio, before the first of a
   * larger one: glibc's insertion by priority in __aio_enqueue_request. O(1) when it goes
   * last (equal priorities: submission order), else O(list).
   */
  private insertWaiting(list: FdList, slot: number): void {
    const recs = this.recs;
    const prio = recs[slot]!.prio;
    let p = list.tail;
    if (recs[p]!.prio > prio) {
      p = list.head;
      for (let n = recs[p]!.next; n >= 0 && recs[n]!.prio <= prio; n = recs[n]!.next) p = n;
    }
    recs[slot]!.next = recs[p]!.next;
    recs[p]!.next = slot;
    if (list.tail === p) list.tail = slot;
  }

  /** Return the slot of the outstanding request `cb`, or -1. */
  private slotOf(cb: Aiocb): number {
    if (cb === null || typeof cb !== 'object') return -1;
    for (let k = 0; k < 2; k++) {
      const key = k === 0 ? cb.aio_fildes : writeKey(cb.aio_fildes);
      for (let s = this.fdLists.get(key)?.head ?? -1; s >= 0; s = this.recs[s]!.next) if (this.recs[s]!.cb === cb) return s;
    }
    return -1;
  }

  private pruneFdLists(): void {
    for (const [fd, list] of this.fdLists) if (list.head < 0) this.fdLists.delete(fd);
  }

  /**
   * Make the head of an fd's list runnable: into its priority level of the shared run queue
   * (helpers take the lowest level first, each level in the order requests became runnable,
   * as glibc's runlist orders them), or into `overflow` when that level is full.
   */
  private makeRunnable(slot: number): void {
    const rec = this.recs[slot]!;
    if (rec.main) {
      rec.q = Q_SOCKET;
      (this.sockets ??= new SocketEngine(this.process!, this.slotsMax, this.socketSink)).arm(slot, rec.cb!, rec.file!, rec.op === OP_WRITE, rec.seq);
      return;
    }
    const prio = rec.prio;
    // Within a level, first come first served: behind any overflow entry of the same level.
    if (!this.overflowHas(prio) && this.publish(slot)) return;
    rec.q = Q_OVERFLOW;
    let i = this.overflow.length;
    while (i > 0 && this.recs[this.overflow[i - 1]!]!.prio > prio) i--;
    this.overflow.splice(i, 0, slot);
  }

  /** Write the slot's arguments into the request table and push it on the run queue; return false when its level is full. */
  private publish(slot: number): boolean {
    const rec = this.recs[slot]!;
    const cb = rec.cb!;
    const t = (this.table ??= createRequestTable(this.slotsMax));
    const q = this.runQueue();
    const w = slot * SLOT_WORDS;
    const words = t.words;
    words[w + W_OP] = rec.op;
    words[w + W_FD] = rec.osFd;
    t.pos[slot] = cb.aio_offset;
    if (rec.op === OP_READ || rec.op === OP_WRITE) {
      const buf = cb.aio_buf!;
      words[w + W_BUF] = this.pool.bufferId(buf.buffer as SharedArrayBuffer);
      words[w + W_BUFOFF] = buf.byteOffset;
      words[w + W_NBYTES] = cb.aio_nbytes;
    }
    words[w + W_HELPER] = 0;
    const gen = (rec.gen + 1) & 0x1fffffff;
    const tag = (gen << 2) | ST_QUEUED;
    Atomics.store(words, w + W_STATE, tag);
    if (!q.push(rec.prio, slot, tag)) return false;
    rec.gen = gen;
    rec.tag = tag;
    rec.q = Q_QUEUED;
    if (this.pushedSinceKick++ === 0) q.wake(1); // the first of a burst wakes a sleeper at once
    // glibc: no idle thread -> start one now (the burst's others are decided in kick).
    // (A helper that already claimed it needs no company: hence the pending check.)
    if (this.pool.live < this.threads && q.idleHelpers() === 0 && q.pending(rec.prio) > 0) this.spawn();
    if (!this.kickScheduled) {
      this.kickScheduled = true;
      queueMicrotask(this.kick);
    }
    return true;
  }

  private runQueue(): RunQueue {
    if (this.queue === null) {
      this.queueSpec = createRunQueue(2 * this.slotsMax);
      this.queue = new RunQueue(this.queueSpec);
      this.reaper.bell = new Doorbell(this.queue.ctrl, MAIN_BELL_FLAG, MAIN_BELL_WORD);
    }
    return this.queue;
  }

  /** After a burst of pushes: wake sleeping helpers for the rest, start helpers while work outnumbers idle ones (glibc starts a thread when none is idle, up to aio_threads). */
  private readonly kick = (): void => {
    this.kickScheduled = false;
    const n = this.pushedSinceKick;
    this.pushedSinceKick = 0;
    const q = this.queue!;
    if (n > 1) q.wake(n - 1);
    while (this.pool.live < this.threads && this.queuedTotal() > q.idleHelpers()) this.spawn();
  };

  /** Return how many entries wait in the run queue (canceled ones not yet skipped included). */
  private queuedTotal(): number {
    const q = this.queue!;
    let n = 0;
    for (let l = 0; l < RQ_LEVELS; l++) n += q.pending(l);
    return n;
  }

  /** Cancel a request a helper has not started; return false when one has. */
  private tryCancel(slot: number): boolean {
    const rec = this.recs[slot]!;
    if (rec.q === Q_QUEUED) {
      const w = slot * SLOT_WORDS + W_STATE;
      // ST_QUEUED -> ST_CANCELED, unless a helper's ST_QUEUED -> ST_RUNNING came first.
      if (Atomics.compareExchange(this.table!.words, w, rec.tag, (rec.tag + 2) | 0) !== rec.tag) return false;
    } else if (rec.q === Q_OVERFLOW) {
      this.overflow.splice(this.overflow.indexOf(slot), 1);
    } else if (rec.q === Q_SOCKET) {
      if (!this.sockets!.cancel(slot)) return false; // a write that has queued bytes: it runs
    }
    this.finish(slot, -ECANCELED);
    return true;
  }

  private overflowHas(prio: number): boolean {
    for (const s of this.overflow) if (this.recs[s]!.prio === prio) return true;
    return false;
  }

  /** Move overflow requests into the run queue, in priority order, as far as their levels have room. */
  private pump(): void {
    const o = this.overflow;
    let kept = 0;
    for (let i = 0; i < o.length; i++) {
      const slot = o[i]!;
      if (!this.publish(slot)) o[kept++] = slot;
    }
    o.length = kept;
  }

  // ---- the pool (pool.ts; glibc: the thread creation in __aio_enqueue_request, and handle_fildes_io's exit) ----

  /** Start a helper on this instance's run queue and request table. */
  private spawn(): void {
    const table = (this.table ??= createRequestTable(this.slotsMax));
    this.queue!.addIdle(1); // counted idle until it runs; it leaves the count itself
    this.pool.spawn(this.queueSpec!, table, this.idleMs);
  }

  /** After a helper's exit: reap what it published, fail with EIO the request it claimed and never answered. */
  private onHelperExit(h: Helper): void {
    this.reaper.drain(h); // results it published before it left
    if (Atomics.load(h.state, 0) === HELPER_IDLE) this.queue!.leaveIdle(); // died idle (or never started): out of the count
    // W_HELPER is cleared at publish, so a claim by another helper that has not yet written
    // its id is never mistaken for this one's.
    const words = this.table!.words;
    for (let s = 0; s < this.slotsMax; s++) {
      const rec = this.recs[s]!;
      const w = s * SLOT_WORDS;
      if (rec.q === Q_QUEUED && Atomics.load(words, w + W_STATE) === ((rec.tag + 1) | 0) && Atomics.load(words, w + W_HELPER) === h.id) this.finish(s, -EIO);
    }
    this.afterCompletions();
    if (this.queue !== null && this.helperOutstanding > 0) this.kick();
  }

  // ---- completions (reaper.ts reaps the helpers' rings; these say what a completion does) ----

  /** Complete the request in `slot` with `res` when it is still the one a helper claimed (`claimed`: its state word then); return whether it was. */
  private reapOne(slot: number, claimed: number, res: number): boolean {
    const rec = this.recs[slot];
    if (rec === undefined || rec.q !== Q_QUEUED || ((rec.tag + 1) | 0) !== claimed) return false;
    this.finish(slot, res);
    return true;
  }

  private afterCompletions(): void {
    this.pump();
    this.wakeWaiters();
  }

  /** Unlink a request from its fd's list (promoting the next one if it was the head) and complete it. */
  private finish(slot: number, res: number): void {
    const rec = this.recs[slot]!;
    const list = this.fdLists.get(rec.key)!;
    if (list.head === slot) {
      list.head = rec.next;
      if (rec.next < 0) list.tail = -1;
      else this.makeRunnable(rec.next);
    } else {
      let p = list.head;
      while (this.recs[p]!.next !== slot) p = this.recs[p]!.next;
      this.recs[p]!.next = rec.next;
      if (list.tail === slot) list.tail = p;
    }
    this.complete(slot, res);
  }

  /** Record the result in the block, free the slot, notify (glibc: __aio_notify). */
  private complete(slot: number, res: number): void {
    const rec = this.recs[slot]!;
    const cb = rec.cb!;
    const resolve = rec.resolve;
    const g = rec.group;
    const file = rec.file;
    rec.cb = null;
    rec.file = null;
    rec.q = Q_FREE;
    rec.group = null;
    rec.resolve = null;
    cb.__return_value = res;
    cb.__error_code = res >= 0 ? 0 : -res;
    this.freeSlots.push(slot);
    if (!rec.main && --this.helperOutstanding === 0) this.pool.setReferenced(false);
    if (file instanceof OsFile) file.requestDone();
    if (resolve !== null) resolve(this.return(cb));
    this.notes.push(cb.aio_sigevent);
    if (g !== null) {
      if (res < 0) g.failed = true;
      this.groupDone(g);
    }
  }

  private groupDone(g: LioGroup): void {
    if (--g.left !== 0) return;
    if (g.resolve !== null) g.resolve(g.failed ? -EIO : 0);
    this.notes.push(g.sig);
  }

  /** Let the aio_suspend calls whose list has a completed request return; with `interrupted` (a signal), all of them. */
  private wakeWaiters(interrupted = false): void {
    if (this.completionWaiters.size === 0) return;
    for (const w of [...this.completionWaiters]) w(interrupted);
  }
}
