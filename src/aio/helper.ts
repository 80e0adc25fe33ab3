// A helper thread of the AIO pool (glibc's handle_fildes_io in sysdeps/pthread/aio_misc.c):
// it takes the next runnable request from the shared run queue itself (runqueue.ts: lowest
// priority level first), runs it with a blocking pread/pwrite/fsync through Node's fs,
// publishes the result on its own completion ring, and goes straight back to the queue, as a
// glibc thread does after a request; so a busy helper runs request after request with no
// round trip through the main thread and no wake-up. With no work it polls for SPIN_MS, then
// sleeps on the queue's `work` word, and retires when no work came for aio_idle_time.
//
// Its state word tells the main thread, after an exit, whether it was idle (HELPER_IDLE) or
// running a request (HELPER_BUSY, the slot's W_HELPER names it) or had retired cleanly.

import { fdatasyncSync, fsyncSync, readSync, writeSync } from 'node:fs';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { Doorbell, Ring, type RingSpec } from '../channel/index.js';
import { EIO, ESPIPE } from './errno.js';
import { MAIN_BELL_FLAG, MAIN_BELL_WORD, RunQueue, type RunQueueSpec } from './runqueue.js';
import { OP_FDATASYNC, OP_FSYNC, OP_READ, OP_WRITE, SLOT_WORDS, W_BUF, W_BUFOFF, W_FD, W_HELPER, W_NBYTES, W_OP, W_STATE, attachRequestTable } from './table.js';

/** Helper state: starting, polling or sleeping (counted in the run queue's idle count). */
export const HELPER_IDLE = 0;
/** Helper state: running requests. */
export const HELPER_BUSY = 1;
/** Helper state: retired after aio_idle_time (already out of the idle count). */
export const HELPER_EXITED = 2;

/** What the main thread hands a helper when it starts it (the only message besides buffers). */
export interface HelperData {
  /** This helper's number (written into the slots it claims). */
  readonly id: number;
  /** The shared run queue. */
  readonly queue: RunQueueSpec;
  /** This helper's completion ring (it produces, the main thread consumes). */
  readonly comp: RingSpec;
  readonly table: SharedArrayBuffer;
  readonly slots: number;
  /** [0]: HELPER_*; [1]: a word to nap on while a buffer registration is on its way. */
  readonly state: Int32Array;
  readonly idleMs: number;
  readonly port: MessagePort;
  /** The buffers registered before this helper started. */
  readonly buffers: readonly BufferRegistration[];
}

/** A buffer registration: the main thread sends each SharedArrayBuffer once per helper. */
export interface BufferRegistration {
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
}

function errnoOf(e: unknown): number {
  const n = (e as { errno?: unknown } | null)?.errno;
  return typeof n === 'number' && n !== 0 ? Math.abs(n) : EIO;
}

/**
 * How long an idle helper polls the queue before it sleeps (a wake-up costs more than this).
 * Adaptive: after a poll that found nothing the helper goes straight to sleep for the next
 * 1, 2, 4, 8 idle periods (then every 8th polls again), so on a busy machine, where polls
 * miss, a helper does not burn the core the main thread needs, and on a quiet one it finds
 * its way back to polling within a few requests.
 */
const SPIN_MS = 0.05;
/** Most idle periods a helper sleeps without polling after polls that missed. */
const SPIN_BACKOFF_MAX = 8;

/** Poll `rq` for up to `ms`; return whether work arrived. */
function spinFor(rq: RunQueue, ms: number): boolean {
  const end = performance.now() + ms;
  do {
    for (let i = 0; i < 16; i++) if (rq.hasWork()) return true;
  } while (performance.now() < end);
  return false;
}

