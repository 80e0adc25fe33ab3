// AIO conformance: each test restates, in our own words, one assertion of the Open POSIX
// Test Suite for aio_read, aio_write, aio_error, aio_return, aio_suspend, aio_cancel,
// aio_fsync and lio_listio, followed by the design properties glibc's implementation adds
// (per-fd ordering, priority order, on-demand helpers that retire). Every wait is bounded.
// A request that stays pending is made with a read on a FIFO nobody writes to; each test
// releases it before it ends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AIO_ALLDONE,
  AIO_CANCELED,
  AIO_NOTCANCELED,
  AioContext,
  EAGAIN,
  EBADF,
  ECANCELED,
  EINPROGRESS,
  EINVAL,
  EIO,
  EOVERFLOW,
  LIO_NOP,
  LIO_NOWAIT,
  LIO_READ,
  LIO_WAIT,
  LIO_WRITE,
  O_DSYNC,
  O_SYNC,
  SIGEV_SIGNAL,
  SIGEV_THREAD,
  defaultAioThreads,
  newAiocb,
  newSigevent,
  type Aiocb,
} from '../../src/aio/index.js';

const dir = mkdtempSync(join(tmpdir(), 'netch-aio-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
/** A descriptor number no test opens (far above what the suite uses). */
const NOT_OPEN_FD = 999_999;

/** Create a file holding `content`; return an fd open for reading and writing. */
function fileWith(content: string | Uint8Array, flags = 'r+'): number {
  const p = join(dir, `f${fileNo++}`);
  writeFileSync(p, content);
  return openSync(p, flags);
}

function shared(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

function text(b: Uint8Array, n: number): string {
  return Buffer.from(b.buffer, b.byteOffset, n).toString();
}

/** Reject when `p` does not settle within `ms`. */
async function within<T>(p: Promise<T>, ms = 5000, what = 'operation'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `cond` every 10 ms for at most `ms`; return whether it became true. */
async function eventually(cond: () => boolean, ms = 5000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 10) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

function newContext(threads = 4, num = 64): AioContext {
  return new AioContext({ aio_threads: threads, aio_num: num, aio_idle_time: 0.05 });
}

/** A request that stays running until released: a read on an empty FIFO. */
async function blocker(ctx: AioContext): Promise<{ fd: number; cb: Aiocb; release: () => Promise<void> }> {
  const p = join(dir, `fifo${fileNo++}`);
  execFileSync('mkfifo', [p]);
  const fd = openSync(p, 'r+');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(1), aio_nbytes: 1 });
  assert.equal(ctx.read(cb), 0);
  // Wait until a helper has taken it (the request is no longer cancelable).
  assert.ok(await eventually(() => ctx.isRunning(cb)), 'blocker did not start');
  assert.equal(ctx.cancel(fd, cb), AIO_NOTCANCELED);
  const release = async (): Promise<void> => {
    const w = openSync(p, 'r+');
    writeSync(w, 'x');
    await within(ctx.suspend([cb]), 5000, 'blocker release');
    closeSync(w);
    closeSync(fd);
  };
  return { fd, cb, release };
}

// ---- aio_read ----

test('aio_read: reads aio_nbytes at aio_offset into aio_buf', async () => {
  const ctx = newContext();
  const fd = fileWith('0123456789abcdef');
  const cb = newAiocb({ aio_fildes: fd, aio_offset: 10, aio_buf: shared(8), aio_nbytes: 4 });
  assert.equal(ctx.read(cb), 0);
  assert.equal(await within(ctx.suspend([cb])), 0);
  assert.equal(ctx.error(cb), 0);
  assert.equal(ctx.return(cb), 4);
  assert.equal(text(cb.aio_buf!, 4), 'abcd');
  closeSync(fd);
});

test('aio_read: reads into aio_buf at its byteOffset within the shared buffer', async () => {
  const ctx = newContext();
  const fd = fileWith('hello');
  const sab = new SharedArrayBuffer(16);
  const cb = newAiocb({ aio_fildes: fd, aio_buf: new Uint8Array(sab, 8, 8), aio_nbytes: 5 });
  assert.equal(await within(ctx.submitAsync(cb, 'read')), 5);
  assert.equal(Buffer.from(sab, 8, 5).toString(), 'hello');
  assert.equal(new Uint8Array(sab)[0], 0);
  closeSync(fd);
});

test('aio_read: a read at end of file returns 0 bytes', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd, aio_offset: 3, aio_buf: shared(4), aio_nbytes: 4 });
  assert.equal(await within(ctx.submitAsync(cb, 'read')), 0);
  closeSync(fd);
});

