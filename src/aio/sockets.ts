// AIO on the stack's sockets. The stack lives in the calling thread, so a socket request
// needs no helper thread: it waits for the socket's readiness callbacks (the FileWatcher
// interface every open file of src/posix offers, the one epoll and the blocking calls use)
// and is served on the calling thread, in a microtask after the callback, by the process's
// own recv/send entries (so syscall hooks and tracers see each attempt, as strace shows the
// read/write of glibc's helper thread).
//
// A read completes with what one recv(2) gives once the socket is readable: at least 1 byte
// and at most aio_nbytes, 0 at end of stream, or the error. A write completes once all of
// aio_nbytes were queued to the send buffer (in as many sends as flow control needs), or with
// the error, or with the count queued before the error. aio_offset is ignored: POSIX places
// the transfer "as if lseek() were called" first, and a socket cannot seek (lseek gives
// ESPIPE), so a read or write on it takes the stream where it is, as read(2) and write(2) do;
// glibc does the same (its helper's pread gets ESPIPE and it falls back to read).
//
// A request runs on the file its fd named at submission, or not at all: when the app closes
// the fd (or the process exits) before it completes, it ends with EBADF (what glibc's helper
// gets from read(2) on a closed fd), or, for a write that had queued part of its data, with
// that count; it never runs on a socket that reused the fd number.
//
// The context hands this engine a request when it becomes the head of its list (one list per
// socket fd and direction, so each direction runs one request at a time, in glibc's order:
// by aio_reqprio, then submission order)
// and takes it back when the engine calls `finish`. Heads that became serviceable in the same
// round are served in priority order (aio_reqprio ascending, then submission order), the order
// glibc's run list would start them in.
//
// Bounded work: an attempt is one recv or a few sends; a readiness callback only marks the
// heads waiting on that file (at most two per fd on it); a round sorts the marked heads in
// place (insertion sort, at most aio_num of them, nearly in order already). Nothing is
// allocated per request: the per-slot state and the two pending lists are typed arrays made
// once with the engine; one watcher object per socket that ever had to wait, kept until the
// socket is released.

import {
  ConsoleFile, MSG_NOSIGNAL, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, TcpFile, UdpFile,
  type FileWatcher, type OpenFile, type Process,
} from '../posix/index.js';
import type { Aiocb } from './aiocb.js';
import { EAGAIN, EBADF, EINVAL } from './errno.js';

/** What the engine calls back: complete a slot (unlink it from its list, promote the next, notify). */
export interface SocketSink {
  finish(slot: number, res: number): void;
}

/** Events that may let a waiting read proceed. */
const READ_EVENTS = POLLIN | POLLRDHUP | POLLERR | POLLHUP;
/** Events that may let a waiting write proceed. */
const WRITE_EVENTS = POLLOUT | POLLERR | POLLHUP;
/** Passes over newly serviceable heads per microtask before yielding to the event loop. */
const PASSES = 64;
/** Sends one write attempt makes at most (each queues what the send buffer takes). */
const SENDS_PER_ATTEMPT = 4;

/** The heads waiting on one socket; told of its readiness changes. */
class SocketWatch implements FileWatcher {
  /** Slots waiting on this file (heads of its fds' lists). */
  readonly slots: number[] = [];

  constructor(private readonly engine: SocketEngine) {}

  /** Mark the waiting heads the events in `key` may unblock. Only marks: the file's contract forbids more here. */
  wake(_file: OpenFile, key: number): void {
    const s = this.slots;
    for (let i = 0; i < s.length; i++) {
      const slot = s[i]!;
      if ((key & (this.engine.isWrite[slot] === 1 ? WRITE_EVENTS : READ_EVENTS)) !== 0) this.engine.markDirty(slot);
    }
  }

  /** The socket was released: its heads are attempted again and end (their fd no longer names it). */
  closed(file: OpenFile): void {
    this.engine.forget(file, this);
  }
}

