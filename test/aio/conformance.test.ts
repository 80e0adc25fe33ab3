// AIO conformance: one test per test file of the Open POSIX Test Suite (LTP,
// testcases/open_posix_testsuite/conformance/interfaces/{aio_*,lio_listio}), named after it
// ("aio_cancel/5-1: ...") and restating its assertion in our own words; docs/aio.md's coverage
// table lists each with its test, and scripts/check-aio-coverage.mjs checks the two agree.
// Where glibc answers otherwise than the suite expects, the test asserts glibc's answer and
// the table says why. The suite's socket pairs become FIFOs here (fullPipe), whose writes
// block the same way once the pipe is full.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import {
  AIO_ALLDONE,
  AIO_CANCELED,
  AIO_NOTCANCELED,
  EAGAIN,
  EBADF,
  ECANCELED,
  EINPROGRESS,
  EINVAL,
  EIO,
  LIO_NOP,
  LIO_NOWAIT,
  LIO_READ,
  LIO_WAIT,
  LIO_WRITE,
  O_DSYNC,
  O_SYNC,
  SIGEV_NONE,
  newAiocb,
  type Aiocb,
} from '../../src/aio/index.js';
import { NOT_OPEN_FD, blocker, eventually, fileWith, fullPipe, newContext, noteInto, shared, signalOf, tmpPath, within } from './harness.js';

/** Return the contents of the file `fd` is open on. */
function contents(fd: number): Buffer {
  return readFileSync(`/proc/self/fd/${fd}`);
}

/** Return `n` bytes over shared memory, byte i = (i + seed) & 0xff. */
function pattern(n: number, seed = 0): Uint8Array {
  const b = shared(n);
  for (let i = 0; i < n; i++) b[i] = (i + seed) & 0xff;
  return b;
}

/** Collect the context's 'signal' events as [signo, value]. */
function signals(ctx: ReturnType<typeof newContext>): unknown[][] {
  const got: unknown[][] = [];
  ctx.on('signal', (signo: number, value: unknown) => got.push([signo, value]));
  return got;
}

// ---- aio_cancel ----

test('aio_cancel/1-1: aio_cancel takes the block of a submitted request, whether done or not', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(1024, 0xaa), aio_nbytes: 1024 });
  assert.equal(ctx.write(cb), 0);
  const r = ctx.cancel(fd, cb);
  assert.ok(r === AIO_CANCELED || r === AIO_NOTCANCELED || r === AIO_ALLDONE, `aio_cancel gave ${r}`);
  await within(ctx.suspend([cb]));
  assert.ok(ctx.error(cb) === 0 || ctx.error(cb) === ECANCELED);
  closeSync(fd);
});

test('aio_cancel/2-1: with a null block every cancelable request of the fd is canceled', async () => {
  const ctx = newContext();
  const p = await fullPipe(ctx);
  assert.equal(ctx.cancel(p.fd, null), AIO_NOTCANCELED); // the blocked write runs
  for (let i = p.blocked + 1; i < p.cbs.length; i++) assert.equal(ctx.error(p.cbs[i]!), ECANCELED, `write ${i}`);
  await p.drain();
});

test('aio_cancel/2-2: aio_cancel with a null block on a file with no requests does not fail', () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  assert.equal(ctx.cancel(fd, null), AIO_ALLDONE);
  closeSync(fd);
});

test('aio_cancel/3-1: each canceled request is notified by its sigevent, and reads ECANCELED there', async () => {
  const ctx = newContext();
  const got = signals(ctx);
  const canceledSeen: number[] = [];
  const p = await fullPipe(ctx, 8, 32 * 1024, (i) => ({ aio_sigevent: signalOf(35, i) }));
  ctx.on('signal', (_signo: number, i: number) => {
    if (ctx.error(p.cbs[i]!) === ECANCELED) canceledSeen.push(i);
  });
  assert.equal(ctx.cancel(p.fd, null), AIO_NOTCANCELED);
  await p.drain();
  assert.ok(await eventually(() => got.length === 8), `${got.length} notifications of 8`);
  const expected = p.cbs.map((_, i) => i).filter((i) => i > p.blocked);
  assert.deepEqual(canceledSeen.sort((a, b) => a - b), expected);
});

test('aio_cancel/4-1: a canceled request has error status ECANCELED and return status -ECANCELED (C: -1)', async () => {
  const ctx = newContext();
  const p = await fullPipe(ctx);
  assert.equal(ctx.cancel(p.fd, null), AIO_NOTCANCELED);
  for (let i = p.blocked + 1; i < p.cbs.length; i++) {
    assert.equal(ctx.error(p.cbs[i]!), ECANCELED);
    assert.equal(ctx.return(p.cbs[i]!), -ECANCELED);
  }
  await p.drain();
});