test('aio_read with a negative offset fails with EINVAL', () => {
  const ctx = newContext();
  const cb = newAiocb({ aio_fildes: 0, aio_offset: -1, aio_buf: shared(4), aio_nbytes: 4 });
  assert.equal(ctx.read(cb), -EINVAL);
});

test('aio_read with aio_reqprio out of range fails with EINVAL', () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  assert.equal(ctx.read(newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 4, aio_reqprio: -1 })), -EINVAL);
  assert.equal(ctx.read(newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 4, aio_reqprio: 1000 })), -EINVAL);
  closeSync(fd);
});

test('aio_read with an invalid aio_fildes fails with EBADF', async () => {
  const ctx = newContext();
  assert.equal(ctx.read(newAiocb({ aio_fildes: -1, aio_buf: shared(4), aio_nbytes: 4 })), -EBADF);
  // A non-negative fd that is not open is found out by the helper: aio_error reports it.
  // (A just-closed fd could be reused by the runtime at once; this one is never open.)
  const fd = NOT_OPEN_FD;
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 4 });
  assert.equal(ctx.read(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), EBADF);
  assert.equal(ctx.return(cb), -EBADF);
});

test('aio_read past the largest representable offset fails with EOVERFLOW', () => {
  const ctx = newContext();
  const cb = newAiocb({ aio_fildes: 0, aio_offset: Number.MAX_SAFE_INTEGER - 1, aio_buf: shared(4), aio_nbytes: 4 });
  assert.equal(ctx.read(cb), -EOVERFLOW);
});

test('aio_read with a buffer that is not shared memory fails with EINVAL', () => {
  const ctx = newContext();
  assert.equal(ctx.read(newAiocb({ aio_fildes: 0, aio_buf: new Uint8Array(4), aio_nbytes: 4 })), -EINVAL);
});

test('aio_read with aio_nbytes larger than aio_buf fails with EINVAL', () => {
  const ctx = newContext();
  assert.equal(ctx.read(newAiocb({ aio_fildes: 0, aio_buf: shared(4), aio_nbytes: 5 })), -EINVAL);
});

// ---- aio_write ----

test('aio_write: writes aio_nbytes from aio_buf at aio_offset', async () => {
  const ctx = newContext();
  const fd = fileWith('..........');
  const buf = shared(8);
  buf.set(Buffer.from('WXYZ'));
  const cb = newAiocb({ aio_fildes: fd, aio_offset: 3, aio_buf: buf, aio_nbytes: 4 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 4);
  assert.equal(readFileSync(`/proc/self/fd/${fd}`, 'utf8'), '...WXYZ...');
  closeSync(fd);
});

test('aio_write on a descriptor open only for reading fails with EBADF', async () => {
  const ctx = newContext();
  const fd = fileWith('abc', 'r');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 4 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), EBADF);
  closeSync(fd);
});

// ---- aio_error / aio_return ----

test('aio_error returns EINPROGRESS while pending', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 3 });
  assert.equal(ctx.read(cb), 0);
  assert.equal(ctx.error(cb), EINPROGRESS); // completions are reaped on a later turn of the loop
  await within(ctx.suspend([cb]));
  closeSync(fd);
});

test('aio_error returns 0 after a successful completion', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 3 });
  ctx.read(cb);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), 0);
  closeSync(fd);
});

test('aio_return after completion returns the byte count', async () => {
  const ctx = newContext();
  const fd = fileWith('abcdef');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(8), aio_nbytes: 8 });
  ctx.read(cb);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 6);
  closeSync(fd);
});

