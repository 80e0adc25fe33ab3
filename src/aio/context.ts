// The AIO engine, after glibc's sysdeps/pthread/aio_misc.c: a queue of runnable requests
// ordered by priority (the "runlist"), one list of requests per file descriptor of which only
// the head runs (so requests on one fd run in submission order, one at a time), and a pool
// of helper threads created on demand up to aio_threads that retire after aio_idle_time.
// glibc guards its lists with one mutex; here the lists live on the main thread alone and
// the helpers only see what reaches them through their rings: the main thread is the only
// one that schedules.

import { EventEmitter } from 'node:events';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ChanErr, Ring, createRing, newRingDesc } from '../channel/index.js';
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
import { EAGAIN, EBADF, ECANCELED, EINPROGRESS, EINVAL, EIO, EOVERFLOW } from './errno.js';
import { HELPER_BUSY, HELPER_IDLE, type HelperData } from './helper.js';
import { OP_FDATASYNC, OP_FSYNC, OP_READ, OP_WRITE, SLOT_WORDS, W_BUF, W_BUFOFF, W_FD, W_NBYTES, W_OP, createRequestTable, type RequestTable } from './table.js';

/** glibc's struct aioinit, the fields it uses. */
export interface AioInit {
  /** Most helper threads at once (glibc default 20). */
  aio_threads?: number;
  /** Most requests queued or running at once; more get EAGAIN (glibc default 64). */
  aio_num?: number;
  /** Seconds a helper waits for work before it retires (glibc default 1; fractions allowed). */
  aio_idle_time?: number;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const NEVER = 0x7fffffff;

interface Helper {
  readonly worker: Worker;
  readonly sub: Ring;
  readonly comp: Ring;
  readonly state: Int32Array;
  readonly port: MessagePort;
  readonly buffers: WeakSet<SharedArrayBuffer>;
  inflight: Req | null;
  waiting: boolean;
  dead: boolean;
}

interface LioGroup {
  left: number;
  failed: boolean;
  sig: Sigevent | null;
  resolve: ((n: number) => void) | null;
}

const Q_QUEUED = 0;
const Q_RUNNING = 1;

interface Req {
  readonly cb: Aiocb;
  readonly slot: number;
  readonly seq: number;
  readonly op: number;
  state: number;
  group: LioGroup | null;
  resolve: ((n: number) => void) | null;
}

/**
 * Return this process's Node flags minus the ones that name its main program (-e, -p,
 * --input-type), which a helper must not inherit; undefined when there are none to drop,
 * so the worker inherits the flags as Node does by default (Node 24's test runner starts
 * processes with flags that Worker refuses when they are passed explicitly).
 */
function helperExecArgv(): string[] | undefined {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--input-type') && !a.startsWith('--eval=') && !a.startsWith('--print=')) out.push(a);
  }
  return out.length === argv.length ? undefined : out;
}

/** Return the Worker option that sets the helper's flags, or nothing (inherit). */
function execArgvOption(): { execArgv?: string[] } {
  const execArgv = helperExecArgv();
  return execArgv === undefined ? {} : { execArgv };
}

function isSharedBytes(b: unknown): b is Uint8Array {
  return b instanceof Uint8Array && typeof SharedArrayBuffer !== 'undefined' && b.buffer instanceof SharedArrayBuffer;
}

function validSigevent(s: Sigevent | null | undefined): boolean {
  if (s === null || s === undefined) return true;
  if (s.sigev_notify === SIGEV_NONE || s.sigev_notify === SIGEV_SIGNAL) return true;
  return s.sigev_notify === SIGEV_THREAD && typeof s.sigev_notify_function === 'function';
}