test('aio_cancel/5-1: the block of a request that could not be canceled is left unmodified', async () => {
  const ctx = newContext();
  const p = await fullPipe(ctx);
  const b = p.cbs[p.blocked]!;
  const before = { ...b };
  assert.equal(ctx.cancel(p.fd, null), AIO_NOTCANCELED);
  assert.equal(ctx.error(b), EINPROGRESS);
  assert.deepEqual({ ...b }, before);
  assert.equal(b.aio_sigevent.sigev_notify, SIGEV_NONE);
  for (let i = 0; i < p.cbs.length; i++) assert.equal(ctx.error(p.cbs[i]!), i < p.blocked ? 0 : i === p.blocked ? EINPROGRESS : ECANCELED);
  await p.drain();
});

test('aio_cancel/6-1: canceling one request that has not started returns AIO_CANCELED and leaves the others queued', async () => {
  const ctx = newContext();
  const p = await fullPipe(ctx);
  const victim = p.blocked + 3;
  assert.equal(ctx.cancel(p.fd, p.cbs[victim]!), AIO_CANCELED);
  for (let i = p.blocked; i < p.cbs.length; i++) assert.equal(ctx.error(p.cbs[i]!), i === victim ? ECANCELED : EINPROGRESS, `write ${i}`);
  await p.drain();
  for (let i = 0; i < p.cbs.length; i++) assert.equal(ctx.error(p.cbs[i]!), i === victim ? ECANCELED : 0);
});

test('aio_cancel/7-1: AIO_NOTCANCELED when one request is in progress: done ones 0, it EINPROGRESS, the rest ECANCELED', async () => {
  const ctx = newContext();
  const p = await fullPipe(ctx);
  assert.equal(ctx.cancel(p.fd, null), AIO_NOTCANCELED);
  const statuses = p.cbs.map((cb) => ctx.error(cb));
  assert.deepEqual(statuses, p.cbs.map((_, i) => (i < p.blocked ? 0 : i === p.blocked ? EINPROGRESS : ECANCELED)));
  await p.drain();
});

test('aio_cancel/8-1: AIO_ALLDONE for a request that has completed', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(1024, 0xaa), aio_nbytes: 1024 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.cancel(fd, cb), AIO_ALLDONE);
  closeSync(fd);
});

test('aio_cancel/9-1: any other failure returns -errno (C: -1 and errno)', () => {
  const ctx = newContext();
  assert.ok(ctx.cancel(-1, null) < 0);
});

test('aio_cancel/10-1: EBADF for an fd that is not a valid descriptor (-1, or one not open)', () => {
  const ctx = newContext();
  assert.equal(ctx.cancel(-1, null), -EBADF);
  assert.equal(ctx.cancel(NOT_OPEN_FD, null), -EBADF); // glibc's fcntl check; AIO_ALLDONE before
  const fd = fileWith('abc');
  closeSync(fd);
  assert.equal(ctx.cancel(fd, null), -EBADF);
});

// ---- aio_error ----

test('aio_error/1-1: aio_error returns the error status of a completed request (0 for a write that succeeded)', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111, 0xaa), aio_nbytes: 111 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), 0);
  closeSync(fd);
});

test('aio_error/2-1: aio_error returns EINPROGRESS while a request has not completed', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cbs = Array.from({ length: 16 }, () => newAiocb({ aio_fildes: fd, aio_buf: shared(1024), aio_nbytes: 1024 }));
  for (const cb of cbs) assert.equal(ctx.write(cb), 0);
  assert.ok(cbs.some((cb) => ctx.error(cb) === EINPROGRESS)); // completions are reaped on a later turn
  await within(Promise.all(cbs.map((cb) => ctx.wait(cb))));
  closeSync(fd);
});

test('aio_error/3-1: glibc reads the status field: a block never submitted gives what it holds (0), not EINVAL', () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(512), aio_nbytes: 512, aio_reqprio: -1 });
  assert.equal(ctx.error(cb), 0);
  closeSync(fd);
});

// ---- aio_fsync ----

/** Queue a write of 1024 bytes and an aio_fsync(op) behind it on one file; return both blocks once the sync completed. */
async function writeThenSync(op: number, syncFields: Partial<Aiocb> = {}, waitWrite = false): Promise<{ w: Aiocb; s: Aiocb; fd: number; ctx: ReturnType<typeof newContext> }> {
  const ctx = newContext();
  const fd = fileWith('');
  const w = newAiocb({ aio_fildes: fd, aio_buf: shared(1024, 0xaa), aio_nbytes: 1024 });
  assert.equal(ctx.write(w), 0);
  if (waitWrite) await within(ctx.suspend([w]));
  const s = newAiocb({ aio_fildes: fd, ...syncFields });
  assert.equal(ctx.fsync(op, s), 0);
  await within(ctx.suspend([s]));
  return { w, s, fd, ctx };
}