function runHelper(d: HelperData): void {
  const rq = new RunQueue(d.queue);
  const comp = new Ring(d.comp);
  const mainBell = new Doorbell(rq.ctrl, MAIN_BELL_FLAG, MAIN_BELL_WORD);
  const table = attachRequestTable(d.table, d.slots);
  const words = table.words;
  const buffers = new Map<number, Uint8Array>();
  for (const r of d.buffers) buffers.set(r.id, new Uint8Array(r.buffer));

  const bufferOf = (id: number): Uint8Array | undefined => {
    // The registration was posted before the descriptor was published; drain the port until
    // it shows up (bounded: a missing one fails the request with EIO).
    for (let tries = 0; !buffers.has(id) && tries < 1000; tries++) {
      const m = receiveMessageOnPort(d.port);
      if (m === undefined) {
        Atomics.wait(d.state, 1, 0, 1);
        continue;
      }
      const r = m.message as BufferRegistration;
      buffers.set(r.id, new Uint8Array(r.buffer));
    }
    return buffers.get(id);
  };

  const run = (slot: number): number => {
    const w = slot * SLOT_WORDS;
    const words = table.words;
    const op = words[w + W_OP]!;
    const fd = words[w + W_FD]!;
    try {
      if (op === OP_FSYNC) {
        fsyncSync(fd);
        return 0;
      }
      if (op === OP_FDATASYNC) {
        fdatasyncSync(fd);
        return 0;
      }
      const buf = bufferOf(words[w + W_BUF]!);
      if (buf === undefined) return -EIO;
      const off = words[w + W_BUFOFF]!;
      const n = words[w + W_NBYTES]!;
      // Node 24 refuses a number position past 2^53 - 1 (ERR_OUT_OF_RANGE); a bigint is
      // taken up to 2^63 - 1, as Linux takes an off_t (only zero-byte transfers reach here).
      const at = table.pos[slot]!;
      const pos = at > Number.MAX_SAFE_INTEGER ? BigInt(at) : at;
      try {
        if (op === OP_READ) return readSync(fd, buf, off, n, pos);
        // @types/node types writeSync's position as a number; Node 20 and 24 take a bigint too.
        if (op === OP_WRITE) return writeSync(fd, buf, off, n, pos as number);
        return -EIO;
      } catch (e) {
        // Like glibc's handle_fildes_io: Linux answers pread/pwrite on a pipe or socket with
        // ESPIPE, where other systems ignore the offset; fall back to read/write.
        if (errnoOf(e) !== ESPIPE) throw e;
        return op === OP_READ ? readSync(fd, buf, off, n, null) : writeSync(fd, buf, off, n, null);
      }
    } catch (e) {
      return -errnoOf(e);
    }
  };

  // The main thread counted us idle when it started us.
  let idle = true;
  // Adaptive polling: after a poll that found nothing, skip polling for `backoff` idle
  // periods (doubling up to SPIN_BACKOFF_MAX); a poll that finds work resets it.
  let backoff = 0;
  let skip = 0;
  for (;;) {
    const slot = rq.claim(words, SLOT_WORDS, W_STATE);
    if (slot >= 0) {
      if (idle) {
        idle = false;
        Atomics.store(d.state, 0, HELPER_BUSY);
        rq.leaveIdle();
      }
      const w = slot * SLOT_WORDS;
      Atomics.store(words, w + W_HELPER, d.id);
      const tag = Atomics.load(words, w + W_STATE);
      const res = run(slot);
      if (!rq.hasWork()) {
        // About to look for work and find none: count as idle before the result goes out, so
        // a request submitted in answer to it does not start another helper for nothing.
        idle = true;
        Atomics.store(d.state, 0, HELPER_IDLE);
        rq.enterIdle();
      }
      // The completion ring holds aio_num entries, more than can ever be outstanding.
      comp.push(slot, res >>> 0, 0, tag);
      mainBell.ring(); // a notify only when the main thread sleeps
      continue;
    }
    if (!idle) {
      idle = true;
      Atomics.store(d.state, 0, HELPER_IDLE);
      rq.enterIdle();
    }
    if (skip > 0) skip--;
    else if (spinFor(rq, SPIN_MS)) {
      backoff = 0;
      continue;
    } else {
      backoff = backoff === 0 ? 1 : Math.min(2 * backoff, SPIN_BACKOFF_MAX);
      skip = backoff;
    }
    if (rq.sleep(d.idleMs)) continue;
    // aio_idle_time without work: retire, unless work came while we left the idle count.
    Atomics.store(d.state, 0, HELPER_EXITED);
    rq.leaveIdle();
    if (!rq.hasWork()) return;
    idle = false;
    Atomics.store(d.state, 0, HELPER_BUSY);
  }
}

if (workerData !== null && typeof workerData === 'object' && (workerData as { aioHelper?: unknown }).aioHelper === true) {
  runHelper(workerData as HelperData);
}