/** Serves the socket requests of one process-bound AIO context on the calling thread. */
export class SocketEngine {
  /** 1 for a write, 0 for a read, per slot. */
  readonly isWrite: Uint8Array;
  private readonly cbs: (Aiocb | null)[] = [];
  private readonly prio: Int32Array;
  private readonly seq: Float64Array;
  /** Bytes a write has queued so far. */
  private readonly done: Float64Array;
  /** The file the request in a slot was submitted on (its fd must still name it), or null. */
  private readonly files: (OpenFile | null)[] = [];
  /** 1 while the slot is in its file's watcher (waiting for readiness). */
  private readonly watched: Uint8Array;
  /** 1 while the slot is in `pending`. */
  private readonly dirty: Uint8Array;
  /**
   * Slots marked for the next pass (each at most once: `dirty`), and the pass being run;
   * swapped each pass. Fixed arrays with counts: a JS array emptied with `length = 0`
   * drops its backing store and allocates a new one on the next push.
   */
  private pending: Int32Array;
  private pendingN = 0;
  private batch: Int32Array;
  private scheduled = false;
  private readonly watches = new Map<OpenFile, SocketWatch>();

  /** Make the engine for `slots` request slots of `proc`. */
  constructor(
    private readonly proc: Process,
    slots: number,
    private readonly sink: SocketSink,
  ) {
    this.isWrite = new Uint8Array(slots);
    this.prio = new Int32Array(slots);
    this.seq = new Float64Array(slots);
    this.done = new Float64Array(slots);
    this.dirty = new Uint8Array(slots);
    this.watched = new Uint8Array(slots);
    this.pending = new Int32Array(slots);
    this.batch = new Int32Array(slots);
    for (let i = 0; i < slots; i++) {
      this.cbs.push(null);
      this.files.push(null);
    }
  }

  /** Take `cb` on `file` in `slot`, now the head of its list: it is attempted in the next round. */
  arm(slot: number, cb: Aiocb, file: OpenFile, write: boolean, seq: number): void {
    this.cbs[slot] = cb;
    this.files[slot] = file;
    this.isWrite[slot] = write ? 1 : 0;
    this.prio[slot] = cb.aio_reqprio;
    this.seq[slot] = seq;
    this.done[slot] = 0;
    this.markDirty(slot);
  }

  /** Return whether a write in `slot` has queued bytes already (it can no longer be canceled). */
  started(slot: number): boolean {
    return this.cbs[slot] !== null && this.isWrite[slot] === 1 && this.done[slot]! > 0;
  }

  /** Drop the request in `slot` for aio_cancel; return false when it has started (see `started`). */
  cancel(slot: number): boolean {
    if (this.started(slot)) return false;
    this.unwatch(slot);
    this.cbs[slot] = null; // a stale entry in `pending` is skipped, or serves the slot's next request
    this.files[slot] = null;
    return true;
  }