test('aio_fsync/2-1: O_DSYNC completes the writes queued before it, then itself with 0', async () => {
  const { w, s, fd, ctx } = await writeThenSync(O_DSYNC);
  assert.equal(ctx.return(s), 0);
  assert.equal(ctx.error(w), 0, 'the write queued before the sync is complete');
  closeSync(fd);
});

test('aio_fsync/3-1: O_SYNC completes the writes queued before it, then itself with 0', async () => {
  const { w, s, fd, ctx } = await writeThenSync(O_SYNC);
  assert.equal(ctx.return(s), 0);
  assert.equal(ctx.error(w), 0, 'the write queued before the sync is complete');
  closeSync(fd);
});

test('aio_fsync/4-1: aio_error and aio_return give the status of a sync', async () => {
  const { s, fd, ctx } = await writeThenSync(O_SYNC);
  assert.equal(ctx.error(s), 0);
  assert.equal(ctx.return(s), 0);
  closeSync(fd);
});

test('aio_fsync/5-1: a queued sync has error status EINPROGRESS', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const w = newAiocb({ aio_fildes: fd, aio_buf: shared(1024), aio_nbytes: 1024 });
  assert.equal(ctx.write(w), 0);
  const s = newAiocb({ aio_fildes: fd });
  assert.equal(ctx.fsync(O_SYNC, s), 0);
  assert.equal(ctx.error(s), EINPROGRESS);
  await within(ctx.suspend([s]));
  assert.equal(ctx.error(s), 0);
  closeSync(fd);
});

test('aio_fsync/8-1: a sync ignores aio_nbytes (-1 here)', async () => {
  const { s, fd, ctx } = await writeThenSync(O_SYNC, { aio_nbytes: -1 }, true);
  assert.equal(ctx.return(s), 0);
  closeSync(fd);
});

test('aio_fsync/8-2: a sync ignores aio_buf (null here)', async () => {
  const { s, fd, ctx } = await writeThenSync(O_SYNC, { aio_buf: null }, true);
  assert.equal(ctx.return(s), 0);
  closeSync(fd);
});

test('aio_fsync/8-3: a sync ignores aio_reqprio (-1 here; glibc runs a sync at priority 0 and stores 0)', async () => {
  const { s, fd, ctx } = await writeThenSync(O_SYNC, { aio_reqprio: -1 }, true);
  assert.equal(ctx.return(s), 0);
  assert.equal(s.aio_reqprio, 0);
  closeSync(fd);
});

test('aio_fsync/8-4: a sync ignores aio_offset (-1 here)', async () => {
  const { s, fd, ctx } = await writeThenSync(O_SYNC, { aio_offset: -1 }, true);
  assert.equal(ctx.return(s), 0);
  closeSync(fd);
});

test('aio_fsync/9-1: aio_fsync returns 0 when the sync is queued', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const s = newAiocb({ aio_fildes: fd });
  assert.equal(ctx.fsync(O_SYNC, s), 0);
  await within(ctx.suspend([s]));
  assert.equal(ctx.return(s), 0);
  closeSync(fd);
});

test('aio_fsync/12-1: EBADF for an fd that is not valid (-1, or one not open: glibc checks with fcntl)', () => {
  const ctx = newContext();
  assert.equal(ctx.fsync(O_SYNC, newAiocb({ aio_fildes: -1 })), -EBADF);
  const fd = fileWith('abc');
  closeSync(fd);
  assert.equal(ctx.fsync(O_SYNC, newAiocb({ aio_fildes: fd })), -EBADF); // was queued before
  assert.equal(ctx.outstanding, 0);
});

test('aio_fsync/14-1: EINVAL for an op other than O_SYNC or O_DSYNC', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  assert.equal(ctx.fsync(-1, newAiocb({ aio_fildes: fd })), -EINVAL);
  assert.equal(ctx.fsync(0, newAiocb({ aio_fildes: fd })), -EINVAL);
  closeSync(fd);
});

// ---- aio_read ----

test('aio_read/1-1: reads aio_nbytes from the file into aio_buf', async () => {
  const ctx = newContext();
  const data = Buffer.alloc(1024);
  for (let i = 0; i < 4; i++) data.fill(i + 1, i * 256, (i + 1) * 256);
  const fd = fileWith(data);
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(256), aio_nbytes: 256, aio_offset: 512 });
  assert.equal(ctx.read(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), 0);
  assert.equal(ctx.return(cb), 256);
  assert.deepEqual(Buffer.from(cb.aio_buf!), data.subarray(512, 768));
  closeSync(fd);
});

