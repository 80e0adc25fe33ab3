// A helper thread of the AIO pool (glibc's handle_fildes_io in sysdeps/pthread/aio_misc.c):
// it waits on its submission ring (polling for SPIN_MS, then sleeping), runs each request it is handed with a blocking
// pread/pwrite/fsync through Node's fs, publishes the result on its completion ring, and
// retires when no work came for aio_idle_time.
//
// Handshake with the main thread over the shared state word (so retiring never loses a
// request): the helper marks itself IDLE before it publishes a completion; the main thread
// claims an idle helper with compareExchange(IDLE -> BUSY) before it submits; a helper whose
// timed wait expired retires only if its own compareExchange(IDLE -> EXITED) wins.

import { fdatasyncSync, fsyncSync, readSync, writeSync } from 'node:fs';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { ChanErr, Ring, type RingSpec } from '../channel/index.js';
import { EIO, ESPIPE } from './errno.js';
import { OP_FDATASYNC, OP_FSYNC, OP_READ, OP_WRITE, SLOT_WORDS, W_BUF, W_BUFOFF, W_FD, W_NBYTES, W_OP, attachRequestTable } from './table.js';

/** Helper state: waiting for work (the main thread may claim it). */
export const HELPER_IDLE = 0;
/** Helper state: claimed by the main thread, running or about to run a request. */
export const HELPER_BUSY = 1;
/** Helper state: retired after aio_idle_time; never claimed again. */
export const HELPER_EXITED = 2;

/** What the main thread hands a helper when it starts it (the only message besides buffers). */
export interface HelperData {
  readonly sub: RingSpec;
  readonly comp: RingSpec;
  readonly table: SharedArrayBuffer;
  readonly slots: number;
  readonly state: Int32Array;
  readonly idleMs: number;
  readonly port: MessagePort;
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

/** How long an idle helper polls its ring before it sleeps (a wake-up costs more than this). */
const SPIN_MS = 0.05;

/** Poll `ring` for up to `ms`; return whether a request arrived. */
function spinFor(ring: Ring, ms: number): boolean {
  const end = performance.now() + ms;
  do {
    for (let i = 0; i < 64; i++) if (ring.consumePeek(1) !== 0) return true;
  } while (performance.now() < end);
  return false;
}

function runHelper(d: HelperData): void {
  const sub = new Ring(d.sub);
  const comp = new Ring(d.comp);
  const table = attachRequestTable(d.table, d.slots);
  const buffers = new Map<number, Uint8Array>();

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
      const pos = table.pos[slot]!;
      try {
        if (op === OP_READ) return readSync(fd, buf, off, n, pos);
        if (op === OP_WRITE) return writeSync(fd, buf, off, n, pos);
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

  for (;;) {
    if (sub.consumePeek(1) === 0 && !spinFor(sub, SPIN_MS)) {
      const r = sub.consumeWaitSync(d.idleMs);
      if (r === ChanErr.Closed) return;
      if (r === ChanErr.TimedOut && sub.consumePeek(1) === 0) {
        if (Atomics.compareExchange(d.state, 0, HELPER_IDLE, HELPER_EXITED) === HELPER_IDLE) return;
      }
      continue;
    }
    const slot = sub.peekOffset(0);
    const user = sub.peekUser(0);
    sub.consumeRelease(1);
    const res = run(slot);
    Atomics.store(d.state, 0, HELPER_IDLE);
    // One request is in flight per helper, so the completion ring always has room.
    comp.push(slot, res >>> 0, 0, user);
  }
}

if (workerData !== null && typeof workerData === 'object' && (workerData as { aioHelper?: unknown }).aioHelper === true) {
  runHelper(workerData as HelperData);
}