test('aio_return may be called only once per request (then EINVAL)', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 3 });
  ctx.read(cb);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 3);
  assert.equal(ctx.return(cb), -EINVAL);
  closeSync(fd);
});

// ---- aio_suspend ----

test('aio_suspend returns when one request of the list has completed', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 3 });
  ctx.read(cb);
  assert.equal(await within(ctx.suspend([b.cb, null, cb])), 0);
  assert.equal(ctx.error(cb), 0);
  assert.equal(ctx.error(b.cb), EINPROGRESS);
  await b.release();
  closeSync(fd);
});

test('aio_suspend fails with EAGAIN when the timeout passes first', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  assert.equal(await within(ctx.suspend([b.cb], 30)), -EAGAIN);
  await b.release();
});

test('aio_suspend returns at once when a request of the list is already complete', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 3 });
  ctx.read(cb);
  await within(ctx.suspend([cb]));
  assert.equal(await within(ctx.suspend([cb], 0)), 0);
  closeSync(fd);
});

// ---- aio_cancel ----

test('aio_cancel on an fd with no requests returns AIO_ALLDONE', () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  assert.equal(ctx.cancel(fd), AIO_ALLDONE);
  closeSync(fd);
});

test('aio_cancel of a completed request returns AIO_ALLDONE', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 3 });
  ctx.read(cb);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.cancel(fd, cb), AIO_ALLDONE);
  closeSync(fd);
});

test('aio_cancel of a queued request returns AIO_CANCELED and aio_error then gives ECANCELED', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  const cb = newAiocb({ aio_fildes: b.fd, aio_buf: shared(1), aio_nbytes: 1 });
  assert.equal(ctx.read(cb), 0); // waits behind the running read of the same fd
  assert.equal(ctx.cancel(b.fd, cb), AIO_CANCELED);
  assert.equal(ctx.error(cb), ECANCELED);
  assert.equal(ctx.return(cb), -ECANCELED);
  await b.release();
});

test('aio_cancel of a running request returns AIO_NOTCANCELED', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  assert.equal(ctx.cancel(b.fd, b.cb), AIO_NOTCANCELED);
  assert.equal(ctx.error(b.cb), EINPROGRESS);
  await b.release();
  assert.equal(ctx.return(b.cb), 1);
});

test('aio_cancel with a null aiocb cancels every queued request of the fd (AIO_NOTCANCELED if one runs)', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  const cbs = [0, 1, 2].map(() => newAiocb({ aio_fildes: b.fd, aio_buf: shared(1), aio_nbytes: 1 }));
  for (const cb of cbs) assert.equal(ctx.read(cb), 0);
  assert.equal(ctx.cancel(b.fd), AIO_NOTCANCELED);
  for (const cb of cbs) assert.equal(ctx.error(cb), ECANCELED);
  await b.release();
});

test('aio_cancel with an aiocb of another fd fails with EINVAL', () => {
  const ctx = newContext();
  const cb = newAiocb({ aio_fildes: 5, aio_buf: shared(1), aio_nbytes: 1 });
  assert.equal(ctx.cancel(6, cb), -EINVAL);
});

test('aio_cancel with an invalid fd fails with EBADF', () => {
  const ctx = newContext();
  assert.equal(ctx.cancel(-1), -EBADF);
});

test('aio_cancel notifies the canceled request by its sigevent', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  const got: unknown[] = [];
  const sig = { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: 'v', sigev_notify_function: (v: unknown) => got.push(v) };
  const cb = newAiocb({ aio_fildes: b.fd, aio_buf: shared(1), aio_nbytes: 1, aio_sigevent: sig });
  ctx.read(cb);
  assert.equal(ctx.cancel(b.fd, cb), AIO_CANCELED);
  assert.ok(await eventually(() => got.length === 1));
  assert.deepEqual(got, ['v']);
  await b.release();
});

// ---- aio_fsync ----