test('aio_read/3-1: the block gives the status through aio_error (0) and aio_return (the byte count)', async () => {
  const ctx = newContext();
  const fd = fileWith(Buffer.alloc(111, 7));
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111), aio_nbytes: 111 });
  assert.equal(ctx.read(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), 0);
  assert.equal(ctx.return(cb), 111);
  closeSync(fd);
});

test('aio_read/3-2: a short read (file shorter than aio_nbytes) returns the bytes there were', async () => {
  const ctx = newContext();
  const fd = fileWith(Buffer.alloc(512, 7));
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(1024), aio_nbytes: 1024 });
  assert.equal(ctx.read(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), 0);
  assert.equal(ctx.return(cb), 512);
  closeSync(fd);
});

test('aio_read/4-1: the file is read at aio_offset', async () => {
  const ctx = newContext();
  const fd = fileWith(Buffer.concat([Buffer.alloc(512, 1), Buffer.alloc(512, 2)]));
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(512, 0xaa), aio_nbytes: 512, aio_offset: 512 });
  assert.equal(ctx.read(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 512);
  assert.ok(cb.aio_buf!.every((b) => b === 2));
  closeSync(fd);
});

test('aio_read/5-1: aio_read ignores aio_lio_opcode (LIO_WRITE here: it still reads)', async () => {
  const ctx = newContext();
  const data = pattern(111);
  const fd = fileWith(Buffer.from(data));
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111, 0xaa), aio_nbytes: 111, aio_lio_opcode: LIO_WRITE });
  assert.equal(ctx.read(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 111);
  assert.deepEqual(cb.aio_buf, data);
  assert.deepEqual(contents(fd), Buffer.from(data), 'the file is unchanged');
  closeSync(fd);
});

test('aio_read/7-1: aio_read returns 0 when the request is queued', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111), aio_nbytes: 111 });
  assert.equal(ctx.read(cb), 0);
  await within(ctx.suspend([cb]));
  closeSync(fd);
});

test('aio_read/8-1: a request that cannot be queued returns -errno (C: -1 and errno): aio_reqprio -1', () => {
  const ctx = newContext();
  const cb = newAiocb({ aio_fildes: 0, aio_reqprio: -1 });
  assert.equal(ctx.read(cb), -EINVAL);
});

test('aio_read/9-1: EAGAIN once aio_num requests are outstanding', async () => {
  const ctx = newContext(2, 4);
  const b = await blocker(ctx);
  const cbs: Aiocb[] = [];
  let r = 0;
  for (let i = 0; i < 16 && r === 0; i++) {
    const cb = newAiocb({ aio_fildes: b.fd, aio_buf: shared(1), aio_nbytes: 1 });
    r = ctx.read(cb);
    if (r === 0) cbs.push(cb);
  }
  assert.equal(r, -EAGAIN);
  assert.equal(cbs.length, 3, 'aio_num 4: the blocker and three more');
  assert.equal(ctx.cancel(b.fd), AIO_NOTCANCELED);
  await b.release();
});

test('aio_read/10-1: an fd that is not valid (-1): aio_read returns 0 and the error status is EBADF', async () => {
  const ctx = newContext();
  const cb = newAiocb({ aio_fildes: -1, aio_buf: shared(111), aio_nbytes: 111 });
  assert.equal(ctx.read(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), EBADF);
  assert.equal(ctx.return(cb), -EBADF);
  // Not open (the helper finds out): the same.
  const cb2 = newAiocb({ aio_fildes: NOT_OPEN_FD, aio_buf: shared(111), aio_nbytes: 111 });
  assert.equal(ctx.read(cb2), 0);
  await within(ctx.suspend([cb2]));
  assert.equal(ctx.error(cb2), EBADF);
});

test('aio_read/11-1: an invalid aio_offset (-1) fails with EINVAL, recorded in the block', () => {
  const ctx = newContext();
  const fd = fileWith(Buffer.alloc(111));
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111), aio_nbytes: 111, aio_offset: -1 });
  assert.equal(ctx.read(cb), -EINVAL);
  assert.equal(ctx.error(cb), EINVAL);
  assert.equal(ctx.return(cb), -EINVAL);
  closeSync(fd);
});

test('aio_read/11-2: an invalid aio_reqprio (-1) fails with EINVAL', () => {
  const ctx = newContext();
  const fd = fileWith(Buffer.alloc(111));
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111), aio_nbytes: 111, aio_reqprio: -1 });
  assert.equal(ctx.read(cb), -EINVAL);
  assert.equal(ctx.error(cb), EINVAL);
  closeSync(fd);
});

// ---- aio_return ----

test('aio_return/1-1: aio_return returns the status of a request (the bytes written)', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111, 0xaa), aio_nbytes: 111 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 111);
  closeSync(fd);
});

test('aio_return/2-1: glibc reads the status field, so a second aio_return returns the same value (the suite expects -1)', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111, 0xaa), aio_nbytes: 111 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 111);
  assert.equal(ctx.return(cb), 111);
  closeSync(fd);
});

