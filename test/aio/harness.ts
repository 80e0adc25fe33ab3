// Shared pieces of the AIO suites: temporary files, shared buffers, bounded waits, contexts
// with a short idle time, and two ways to keep a request running: a read on an empty FIFO
// (blocker) and writes that fill a FIFO (fullPipe, the FIFO form of the Open POSIX Test
// Suite's socket-pair setup). Every wait is bounded.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIO_NOTCANCELED, AioContext, ECANCELED, EINPROGRESS, newAiocb, newSigevent, SIGEV_SIGNAL, SIGEV_THREAD, type Aiocb, type Sigevent } from '../../src/aio/index.js';

const dir = mkdtempSync(join(tmpdir(), 'netch-aio-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/** A descriptor number no test opens (far above what the suites use). */
export const NOT_OPEN_FD = 999_999;

/** Return a fresh path in the suite's temporary directory. */
export function tmpPath(name = 'f'): string {
  return join(dir, `${name}${fileNo++}`);
}

/** Create a file holding `content`; return an fd open with `flags` (read and write by default). */
export function fileWith(content: string | Uint8Array, flags = 'r+'): number {
  const p = tmpPath();
  writeFileSync(p, content);
  return openSync(p, flags);
}

/** Return `n` zeroed bytes over a SharedArrayBuffer (what aio_buf must be for the helpers). */
export function shared(n: number, fill = 0): Uint8Array {
  const b = new Uint8Array(new SharedArrayBuffer(n));
  if (fill !== 0) b.fill(fill);
  return b;
}

/** Return the first `n` bytes of `b` as a string. */
export function text(b: Uint8Array, n: number): string {
  return Buffer.from(b.buffer, b.byteOffset, n).toString();
}

/** Reject when `p` does not settle within `ms`. */
export async function within<T>(p: Promise<T> | T, ms = 5000, what = 'operation'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `cond` every 10 ms for at most `ms`; return whether it became true. */
export async function eventually(cond: () => boolean, ms = 5000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 10) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

/** Return a context of `threads` helpers and `num` slots whose helpers retire after 50 ms. */
export function newContext(threads = 4, num = 64): AioContext {
  return new AioContext({ aio_threads: threads, aio_num: num, aio_idle_time: 0.05 });
}

/** Return a SIGEV_THREAD sigevent that pushes `value` onto `into`. */
export function noteInto(into: unknown[], value: unknown): Sigevent {
  return { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: value, sigev_notify_function: (v: unknown) => into.push(v) };
}

/** Return a SIGEV_SIGNAL sigevent for `signo` carrying `value`. */
export function signalOf(signo: number, value: unknown): Sigevent {
  return { ...newSigevent(), sigev_notify: SIGEV_SIGNAL, sigev_signo: signo, sigev_value: value };
}

function fifo(): { path: string; fd: number } {
  const path = tmpPath('fifo');
  execFileSync('mkfifo', [path]);
  return { path, fd: openSync(path, 'r+') };
}

/** A request that stays running until released: a read on an empty FIFO. */
export async function blocker(ctx: AioContext): Promise<{ fd: number; cb: Aiocb; release: () => Promise<void> }> {
  const { path, fd } = fifo();
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(1), aio_nbytes: 1 });
  assert.equal(ctx.read(cb), 0);
  // Wait until a helper has taken it (the request is no longer cancelable).
  assert.ok(await eventually(() => ctx.isRunning(cb)), 'blocker did not start');
  assert.equal(ctx.cancel(fd, cb), AIO_NOTCANCELED);
  const release = async (): Promise<void> => {
    const w = openSync(path, 'r+');
    writeSync(w, 'x');
    await within(ctx.suspend([cb]), 5000, 'blocker release');
    closeSync(w);
    closeSync(fd);
  };
  return { fd, cb, release };
}

/** Writes queued on one FIFO until one of them blocks on the full pipe; see fullPipe. */
export interface FullPipe {
  fd: number;
  cbs: Aiocb[];
  /** The index of the write that is running, blocked on the full pipe (those before it are done). */
  blocked: number;
  /**
   * Read everything the writes not canceled put in the pipe (without blocking the main
   * thread, which promotes each next write); resolve when they all completed.
   */
  drain: () => Promise<void>;
}

/**
 * Queue `count` writes of `size` bytes (filled with their index + 1) on a FIFO with `submit`
 * (aio_write by default), more than its buffer holds, and wait until the first one not done
 * runs: it is then blocked until the pipe is read, and the writes behind it wait in the fd's
 * list (the Open POSIX Test Suite gets the same from a socket pair's send buffer). Only the
 * main thread reaps completions, so within one synchronous stretch of a test the blocked
 * write stays running and the others stay queued.
 */
export async function fullPipe(
  ctx: AioContext,
  count = 8,
  size = 32 * 1024,
  fields: (i: number) => Partial<Aiocb> = () => ({}),
  submit: (cbs: Aiocb[]) => void = (cbs) => cbs.forEach((cb) => assert.equal(ctx.write(cb), 0)),
): Promise<FullPipe> {
  const { path, fd } = fifo();
  const cbs = Array.from({ length: count }, (_, i) => newAiocb({ aio_fildes: fd, aio_buf: shared(size, i + 1), aio_nbytes: size, ...fields(i) }));
  submit(cbs);
  let blocked = -1;
  const running = (): boolean => {
    blocked = cbs.findIndex((cb) => ctx.error(cb) === EINPROGRESS);
    return blocked >= 0 && ctx.isRunning(cbs[blocked]!);
  };
  // A running write may still finish if the pipe had room; it is blocked once it stays running.
  assert.ok(await eventually(() => running() && cbs.slice(0, blocked).every((cb) => ctx.error(cb) === 0)), 'no write blocked');
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(await eventually(running), 'no write blocked');
  const drain = async (): Promise<void> => {
    const live = cbs.filter((cb) => ctx.error(cb) !== ECANCELED);
    const r = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const b = Buffer.alloc(64 * 1024);
    const total = live.length * size;
    let got = 0;
    for (let idle = 0; got < total && idle < 500; ) {
      try {
        got += readSync(r, b, 0, Math.min(b.length, total - got), null);
        idle = 0;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        idle++;
        await new Promise((res) => setTimeout(res, 10));
      }
    }
    closeSync(r);
    assert.equal(got, total, 'bytes written to the pipe');
    await within(Promise.all(live.map((cb) => ctx.wait(cb))), 5000, 'writes behind the full pipe');
    closeSync(fd);
  };
  return { fd, cbs, blocked, drain };
}