/** Return -errno when `cb` cannot be a read or write request, else 0 (the EINVAL/EOVERFLOW rules of aio_read(3)). */
function checkTransfer(cb: Aiocb): number {
  if (cb === null || typeof cb !== 'object') return -EINVAL;
  if (!Number.isInteger(cb.aio_fildes) || cb.aio_fildes < 0) return -EBADF;
  if (!isSharedBytes(cb.aio_buf)) return -EINVAL;
  if (!Number.isInteger(cb.aio_nbytes) || cb.aio_nbytes < 0 || cb.aio_nbytes > cb.aio_buf.byteLength) return -EINVAL;
  if (!Number.isInteger(cb.aio_offset) || cb.aio_offset < 0) return -EINVAL;
  if (cb.aio_offset + cb.aio_nbytes > MAX_SAFE) return -EOVERFLOW;
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
  private readonly slotsMax: number;
  private table: RequestTable | null = null;
  private readonly freeSlots: number[] = [];
  private readonly reqs: (Req | null)[];
  private readonly runlist: Req[] = [];
  private readonly fdLists = new Map<number, Req[]>();
  private readonly idle: Helper[] = [];
  private readonly busy = new Set<Helper>();
  private live = 0;
  private seq = 0;
  private nextBufferId = 1;
  private readonly bufferIds = new WeakMap<SharedArrayBuffer, number>();
  private readonly completionWaiters = new Set<() => void>();
  private readonly desc = newRingDesc();
  /** Helpers started so far (a counter for tests and stats). */
  spawned = 0;
  /** Helpers that retired (a counter for tests and stats). */
  retired = 0;

  /** Make an instance with glibc's tuning fields (defaults 20 threads, 64 requests, 1 s). */
  constructor(init: AioInit = {}) {
    super();
    this.threads = Math.max(1, Math.floor(init.aio_threads ?? 20));
    this.slotsMax = Math.max(1, Math.floor(init.aio_num ?? 64));
    this.idleMs = Math.max(1, Math.round((init.aio_idle_time ?? 1) * 1000));
    this.reqs = new Array<Req | null>(this.slotsMax).fill(null);
    for (let i = this.slotsMax - 1; i >= 0; i--) this.freeSlots.push(i);
  }

  /** Change the thread limit and idle time (aio_init(3); aio_num is fixed once made). */
  tune(init: AioInit): void {
    if (init.aio_threads !== undefined) this.threads = Math.max(1, Math.floor(init.aio_threads));
    if (init.aio_idle_time !== undefined) this.idleMs = Math.max(1, Math.round(init.aio_idle_time * 1000));
  }

  /** Return the number of live helper threads. */
  get helpers(): number {
    return this.live;
  }

  /** Return the number of requests queued or running. */
  get outstanding(): number {
    return this.slotsMax - this.freeSlots.length;
  }

  /** Queue a read (aio_read(3)); return 0 or -errno. */
  read(cb: Aiocb): number {
    const e = checkTransfer(cb);
    return e !== 0 ? e : this.enqueue(cb, OP_READ, null);
  }

  /** Queue a write (aio_write(3)); return 0 or -errno. */
  write(cb: Aiocb): number {
    const e = checkTransfer(cb);
    return e !== 0 ? e : this.enqueue(cb, OP_WRITE, null);
  }

  /** Queue a sync of everything queued before it on cb.aio_fildes (aio_fsync(3)); return 0 or -errno. */
  fsync(op: number, cb: Aiocb): number {
    if (op !== O_SYNC && op !== O_DSYNC) return -EINVAL;
    if (cb === null || typeof cb !== 'object') return -EINVAL;
    if (!Number.isInteger(cb.aio_fildes) || cb.aio_fildes < 0) return -EBADF;
    return this.enqueue(cb, op === O_SYNC ? OP_FSYNC : OP_FDATASYNC, null);
  }

  /** Return 0, EINPROGRESS or the request's errno value (aio_error(3)); -EINVAL for a block never submitted. */
  error(cb: Aiocb): number {
    if (cb === null || typeof cb !== 'object' || cb.__error_code === -1) return -EINVAL;
    return cb.__error_code;
  }

  /** Return a completed request's byte count or -errno, once (aio_return(3)); -EINVAL when pending or already returned. */
  return(cb: Aiocb): number {
    if (cb === null || typeof cb !== 'object' || cb.__error_code === -1 || cb.__error_code === EINPROGRESS) return -EINVAL;
    const r = cb.__return_value;
    cb.__error_code = -1;
    return r;
  }

  /**
   * Resolve to 0 once at least one request of `list` is complete, or -EAGAIN after
   * `timeoutMs` (aio_suspend(3); null entries are ignored). A promise, not a block: the main
   * thread cannot sleep.
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
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const check = (): void => {
        if (!anyDone()) return;
        this.completionWaiters.delete(check);
        if (timer !== null) clearTimeout(timer);
        resolve(0);
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

  /**
   * Cancel `cb`, or with cb null every request of `fd` (aio_cancel(3)); return AIO_CANCELED,
   * AIO_NOTCANCELED (one is running), AIO_ALLDONE, or -EBADF / -EINVAL. A canceled request
   * completes with ECANCELED and is notified.
   */
  cancel(fd: number, cb: Aiocb | null = null): number {
    if (!Number.isInteger(fd) || fd < 0) return -EBADF;
    if (cb !== null && cb.aio_fildes !== fd) return -EINVAL;
    const list = this.fdLists.get(fd);
    if (list === undefined) return AIO_ALLDONE;
    let canceled = 0;
    let running = 0;
    for (const req of [...list]) {
      if (cb !== null && req.cb !== cb) continue;
      if (req.state === Q_RUNNING) {
        running++;
        continue;
      }
      this.unlink(req);
      this.complete(req, -ECANCELED);
      canceled++;
    }
    this.pump();
    this.wakeWaiters();
    if (running > 0) return AIO_NOTCANCELED;
    return canceled > 0 ? AIO_CANCELED : AIO_ALLDONE;
  }

  /**
   * Queue every entry of `list` (lio_listio(3)). With LIO_WAIT resolve to 0 when all
   * completed, or -EIO when one failed; with LIO_NOWAIT return 0 at once and notify `sig`
   * when all completed. -EAGAIN when an entry could not be queued (the others go on),
   * -EINVAL for a bad mode.
   */
  listio(mode: number, list: readonly (Aiocb | null)[], sig: Sigevent | null = null): number | Promise<number> {
    if (mode !== LIO_WAIT && mode !== LIO_NOWAIT) return -EINVAL;
    if (!validSigevent(sig)) return -EINVAL;
    if (list.length > this.slotsMax) return -EAGAIN;
    const group: LioGroup = { left: 1, failed: false, sig: mode === LIO_NOWAIT ? sig : null, resolve: null };
    let refused = false;
    for (const cb of list) {
      if (cb === null || cb.aio_lio_opcode === LIO_NOP) continue;
      let r: number;
      if (cb.aio_lio_opcode === LIO_READ || cb.aio_lio_opcode === LIO_WRITE) {
        const e = checkTransfer(cb);
        r = e !== 0 ? e : this.enqueue(cb, cb.aio_lio_opcode === LIO_READ ? OP_READ : OP_WRITE, group);
      } else {
        r = -EINVAL;
      }
      if (r < 0) {
        // POSIX: an entry that could not be queued reports its error through aio_error.
        cb.__error_code = -r;
        cb.__return_value = -1;
        group.failed = true;
        refused = true;
      }
    }
    if (mode === LIO_NOWAIT) {
      this.groupDone(group);
      return refused ? -EAGAIN : 0;
    }
    return new Promise<number>((resolve) => {
      group.resolve = (n) => resolve(refused ? -EAGAIN : n);
      this.groupDone(group);
    });
  }

  /** Queue `cb` with operation `op` and resolve to its result (bytes or -errno), consumed like aio_return. */
  submitAsync(cb: Aiocb, op: 'read' | 'write' | number): Promise<number> {
    const r = op === 'read' ? this.read(cb) : op === 'write' ? this.write(cb) : this.fsync(op, cb);
    if (r < 0) return Promise.resolve(r);
    return this.wait(cb);
  }

  /** Resolve to the result of a submitted request once it completes (consumed like aio_return). */
  wait(cb: Aiocb): Promise<number> {
    if (cb.__error_code !== EINPROGRESS) return Promise.resolve(this.return(cb));
    for (const req of this.fdLists.get(cb.aio_fildes) ?? []) {
      if (req.cb === cb) return new Promise((resolve) => (req.resolve = resolve));
    }
    return Promise.resolve(-EINVAL);
  }

  // ---- queueing (glibc: __aio_enqueue_request) ----

  private enqueue(cb: Aiocb, op: number, group: LioGroup | null): number {
    if (!validSigevent(cb.aio_sigevent)) return -EINVAL;
    if (!Number.isInteger(cb.aio_reqprio) || cb.aio_reqprio < 0 || cb.aio_reqprio > AIO_PRIO_DELTA_MAX) return -EINVAL;
    if (cb.__error_code === EINPROGRESS) return -EINVAL;
    const slot = this.freeSlots.pop();
    if (slot === undefined) return -EAGAIN;
    const req: Req = { cb, slot, seq: this.seq++, op, state: Q_QUEUED, group, resolve: null };
    this.reqs[slot] = req;
    if (group !== null) group.left++;
    cb.__error_code = EINPROGRESS;
    cb.__return_value = 0;
    const fd = cb.aio_fildes;
    const list = this.fdLists.get(fd);
    if (list === undefined) {
      this.fdLists.set(fd, [req]);
      this.makeRunnable(req);
    } else {
      list.push(req); // waits behind the fd's head, in submission order
    }
    this.pump();
    return 0;
  }

  /** Insert into the runlist by priority: lower aio_reqprio first (POSIX runs a request at process priority minus aio_reqprio), then submission order. */
  private makeRunnable(req: Req): void {
    const rl = this.runlist;
    let i = rl.length;
    while (i > 0) {
      const o = rl[i - 1]!;
      if (o.cb.aio_reqprio < req.cb.aio_reqprio || (o.cb.aio_reqprio === req.cb.aio_reqprio && o.seq < req.seq)) break;
      i--;
    }
    rl.splice(i, 0, req);
  }

  /** Take a queued request out of its fd list (and the runlist); promote the next of the fd. */
  private unlink(req: Req): void {
    const fd = req.cb.aio_fildes;
    const list = this.fdLists.get(fd)!;
    const at = list.indexOf(req);
    list.splice(at, 1);
    const r = this.runlist.indexOf(req);
    if (r >= 0) this.runlist.splice(r, 1);
    if (list.length === 0) this.fdLists.delete(fd);
    else if (at === 0) this.makeRunnable(list[0]!);
  }

  /** Hand runnable requests to idle helpers, starting helpers up to aio_threads. */
  private pump(): void {
    while (this.runlist.length > 0) {
      const h = this.claimHelper();
      if (h === null) return;
      const req = this.runlist.shift()!;
      this.dispatch(h, req);
    }
  }

  private claimHelper(): Helper | null {
    for (;;) {
      const h = this.idle.pop();
      if (h === undefined) break;
      if (h.dead) continue;
      if (Atomics.compareExchange(h.state, 0, HELPER_IDLE, HELPER_BUSY) === HELPER_IDLE) return h;
      this.bury(h); // it retired a moment ago
    }
    if (this.live >= this.threads) return null;
    const h = this.spawn();
    Atomics.store(h.state, 0, HELPER_BUSY);
    return h;
  }

  private spawn(): Helper {
    const table = (this.table ??= createRequestTable(this.slotsMax));
    const subSpec = createRing(4);
    const compSpec = createRing(4);
    const state = new Int32Array(new SharedArrayBuffer(8));
    const { port1, port2 } = new MessageChannel();
    const data: HelperData & { aioHelper: true } = {
      aioHelper: true,
      sub: subSpec,
      comp: compSpec,
      table: table.buffer,
      slots: table.slots,
      state,
      idleMs: this.idleMs,
      port: port2,
    };
    // The only postMessage of a helper's life besides buffer registrations: its start.
    const worker = new Worker(new URL('./helper.js', import.meta.url), { workerData: data, transferList: [port2], ...execArgvOption() });
    const h: Helper = { worker, sub: new Ring(subSpec), comp: new Ring(compSpec), state, port: port1, buffers: new WeakSet(), inflight: null, waiting: false, dead: false };
    worker.unref();
    port1.unref();
    worker.on('exit', () => this.onExit(h));
    worker.on('error', () => undefined); // reported through 'exit'; the request fails with EIO
    this.live++;
    this.spawned++;
    return h;
  }

  private bury(h: Helper): void {
    if (h.dead) return;
    h.dead = true;
    this.live--;
    this.retired++;
    h.port.close();
  }

  private onExit(h: Helper): void {
    const req = h.inflight;
    this.bury(h);
    const at = this.idle.indexOf(h);
    if (at >= 0) this.idle.splice(at, 1);
    if (req !== null) {
      h.inflight = null;
      this.busy.delete(h);
      h.worker.unref();
      this.finish(req, -EIO);
      this.wakeWaiters();
    }
    this.pump();
  }

  private dispatch(h: Helper, req: Req): void {
    const t = this.table!;
    const cb = req.cb;
    const w = req.slot * SLOT_WORDS;
    t.words[w + W_OP] = req.op;
    t.words[w + W_FD] = cb.aio_fildes;
    t.pos[req.slot] = cb.aio_offset;
    if (req.op === OP_READ || req.op === OP_WRITE) {
      const buf = cb.aio_buf!;
      const sab = buf.buffer as SharedArrayBuffer;
      let id = this.bufferIds.get(sab);
      if (id === undefined) {
        id = this.nextBufferId++;
        this.bufferIds.set(sab, id);
      }
      if (!h.buffers.has(sab)) {
        h.buffers.add(sab); // registered once per helper, like io_uring's registered buffers
        h.port.postMessage({ id, buffer: sab });
      }
      t.words[w + W_BUF] = id;
      t.words[w + W_BUFOFF] = buf.byteOffset;
      t.words[w + W_NBYTES] = cb.aio_nbytes;
    }
    req.state = Q_RUNNING;
    h.inflight = req;
    this.busy.add(h);
    h.worker.ref(); // a request in flight keeps the process alive; an idle pool does not
    h.sub.push(req.slot, 0, 0, req.seq >>> 0);
    this.awaitCompletion(h);
  }

  private awaitCompletion(h: Helper): void {
    if (h.waiting) return;
    h.waiting = true;
    void h.comp.consumeWaitAsync(NEVER).then(() => this.onWake(h));
  }

  /**
   * A helper's completion ring woke us: drain it and, while awake, every other busy
   * helper's too (one wake-up then serves many completions, like libuv's coalesced async).
   */
  private onWake(h: Helper): void {
    h.waiting = false;
    let n = this.drain(h);
    for (const o of this.busy) if (o !== h) n += this.drain(o);
    if (h.inflight !== null && !h.dead) this.awaitCompletion(h);
    if (n > 0) {
      this.pump();
      this.wakeWaiters();
    }
  }

  /** Reap a helper's completion ring; return how many requests finished. */
  private drain(h: Helper): number {
    const d = this.desc;
    let n = 0;
    while (h.comp.pop(d) === ChanErr.Ok) {
      const req = this.reqs[d.offset];
      if (req === null || req === undefined || h.inflight !== req) continue;
      h.inflight = null;
      this.busy.delete(h);
      h.worker.unref();
      if (!h.dead) this.idle.push(h);
      this.finish(req, d.length | 0);
      n++;
    }
    return n;
  }

  private finish(req: Req, res: number): void {
    const list = this.fdLists.get(req.cb.aio_fildes);
    if (list !== undefined && list[0] === req) {
      list.shift();
      if (list.length === 0) this.fdLists.delete(req.cb.aio_fildes);
      else this.makeRunnable(list[0]!);
    }
    this.complete(req, res);
  }

  /** Record the result in the block, free the slot, notify (glibc: __aio_notify). */
  private complete(req: Req, res: number): void {
    const cb = req.cb;
    cb.__return_value = res;
    cb.__error_code = res >= 0 ? 0 : -res;
    this.reqs[req.slot] = null;
    this.freeSlots.push(req.slot);
    if (req.resolve !== null) {
      const r = req.resolve;
      req.resolve = null;
      r(this.return(cb));
    }
    this.notify(cb.aio_sigevent);
    const g = req.group;
    if (g !== null) {
      if (res < 0) g.failed = true;
      this.groupDone(g);
    }
  }

  private groupDone(g: LioGroup): void {
    if (--g.left !== 0) return;
    if (g.resolve !== null) g.resolve(g.failed ? -EIO : 0);
    this.notify(g.sig);
  }

  private notify(s: Sigevent | null | undefined): void {
    if (s === null || s === undefined) return;
    if (s.sigev_notify === SIGEV_THREAD && s.sigev_notify_function !== null) {
      const fn = s.sigev_notify_function;
      const v = s.sigev_value;
      queueMicrotask(() => fn(v));
    } else if (s.sigev_notify === SIGEV_SIGNAL) {
      const signo = s.sigev_signo;
      const v = s.sigev_value;
      queueMicrotask(() => this.emit('signal', signo, v));
    }
  }

  private wakeWaiters(): void {
    for (const w of [...this.completionWaiters]) w();
  }
}