test('aio_return/3-1: a block used again for a new request gives that request\'s status', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const buf = shared(4096, 0xaa);
  let cb = newAiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: 4096 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 4096);
  cb = Object.assign(cb, newAiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: 2048 })); // memset and fill in
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 2048);
  closeSync(fd);
});

test('aio_return/3-2: after aio_return the block keeps its status (glibc): aio_error 0, aio_return the count again', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4096, 0xaa), aio_nbytes: 4096 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 4096);
  assert.equal(ctx.return(cb), 4096);
  assert.equal(ctx.error(cb), 0);
  closeSync(fd);
});

test('aio_return/4-1: glibc reads the field of a block never submitted (0), where the suite expects EINVAL; a pending one gives 0', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111, 0xaa), aio_nbytes: 111 });
  assert.equal(ctx.write(cb), 0);
  assert.equal(ctx.return(cb), 0, 'pending: glibc sets __return_value to 0 when it queues');
  await within(ctx.suspend([cb]));
  const never = newAiocb({ aio_fildes: fd, aio_buf: shared(111), aio_nbytes: 111 });
  assert.equal(ctx.return(never), 0);
  assert.equal(ctx.error(never), 0);
  assert.equal(ctx.return(cb), 111, 'the submitted block is unaffected');
  closeSync(fd);
});

// ---- aio_suspend ----

test('aio_suspend/1-1: without a timeout aio_suspend returns 0 once a listed request completed', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  const fd = fileWith(Buffer.alloc(10 * 1024, 3));
  const cbs = Array.from({ length: 10 }, (_, i) => newAiocb({ aio_fildes: fd, aio_offset: i * 1024, aio_buf: shared(1024), aio_nbytes: 1024, aio_lio_opcode: LIO_READ }));
  assert.equal(ctx.listio(LIO_NOWAIT, cbs), 0);
  assert.equal(ctx.error(cbs[6]!), EINPROGRESS);
  assert.equal(await within(ctx.suspend([b.cb, cbs[6]!])), 0);
  assert.equal(ctx.error(cbs[6]!), 0);
  assert.equal(ctx.return(cbs[6]!), 1024);
  assert.equal(ctx.error(b.cb), EINPROGRESS);
  await within(Promise.all(cbs.map((cb) => ctx.wait(cb))));
  await b.release();
  closeSync(fd);
});

test('aio_suspend/3-1: null entries of the list are ignored', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cbs = [0, 1, 2].map((i) => newAiocb({ aio_fildes: fd, aio_offset: i * 1024, aio_buf: shared(1024), aio_nbytes: 1024 }));
  for (const cb of cbs) assert.equal(ctx.write(cb), 0);
  const list = [null, null, cbs[0]!, null, null, cbs[1]!, cbs[2]!, null];
  assert.equal(await within(ctx.suspend(list)), 0);
  await within(Promise.all(cbs.map((cb) => ctx.wait(cb))));
  for (const cb of cbs) assert.equal(ctx.return(cb), 1024);
  closeSync(fd);
});

test('aio_suspend/4-1: on a timeout aio_suspend returns an error (-EAGAIN), the request still pending', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  assert.equal(await within(ctx.suspend([null, b.cb], 30)), -EAGAIN);
  assert.equal(ctx.error(b.cb), EINPROGRESS);
  await b.release();
});

test('aio_suspend/9-1: EAGAIN when no listed request completed before the timeout', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  const fd = fileWith('abc');
  const done = newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3 });
  assert.equal(ctx.read(done), 0);
  const waiting = ctx.suspend([b.cb], 100);
  assert.equal(await within(ctx.wait(done)), 3);
  assert.equal(await within(waiting), -EAGAIN, 'a completion of a request not listed does not count');
  await b.release();
  closeSync(fd);
});

// ---- aio_write ----

test('aio_write/1-1: writes aio_nbytes from aio_buf to the file', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(512, 0xaa), aio_nbytes: 512 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), 0);
  assert.equal(ctx.return(cb), 512);
  assert.deepEqual(contents(fd), Buffer.alloc(512, 0xaa), 'exactly 512 bytes');
  closeSync(fd);
});

test('aio_write/1-2: writes at aio_offset inside a file, leaving the bytes around it', async () => {
  const ctx = newContext();
  const fd = fileWith(Buffer.alloc(2048));
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(1024, 0xaa), aio_nbytes: 1024, aio_offset: 512 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 1024);
  assert.deepEqual(contents(fd), Buffer.concat([Buffer.alloc(512), Buffer.alloc(1024, 0xaa), Buffer.alloc(512)]));
  closeSync(fd);
});

