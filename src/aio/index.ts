// AIO layer: POSIX asynchronous I/O (<aio.h>) built the way glibc builds it (see
// docs/aio.md and glibc's sysdeps/pthread/aio_misc.c).
//
// Deals with: control blocks (aiocb.ts), one in-order list of requests per file descriptor,
// a priority-ordered run queue in shared memory (runqueue.ts) from which a pool of helper
// threads (helper.ts) take requests themselves and run the blocking pread/pwrite/fsync;
// results come back through each helper's completion ring (src/channel), so no message is
// posted per request and a busy helper needs no wake-up between requests.
//
// Guarantees: requests on one fd (on a socket: one fd and direction) run one at a time, in
// glibc's order (by aio_reqprio, then submission order; a sync at priority 0); a request is
// completed exactly once (done, failed or canceled) and notified once; helpers start on demand up to aio_threads and retire after aio_idle_time;
// an idle pool does not keep the process alive, and nothing needs to be destroyed.
//
// Never does: block the main thread (aio_suspend and lio_listio(LIO_WAIT) return promises),
// copy a data buffer (for the helpers aio_buf must be a Uint8Array over a SharedArrayBuffer;
// any other buffer is refused with EINVAL; a socket request, served on the calling thread,
// takes any Uint8Array), or throw for a bad argument (functions return n >= 0 or -errno).
// Descriptors: OS file descriptors (fs.openSync) for the process-wide instance; for an
// instance bound to a POSIX process of our stack (processAio), that process's fds: its
// sockets, served on the calling thread by readiness callbacks (sockets.ts), and OS files
// installed in its fd table with openOsFile (os-file.ts), served by the helpers.

import type { Process } from '../posix/index.js';
import type { Aiocb, Sigevent } from './aiocb.js';
import { AioContext, type AioInit } from './context.js';

export * from './aiocb.js';
export * from './errno.js';
export { AioContext, defaultAioThreads, type AioInit, type AioContextOptions } from './context.js';
export { OsFile, openOsFile, type OpenOsFileOptions } from './os-file.js';

let defaultContext: AioContext | null = null;
const perProcess = new WeakMap<Process, AioContext>();

/**
 * Return `proc`'s AIO instance (made on first use with `init`; later calls ignore it): its
 * aio_fildes are `proc`'s fds, sockets included. Like glibc's, it needs no destroy call:
 * the process's exit closes its fds, which ends its pending socket requests with EBADF (a
 * write that queued part of its data with that count), lets its OS-file requests finish
 * (then their descriptors close), and idle helpers retire.
 */
export function processAio(proc: Process, init: AioInit = {}): AioContext {
  let ctx = perProcess.get(proc);
  if (ctx === undefined) {
    ctx = new AioContext({ ...init, process: proc });
    perProcess.set(proc, ctx);
  }
  return ctx;
}

/** Return the process's AIO instance (made on first use); its 'signal' events are SIGEV_SIGNAL notifications. */
export function aioContext(): AioContext {
  return (defaultContext ??= new AioContext());
}

/**
 * Set the tuning of the process's AIO instance (aio_init(3)) with glibc's rules: aio_threads
 * and aio_num (at least 32, a multiple of 32) only before its first request, aio_idle_time
 * unless 0 (see AioContext.tune).
 */
export function aioInit(init: AioInit): void {
  aioContext().tune(init);
}

/** Queue an asynchronous read (aio_read(3)); return 0 or -errno. */
export function aioRead(cb: Aiocb): number {
  return aioContext().read(cb);
}

/** Queue an asynchronous write (aio_write(3)); return 0 or -errno. */
export function aioWrite(cb: Aiocb): number {
  return aioContext().write(cb);
}

/** Queue an asynchronous O_SYNC or O_DSYNC sync of cb.aio_fildes (aio_fsync(3)); return 0 or -errno. */
export function aioFsync(op: number, cb: Aiocb): number {
  return aioContext().fsync(op, cb);
}

/** Return 0, EINPROGRESS or the errno value of a request (aio_error(3)). */
export function aioError(cb: Aiocb): number {
  return aioContext().error(cb);
}

/** Return the final result of a completed request, once (aio_return(3)). */
export function aioReturn(cb: Aiocb): number {
  return aioContext().return(cb);
}

/** Resolve to 0 when one request of `list` completed, -EAGAIN after `timeoutMs` (aio_suspend(3)). */
export function aioSuspend(list: readonly (Aiocb | null)[], timeoutMs?: number): Promise<number> {
  return aioContext().suspend(list, timeoutMs);
}

/** Cancel one request or all of `fd` (aio_cancel(3)); return AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE or -errno. */
export function aioCancel(fd: number, cb: Aiocb | null = null): number {
  return aioContext().cancel(fd, cb);
}

/** Queue a list of requests (lio_listio(3)): a promise with LIO_WAIT, a number with LIO_NOWAIT. */
export function lioListio(mode: number, list: readonly (Aiocb | null)[], sig: Sigevent | null = null): number | Promise<number> {
  return aioContext().listio(mode, list, sig);
}

/** Read and resolve to the byte count or -errno (aio_read + aio_suspend + aio_return). */
export function aioReadAsync(cb: Aiocb): Promise<number> {
  return aioContext().submitAsync(cb, 'read');
}

/** Write and resolve to the byte count or -errno (aio_write + aio_suspend + aio_return). */
export function aioWriteAsync(cb: Aiocb): Promise<number> {
  return aioContext().submitAsync(cb, 'write');
}

/** Sync and resolve to 0 or -errno (aio_fsync + aio_suspend + aio_return). */
export function aioFsyncAsync(op: number, cb: Aiocb): Promise<number> {
  return aioContext().submitAsync(cb, op);
}