test('aio_fsync with O_SYNC completes with 0 after the writes queued before it', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const buf = shared(4);
  buf.set(Buffer.from('data'));
  const w = newAiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: 4 });
  const s = newAiocb({ aio_fildes: fd });
  assert.equal(ctx.write(w), 0);
  assert.equal(ctx.fsync(O_SYNC, s), 0);
  await within(ctx.suspend([s]));
  assert.equal(ctx.error(w), 0); // the write, queued first on the fd, finished first
  assert.equal(ctx.return(s), 0);
  closeSync(fd);
});

test('aio_fsync with O_DSYNC completes with 0', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  assert.equal(await within(ctx.submitAsync(newAiocb({ aio_fildes: fd }), O_DSYNC)), 0);
  closeSync(fd);
});

test('aio_fsync with an operation other than O_SYNC or O_DSYNC fails with EINVAL', () => {
  const ctx = newContext();
  assert.equal(ctx.fsync(0, newAiocb({ aio_fildes: 0 })), -EINVAL);
});

test('aio_fsync with an invalid fd fails with EBADF', () => {
  const ctx = newContext();
  assert.equal(ctx.fsync(O_SYNC, newAiocb({ aio_fildes: -1 })), -EBADF);
});

// ---- lio_listio ----

test('lio_listio with LIO_WAIT returns 0 once every element has completed', async () => {
  const ctx = newContext();
  const fd = fileWith('0123456789');
  const a = newAiocb({ aio_fildes: fd, aio_offset: 0, aio_buf: shared(3), aio_nbytes: 3, aio_lio_opcode: LIO_READ });
  const wb = shared(2);
  wb.set(Buffer.from('XY'));
  const b = newAiocb({ aio_fildes: fd, aio_offset: 8, aio_buf: wb, aio_nbytes: 2, aio_lio_opcode: LIO_WRITE });
  assert.equal(await within(ctx.listio(LIO_WAIT, [a, b]) as Promise<number>), 0);
  assert.equal(ctx.error(a), 0);
  assert.equal(ctx.error(b), 0);
  assert.equal(text(a.aio_buf!, 3), '012');
  assert.equal(readFileSync(`/proc/self/fd/${fd}`, 'utf8'), '01234567XY');
  closeSync(fd);
});

test('lio_listio with LIO_WAIT returns EIO when an element fails', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const bad = NOT_OPEN_FD;
  const a = newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3, aio_lio_opcode: LIO_READ });
  const b = newAiocb({ aio_fildes: bad, aio_buf: shared(3), aio_nbytes: 3, aio_lio_opcode: LIO_READ });
  assert.equal(await within(ctx.listio(LIO_WAIT, [a, b]) as Promise<number>), -EIO);
  assert.equal(ctx.error(a), 0);
  assert.equal(ctx.error(b), EBADF);
  closeSync(fd);
});

test('lio_listio with LIO_NOWAIT returns at once and notifies the list sigevent when all completed', async () => {
  const ctx = newContext();
  const fd = fileWith('abcdef');
  const cbs = [0, 2, 4].map((off) => newAiocb({ aio_fildes: fd, aio_offset: off, aio_buf: shared(2), aio_nbytes: 2, aio_lio_opcode: LIO_READ }));
  let done = 0;
  const sig = { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_notify_function: () => done++ };
  assert.equal(ctx.listio(LIO_NOWAIT, cbs, sig), 0);
  assert.ok(await eventually(() => done === 1));
  for (const cb of cbs) assert.equal(ctx.error(cb), 0);
  assert.deepEqual(cbs.map((cb) => text(cb.aio_buf!, 2)), ['ab', 'cd', 'ef']);
  closeSync(fd);
});

test('lio_listio skips LIO_NOP entries', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const nop = newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3, aio_lio_opcode: LIO_NOP });
  const rd = newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3, aio_lio_opcode: LIO_READ });
  assert.equal(await within(ctx.listio(LIO_WAIT, [nop, null, rd]) as Promise<number>), 0);
  assert.equal(ctx.error(nop), -EINVAL); // never submitted
  assert.equal(nop.aio_buf![0], 0);
  closeSync(fd);
});

test('lio_listio with an invalid mode fails with EINVAL', () => {
  const ctx = newContext();
  assert.equal(ctx.listio(7, []), -EINVAL);
});