test('aio_write/2-1: with O_APPEND the writes append in the order they were made', async () => {
  const ctx = newContext();
  const fd = openSync(tmpPath(), 'a+');
  const sizes = [512, 1024, 1536];
  const cbs = sizes.map((n, i) => newAiocb({ aio_fildes: fd, aio_buf: shared(n, i + 1), aio_nbytes: n }));
  for (const cb of cbs) assert.equal(ctx.write(cb), 0);
  await within(Promise.all(cbs.map((cb) => ctx.wait(cb))));
  for (let i = 0; i < 3; i++) assert.equal(ctx.error(cbs[i]!), 0);
  assert.deepEqual(contents(fd), Buffer.concat(sizes.map((n, i) => Buffer.alloc(n, i + 1))));
  closeSync(fd);
});

test('aio_write/3-1: aio_write ignores aio_lio_opcode (LIO_READ here: it still writes)', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(512, 0xaa), aio_nbytes: 512, aio_lio_opcode: LIO_READ });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 512);
  assert.deepEqual(contents(fd), Buffer.alloc(512, 0xaa));
  closeSync(fd);
});

test('aio_write/5-1: aio_write returns 0 when the request is queued', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(512), aio_nbytes: 512 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.return(cb), 512);
  closeSync(fd);
});

test('aio_write/6-1: a request that cannot be queued returns -errno (C: -1 and errno): aio_reqprio -1 gives EINVAL', () => {
  const ctx = newContext();
  assert.equal(ctx.write(newAiocb({ aio_fildes: 0, aio_reqprio: -1 })), -EINVAL);
});

test('aio_write/7-1: EAGAIN once aio_num requests are outstanding', async () => {
  const ctx = newContext(2, 3);
  const b = await blocker(ctx);
  const fd = fileWith('');
  const cbs = [0, 1, 2].map(() => newAiocb({ aio_fildes: b.fd, aio_buf: shared(1), aio_nbytes: 1 }));
  assert.equal(ctx.write(cbs[0]!), 0);
  assert.equal(ctx.write(cbs[1]!), 0);
  assert.equal(ctx.write(cbs[2]!), -EAGAIN);
  assert.equal(ctx.write(newAiocb({ aio_fildes: fd, aio_buf: shared(1), aio_nbytes: 1 })), -EAGAIN);
  assert.equal(cbs[2]!.__error_code, 0, 'EAGAIN is not recorded in the block (glibc leaves it)');
  assert.equal(ctx.cancel(b.fd), AIO_NOTCANCELED);
  await b.release();
  closeSync(fd);
});

test('aio_write/8-1: an fd that is not valid (-1): aio_write returns 0 and the error status is EBADF', async () => {
  const ctx = newContext();
  const cb = newAiocb({ aio_fildes: -1, aio_buf: shared(512, 0xaa), aio_nbytes: 512 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), EBADF);
});

test('aio_write/8-2: an fd open only for reading: aio_write returns 0 and the error status is EBADF', async () => {
  const ctx = newContext();
  const fd = fileWith('abc', 'r');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(512, 0xaa), aio_nbytes: 512 });
  assert.equal(ctx.write(cb), 0);
  await within(ctx.suspend([cb]));
  assert.equal(ctx.error(cb), EBADF);
  closeSync(fd);
});

test('aio_write/9-1: an invalid aio_offset (-1) fails with EINVAL', () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(111), aio_nbytes: 111, aio_offset: -1 });
  assert.equal(ctx.write(cb), -EINVAL);
  assert.equal(ctx.error(cb), EINVAL);
  assert.equal(contents(fd).length, 0);
  closeSync(fd);
});

test('aio_write/9-2: an invalid aio_reqprio (-1) fails with EINVAL', () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(512), aio_nbytes: 512, aio_reqprio: -1 });
  assert.equal(ctx.write(cb), -EINVAL);
  assert.equal(ctx.error(cb), EINVAL);
  closeSync(fd);
});

// ---- lio_listio ----

/** Return `n` write entries of `size` bytes at offset 0 of `fd`, entry i filled with i + 1, with `fields(i)`. */
function writeList(fd: number, n = 10, size = 1024, fields: (i: number) => Partial<Aiocb> = () => ({})): Aiocb[] {
  return Array.from({ length: n }, (_, i) => newAiocb({ aio_fildes: fd, aio_buf: shared(size, i + 1), aio_nbytes: size, aio_lio_opcode: LIO_WRITE, ...fields(i) }));
}

test('lio_listio/1-1: LIO_WAIT returns once every request completed, and ignores sig', async () => {
  const ctx = newContext();
  const got = signals(ctx);
  const fd = fileWith('');
  const cbs = writeList(fd, 10, 64 * 1024);
  assert.equal(await within(ctx.listio(LIO_WAIT, cbs, signalOf(34, 'all'))), 0);
  for (const cb of cbs) {
    assert.equal(ctx.error(cb), 0);
    assert.equal(ctx.return(cb), 64 * 1024);
  }
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(got, []);
  closeSync(fd);
});