  /** Queue `slot` for the next round (once). */
  markDirty(slot: number): void {
    if (this.dirty[slot] === 1) return;
    this.dirty[slot] = 1;
    this.pending[this.pendingN++] = slot;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.round);
    }
  }

  /** Forget a released file's watcher; its heads are attempted again (and end: their fd no longer names the file). */
  forget(file: OpenFile, w: SocketWatch): void {
    if (this.watches.get(file) === w) this.watches.delete(file);
    const s = w.slots;
    for (let i = 0; i < s.length; i++) {
      this.watched[s[i]!] = 0;
      this.markDirty(s[i]!);
    }
    s.length = 0;
  }

  /**
   * Attempt every head marked since the last round, in priority order; heads that become
   * serviceable meanwhile (the next request of a list whose head completed) go in the next
   * pass. After PASSES passes the rest wait for the event loop's next turn.
   */
  private readonly round = (): void => {
    this.scheduled = false;
    for (let pass = 0; pass < PASSES && this.pendingN > 0; pass++) {
      const b = this.pending;
      const n = this.pendingN;
      this.pending = this.batch;
      this.pendingN = 0;
      this.batch = b;
      if (n > 1) this.sortByPriority(b, n);
      for (let i = 0; i < n; i++) {
        const slot = b[i]!;
        this.dirty[slot] = 0;
        if (this.cbs[slot] !== null) this.attempt(slot);
      }
    }
    if (this.pendingN > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.round);
    }
  };

  /** Sort the first `n` slots of `b` by aio_reqprio, then submission order, in place (insertion sort: no allocation, unlike Array#sort). */
  private sortByPriority(b: Int32Array, n: number): void {
    const prio = this.prio;
    const seq = this.seq;
    for (let i = 1; i < n; i++) {
      const x = b[i]!;
      let j = i - 1;
      while (j >= 0 && (prio[b[j]!]! > prio[x]! || (prio[b[j]!] === prio[x] && seq[b[j]!]! > seq[x]!))) {
        b[j + 1] = b[j]!;
        j--;
      }
      b[j + 1] = x;
    }
  }

  /** Try the head in `slot` once: complete it, or wait for its socket's next readiness change. */
  private attempt(slot: number): void {
    const cb = this.cbs[slot]!;
    const file = this.files[slot]!;
    if (this.proc.file(cb.aio_fildes) !== file) {
      // Closed since submission (perhaps reused for another file): never run it elsewhere.
      // A write that queued part of its data reports that part, as an interrupted write(2).
      const done = this.isWrite[slot] === 1 ? this.done[slot]! : 0;
      return this.end(slot, done > 0 ? done : -EBADF);
    }
    let r: number;
    if (file instanceof TcpFile || file instanceof UdpFile) {
      r = this.isWrite[slot] === 1 ? this.trySend(slot, cb) : this.tryRecv(cb);
    } else if (file instanceof ConsoleFile) {
      r = this.isWrite[slot] === 1 ? cb.aio_nbytes : 0; // like /dev/null, as the posix layer's console files
    } else {
      r = -EINVAL; // an epoll fd: read(2) on one gives EINVAL
    }
    if (r === -EAGAIN) this.watch(slot, file);
    else this.end(slot, r);
  }

  /** One recv: the count (>= 1), 0 at end of stream, -EAGAIN, or -errno. */
  private tryRecv(cb: Aiocb): number {
    if (cb.aio_nbytes === 0) return 0;
    return this.proc.sys.recv(cb.aio_fildes, cb.aio_buf!, 0, cb.aio_nbytes, 0);
  }

  /** Queue what the send buffer takes: aio_nbytes when all is queued, -EAGAIN to wait, else the count before an error or the error. */
  private trySend(slot: number, cb: Aiocb): number {
    const n = cb.aio_nbytes;
    let done = this.done[slot]!;
    for (let i = 0; i < SENDS_PER_ATTEMPT && done < n; i++) {
      const r = this.proc.sys.send(cb.aio_fildes, cb.aio_buf!, done, n - done, MSG_NOSIGNAL);
      if (r > 0) {
        done += r;
        continue;
      }
      this.done[slot] = done;
      if (r === -EAGAIN || r === 0) return -EAGAIN;
      return done > 0 ? done : r;
    }
    this.done[slot] = done;
    return done >= n ? n : -EAGAIN;
  }

  private end(slot: number, res: number): void {
    this.unwatch(slot);
    this.cbs[slot] = null;
    this.files[slot] = null;
    this.sink.finish(slot, res);
  }

  /** Register `slot` with `file`'s watcher (one per file, made the first time a head waits on it). */
  private watch(slot: number, file: OpenFile): void {
    if (this.watched[slot] === 1) return;
    let w = this.watches.get(file);
    if (w === undefined) {
      w = new SocketWatch(this);
      this.watches.set(file, w);
      file.watch(w);
    }
    w.slots.push(slot);
    this.watched[slot] = 1;
  }

  private unwatch(slot: number): void {
    if (this.watched[slot] === 0) return;
    this.watched[slot] = 0;
    const w = this.watches.get(this.files[slot]!);
    if (w === undefined) return;
    const i = w.slots.indexOf(slot);
    if (i >= 0) w.slots.splice(i, 1);
  }
}