test('lio_listio with more entries than the queue can take fails with EAGAIN', () => {
  const ctx = newContext(4, 2);
  const cbs = [0, 1, 2].map(() => newAiocb({ aio_fildes: 0, aio_buf: shared(1), aio_nbytes: 1, aio_lio_opcode: LIO_READ }));
  assert.equal(ctx.listio(LIO_NOWAIT, cbs), -EAGAIN);
});

// ---- notification ----

test('SIGEV_THREAD calls sigev_notify_function with sigev_value', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const got: unknown[] = [];
  const sig = { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: 42, sigev_notify_function: (v: unknown) => got.push(v) };
  ctx.read(newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3, aio_sigevent: sig }));
  assert.ok(await eventually(() => got.length === 1));
  assert.deepEqual(got, [42]);
  closeSync(fd);
});

test('SIGEV_SIGNAL delivers sigev_signo and sigev_value as a signal event on the context', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const got: unknown[] = [];
  ctx.on('signal', (signo: number, value: unknown) => got.push([signo, value]));
  const sig = { ...newSigevent(), sigev_notify: SIGEV_SIGNAL, sigev_signo: 10, sigev_value: 'x' };
  ctx.read(newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3, aio_sigevent: sig }));
  assert.ok(await eventually(() => got.length === 1));
  assert.deepEqual(got, [[10, 'x']]);
  closeSync(fd);
});

test('SIGEV_THREAD without a function fails with EINVAL', () => {
  const ctx = newContext();
  const sig = { ...newSigevent(), sigev_notify: SIGEV_THREAD };
  assert.equal(ctx.read(newAiocb({ aio_fildes: 0, aio_buf: shared(1), aio_nbytes: 1, aio_sigevent: sig })), -EINVAL);
});

// ---- glibc's design ----

test('requests on one fd complete in submission order', async () => {
  const ctx = newContext(8);
  const fd = fileWith('x'.repeat(64));
  const order: number[] = [];
  const cbs: Aiocb[] = [];
  for (let i = 0; i < 32; i++) {
    const sig = { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: i, sigev_notify_function: (v: unknown) => order.push(v as number) };
    const cb = newAiocb({ aio_fildes: fd, aio_offset: i, aio_buf: shared(1), aio_nbytes: 1, aio_sigevent: sig });
    assert.equal(ctx.read(cb), 0);
    cbs.push(cb);
  }
  assert.ok(await eventually(() => order.length === 32));
  assert.deepEqual(order, [...Array(32).keys()]);
  closeSync(fd);
});

test('queued requests start in priority order: lower aio_reqprio first', async () => {
  const ctx = newContext(1);
  const b = await blocker(ctx); // occupies the only helper
  const order: string[] = [];
  const mk = (name: string, prio: number): Aiocb => {
    const sig = { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: name, sigev_notify_function: (v: unknown) => order.push(v as string) };
    return newAiocb({ aio_fildes: fileWith('abc'), aio_buf: shared(1), aio_nbytes: 1, aio_reqprio: prio, aio_sigevent: sig });
  };
  const cbs = [mk('low', 9), mk('high', 0), mk('mid', 4)];
  for (const cb of cbs) assert.equal(ctx.read(cb), 0);
  await b.release();
  assert.ok(await eventually(() => order.length === 3));
  assert.deepEqual(order, ['high', 'mid', 'low']);
  for (const cb of cbs) closeSync(cb.aio_fildes);
});

test('a request beyond aio_num fails with EAGAIN', async () => {
  const ctx = newContext(4, 2);
  const b = await blocker(ctx);
  const fd = fileWith('abc');
  const one = newAiocb({ aio_fildes: b.fd, aio_buf: shared(1), aio_nbytes: 1 });
  assert.equal(ctx.read(one), 0);
  assert.equal(ctx.read(newAiocb({ aio_fildes: fd, aio_buf: shared(1), aio_nbytes: 1 })), -EAGAIN);
  assert.equal(ctx.cancel(b.fd, one), AIO_CANCELED);
  await b.release();
  closeSync(fd);
});