test('lio_listio/2-1: LIO_NOWAIT returns at once, before the requests complete; sig comes when all did', async () => {
  const ctx = newContext();
  const got = signals(ctx);
  let r = -1;
  const p = await fullPipe(ctx, 8, 32 * 1024, () => ({ aio_lio_opcode: LIO_WRITE }), (cbs) => (r = ctx.listio(LIO_NOWAIT, cbs, signalOf(34, 'all')) as number));
  assert.equal(r, 0);
  assert.equal(ctx.error(p.cbs[p.cbs.length - 1]!), EINPROGRESS);
  assert.deepEqual(got, [], 'no completion signal while writes are blocked');
  await p.drain();
  assert.ok(await eventually(() => got.length === 1));
  assert.deepEqual(got, [[34, 'all']]);
});

test('lio_listio/3-1: LIO_NOWAIT with sig notifies once all requests completed', async () => {
  const ctx = newContext();
  const got = signals(ctx);
  const fd = fileWith('');
  const cbs = writeList(fd, 10, 1024, (i) => ({ aio_sigevent: signalOf(35, i) }));
  assert.equal(ctx.listio(LIO_NOWAIT, cbs, signalOf(36, 'all')), 0);
  assert.ok(await eventually(() => got.some(([s]) => s === 36)));
  assert.equal(got.filter(([s]) => s === 35).length, 10, 'every request notified before the list');
  assert.deepEqual(got[got.length - 1], [36, 'all']);
  for (const cb of cbs) assert.equal(ctx.error(cb), 0);
  closeSync(fd);
});

test('lio_listio/4-1: null entries of the list are ignored', async () => {
  const ctx = newContext();
  const got = signals(ctx);
  const fd = fileWith('');
  const list: (Aiocb | null)[] = writeList(fd, 10, 1024, (i) => ({ aio_sigevent: signalOf(35, i) }));
  for (const i of [0, 3, 9]) list[i] = null;
  assert.equal(ctx.listio(LIO_NOWAIT, list, signalOf(36, 'all')), 0);
  assert.ok(await eventually(() => got.some(([s]) => s === 36)));
  assert.equal(got.filter(([s]) => s === 35).length, 7);
  for (const cb of list) if (cb !== null) assert.equal(ctx.error(cb), 0);
  closeSync(fd);
});

test('lio_listio/5-1: LIO_READ, LIO_WRITE and LIO_NOP are the opcodes; another one makes LIO_WAIT fail with EIO', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const buf = shared(1024, 5);
  const cbs = [LIO_WRITE, LIO_READ, LIO_NOP].map((op) => newAiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: 1024, aio_lio_opcode: op }));
  assert.equal(await within(ctx.listio(LIO_WAIT, cbs)), 0);
  assert.equal(ctx.return(cbs[0]!), 1024);
  assert.equal(ctx.return(cbs[1]!), 1024);
  cbs[0]!.aio_lio_opcode = -1;
  assert.equal(await within(ctx.listio(LIO_WAIT, cbs.slice(0, 1))), -EIO);
  assert.equal(ctx.error(cbs[0]!), EINVAL);
  closeSync(fd);
});

test('lio_listio/6-1: LIO_READ, LIO_WRITE and LIO_NOP are defined, and distinct', () => {
  assert.equal(new Set([LIO_READ, LIO_WRITE, LIO_NOP]).size, 3);
  for (const v of [LIO_READ, LIO_WRITE, LIO_NOP]) assert.ok(Number.isInteger(v));
});

test('lio_listio/7-1: LIO_NOP entries are ignored: not run, not notified', async () => {
  const ctx = newContext();
  const got = signals(ctx);
  const fd = fileWith('');
  const cbs = writeList(fd, 10, 1024, (i) => ({ aio_sigevent: signalOf(35, i), aio_lio_opcode: i === 1 || i === 7 ? LIO_NOP : LIO_WRITE }));
  assert.equal(ctx.listio(LIO_NOWAIT, cbs, signalOf(36, 'all')), 0);
  assert.ok(await eventually(() => got.some(([s]) => s === 36)));
  assert.deepEqual(got.filter(([s]) => s === 35).map(([, v]) => v).sort(), [0, 2, 3, 4, 5, 6, 8, 9]);
  assert.equal(ctx.error(cbs[1]!), 0, 'never submitted: the zeroed status');
  closeSync(fd);
});