test('helpers are created on demand up to aio_threads', async () => {
  const ctx = newContext(3);
  assert.equal(ctx.helpers, 0);
  const fds = [0, 1, 2, 3, 4, 5].map(() => fileWith('abc'));
  const cbs = fds.map((fd) => newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3 }));
  for (const cb of cbs) assert.equal(ctx.read(cb), 0);
  assert.ok(ctx.helpers <= 3 && ctx.helpers >= 1);
  for (const cb of cbs) await within(ctx.wait(cb));
  assert.ok(ctx.spawned <= 3 + ctx.retired);
  for (const fd of fds) closeSync(fd);
});

test('helpers retire after aio_idle_time', async () => {
  const ctx = newContext(2);
  const fd = fileWith('abc');
  assert.equal(await within(ctx.submitAsync(newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3 }), 'read')), 3);
  assert.ok(ctx.helpers >= 1);
  assert.ok(await eventually(() => ctx.helpers === 0, 5000), 'helpers still alive');
  // A retired pool starts again on the next request.
  assert.equal(await within(ctx.submitAsync(newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3 }), 'read')), 3);
  closeSync(fd);
});

test('the pool needs no destroy call: a program exits after its last request', async () => {
  const mod = fileURLToPath(new URL('../../src/aio/index.js', import.meta.url));
  const script = `
    import { aioInit, aioReadAsync, newAiocb } from ${JSON.stringify(mod)};
    import { openSync } from 'node:fs';
    aioInit({ aio_threads: 2, aio_idle_time: 60 });
    const cb = newAiocb({ aio_fildes: openSync(${JSON.stringify(fileURLToPath(import.meta.url))}, 'r'), aio_buf: new Uint8Array(new SharedArrayBuffer(16)), aio_nbytes: 16 });
    console.log(await aioReadAsync(cb));`;
  const out = await within(
    new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    ),
    15_000,
    'child program',
  );
  assert.equal(out.trim(), '16');
});

// ---- the shared run queue (helpers take requests themselves) ----

test('a request waiting in the run queue is canceled before any helper runs it, and its slot is reused safely', async () => {
  const ctx = newContext(1, 2); // one helper, two slots
  const b = await blocker(ctx); // the helper and one slot are busy
  const fd = fileWith('..........');
  const w1buf = shared(4);
  w1buf.set(Buffer.from('AAAA'));
  const w1 = newAiocb({ aio_fildes: fd, aio_offset: 0, aio_buf: w1buf, aio_nbytes: 4 });
  assert.equal(ctx.write(w1), 0); // queued for the helper, not started
  assert.equal(ctx.isRunning(w1), false);
  assert.equal(ctx.cancel(fd, w1), AIO_CANCELED);
  assert.equal(ctx.error(w1), ECANCELED);
  // The same slot now serves another request; the canceled entry must not run it twice.
  let notified = 0;
  const sig = { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_notify_function: () => notified++ };
  const w2buf = shared(2);
  w2buf.set(Buffer.from('BB'));
  const w2 = newAiocb({ aio_fildes: fd, aio_offset: 6, aio_buf: w2buf, aio_nbytes: 2, aio_sigevent: sig });
  assert.equal(ctx.write(w2), 0);
  await b.release();
  await within(ctx.suspend([w2]));
  assert.equal(ctx.return(w2), 2);
  assert.ok(await eventually(() => notified === 1));
  assert.equal(readFileSync(`/proc/self/fd/${fd}`, 'utf8'), '......BB..');
  assert.equal(notified, 1);
  closeSync(fd);
});

test('a request blocked on one descriptor does not hold up the others while another helper is free', async () => {
  const ctx = newContext(2);
  const b = await blocker(ctx);
  const fds = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => fileWith(`file${i}`));
  const cbs = fds.map((fd) => newAiocb({ aio_fildes: fd, aio_buf: shared(5), aio_nbytes: 5 }));
  for (const cb of cbs) assert.equal(ctx.read(cb), 0);
  const got = await within(Promise.all(cbs.map((cb) => ctx.wait(cb))));
  assert.deepEqual(got, [5, 5, 5, 5, 5, 5, 5, 5]);
  assert.deepEqual(cbs.map((cb) => text(cb.aio_buf!, 5)), fds.map((_, i) => `file${i}`));
  assert.equal(ctx.error(b.cb), EINPROGRESS);
  await b.release();
  for (const fd of fds) closeSync(fd);
});