test('lio_listio/8-1: an LIO_READ entry is submitted as by aio_read', async () => {
  const ctx = newContext();
  const data = pattern(512);
  const fd = fileWith(Buffer.from(data));
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(512, 0xaa), aio_nbytes: 512, aio_lio_opcode: LIO_READ });
  assert.equal(await within(ctx.listio(LIO_WAIT, [cb])), 0);
  assert.equal(ctx.error(cb), 0);
  assert.equal(ctx.return(cb), 512);
  assert.deepEqual(cb.aio_buf, data);
  closeSync(fd);
});

test('lio_listio/9-1: an LIO_WRITE entry is submitted as by aio_write', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const data = pattern(512);
  const cb = newAiocb({ aio_fildes: fd, aio_buf: data, aio_nbytes: 512, aio_lio_opcode: LIO_WRITE });
  assert.equal(await within(ctx.listio(LIO_WAIT, [cb])), 0);
  assert.equal(ctx.return(cb), 512);
  assert.deepEqual(new Uint8Array(contents(fd)), new Uint8Array(data));
  closeSync(fd);
});

test('lio_listio/10-1: LIO_NOWAIT returns 0 when the requests are queued, and they complete', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cbs = writeList(fd);
  const done: unknown[] = [];
  assert.equal(ctx.listio(LIO_NOWAIT, cbs, noteInto(done, 'all')), 0);
  assert.ok(await eventually(() => done.length === 1));
  for (const cb of cbs) assert.equal(ctx.return(cb), 1024);
  closeSync(fd);
});

test('lio_listio/12-1: LIO_WAIT returns 0 when every request completed successfully', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cbs = writeList(fd);
  assert.equal(await within(ctx.listio(LIO_WAIT, cbs)), 0);
  for (const cb of cbs) assert.equal(ctx.return(cb), 1024);
  closeSync(fd);
});

test('lio_listio/13-1: an entry with an invalid opcode fails with EINVAL and LIO_WAIT returns -EIO; the others complete', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cbs = writeList(fd, 10, 1024, (i) => (i === 2 ? { aio_lio_opcode: -1 } : {}));
  assert.equal(await within(ctx.listio(LIO_WAIT, cbs)), -EIO);
  assert.equal(ctx.error(cbs[2]!), EINVAL);
  assert.equal(ctx.return(cbs[2]!), -EINVAL);
  for (const [i, cb] of cbs.entries()) if (i !== 2) assert.equal(ctx.return(cb), 1024, `entry ${i}`);
  // LIO_NOWAIT: queued (0), the entry reports its own error.
  const again = writeList(fd, 3, 16, (i) => (i === 1 ? { aio_lio_opcode: 99 } : {}));
  assert.equal(ctx.listio(LIO_NOWAIT, again), 0);
  await within(Promise.all([again[0]!, again[2]!].map((cb) => ctx.wait(cb))));
  assert.equal(ctx.error(again[1]!), EINVAL);
  closeSync(fd);
});

test('lio_listio/14-1: a failing request (fd -1) does not keep the others from completing; each is notified', async () => {
  const ctx = newContext();
  const got = signals(ctx);
  const fd = fileWith('');
  const cbs = writeList(fd, 10, 1024, (i) => ({ aio_sigevent: signalOf(35, i), ...(i === 2 ? { aio_fildes: -1 } : {}) }));
  assert.equal(ctx.listio(LIO_NOWAIT, cbs, signalOf(36, 'all')), 0);
  assert.ok(await eventually(() => got.some(([s]) => s === 36)));
  assert.equal(got.filter(([s]) => s === 35).length, 10);
  assert.equal(ctx.error(cbs[2]!), EBADF);
  for (const [i, cb] of cbs.entries()) if (i !== 2) assert.equal(ctx.return(cb), 1024, `entry ${i}`);
  closeSync(fd);
});

test('lio_listio/15-1: the statuses of list entries are those aio_read and aio_write give', async () => {
  const ctx = newContext();
  const got = signals(ctx);
  const fd = fileWith(Buffer.alloc(1024, 9));
  const cbs = writeList(fd, 10, 1024, (i) => ({ aio_sigevent: signalOf(35, i), aio_lio_opcode: i > 3 ? LIO_READ : LIO_WRITE }));
  assert.equal(ctx.listio(LIO_NOWAIT, cbs, signalOf(36, 'all')), 0);
  assert.ok(await eventually(() => got.some(([s]) => s === 36)));
  for (const cb of cbs) {
    assert.equal(ctx.error(cb), 0);
    assert.equal(ctx.return(cb), 1024);
  }
  closeSync(fd);
});

test('lio_listio/18-1: EINVAL for a mode other than LIO_WAIT or LIO_NOWAIT, and nothing is queued', () => {
  const ctx = newContext();
  const fd = fileWith('');
  const cbs = writeList(fd, 1);
  assert.equal(ctx.listio(-1, cbs), -EINVAL);
  assert.equal(ctx.outstanding, 0);
  assert.equal(ctx.error(cbs[0]!), 0);
  closeSync(fd);
});