test('requests of equal priority start in the order they became runnable', async () => {
  const ctx = newContext(1);
  const b = await blocker(ctx);
  const order: number[] = [];
  const cbs: Aiocb[] = [];
  for (let i = 0; i < 6; i++) {
    const sig = { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: i, sigev_notify_function: (v: unknown) => order.push(v as number) };
    const cb = newAiocb({ aio_fildes: fileWith('abc'), aio_buf: shared(1), aio_nbytes: 1, aio_reqprio: 3, aio_sigevent: sig });
    assert.equal(ctx.read(cb), 0);
    cbs.push(cb);
  }
  await b.release();
  assert.ok(await eventually(() => order.length === 6));
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  for (const cb of cbs) closeSync(cb.aio_fildes);
});

test('one helper serves a burst of requests on many descriptors; the pool never passes aio_threads', async () => {
  const one = newContext(1);
  const fds = Array.from({ length: 32 }, (_, i) => fileWith(`${i}`.padStart(4, '0')));
  const burst = (ctx: AioContext): Promise<number[]> => {
    const cbs = fds.map((fd) => newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 4 }));
    for (const cb of cbs) assert.equal(ctx.read(cb), 0);
    return within(Promise.all(cbs.map((cb) => ctx.wait(cb))));
  };
  assert.deepEqual(await burst(one), fds.map(() => 4));
  assert.equal(one.spawned, 1);
  const three = newContext(3);
  assert.deepEqual(await burst(three), fds.map(() => 4));
  assert.ok(three.spawned - three.retired <= 3 && three.spawned >= 1);
  for (const fd of fds) closeSync(fd);
});

test('completions are collected with the main thread polling off (aio_poll_us 0) as with it on', async () => {
  for (const poll of [0, 50]) {
    const ctx = new AioContext({ aio_threads: 2, aio_idle_time: 0.05, aio_poll_us: poll });
    const fd = fileWith('0123456789');
    const cbs = [0, 2, 4, 6, 8].map((off) => newAiocb({ aio_fildes: fd, aio_offset: off, aio_buf: shared(2), aio_nbytes: 2 }));
    for (const cb of cbs) assert.equal(ctx.read(cb), 0);
    assert.deepEqual(await within(Promise.all(cbs.map((cb) => ctx.wait(cb)))), [2, 2, 2, 2, 2]);
    assert.deepEqual(cbs.map((cb) => text(cb.aio_buf!, 2)), ['01', '23', '45', '67', '89']);
    closeSync(fd);
  }
});

test('the default pool size is the core count, at least 2', () => {
  assert.equal(defaultAioThreads(), Math.max(2, availableParallelism()));
});

test('when canceled entries fill a level of the run queue, new requests wait on the main thread and still run', async () => {
  const ctx = newContext(1, 2); // a level holds 2 * aio_num = 4 entries
  const b = await blocker(ctx);
  const fd = fileWith('abcdef');
  const mk = (): Aiocb => newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3 });
  for (let i = 0; i < 4; i++) {
    const cb = mk();
    assert.equal(ctx.read(cb), 0);
    assert.equal(ctx.cancel(fd, cb), AIO_CANCELED); // leaves a canceled entry behind in the queue
  }
  const spill = mk(); // the level is full: kept on the main thread
  assert.equal(ctx.read(spill), 0);
  assert.equal(ctx.cancel(fd, spill), AIO_CANCELED);
  const last = mk();
  assert.equal(ctx.read(last), 0);
  await b.release(); // the helper skips the canceled entries; the main thread then queues `last`
  assert.equal(await within(ctx.wait(last)), 3);
  assert.equal(text(last.aio_buf!, 3), 'abc');
  closeSync(fd);
});
