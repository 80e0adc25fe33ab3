// AIO beyond the Open POSIX Test Suite (conformance.test.ts has those): what glibc's
// implementation does where POSIX leaves room (the order of requests on one fd, priorities,
// aio_init, errors found at submission or by the helper, aio_suspend and signals), and the
// design properties of ours (on-demand helpers that retire, the shared run queue). Every wait
// is bounded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  AIO_ALLDONE,
  AIO_CANCELED,
  AioContext,
  EAGAIN,
  EBADF,
  ECANCELED,
  EFBIG,
  EINPROGRESS,
  EINTR,
  EINVAL,
  EIO,
  EOVERFLOW,
  LIO_NOP,
  LIO_NOWAIT,
  LIO_READ,
  LIO_WAIT,
  O_SYNC,
  SIGEV_SIGNAL,
  SIGEV_THREAD,
  aioContext,
  aioInit,
  defaultAioThreads,
  newAiocb,
  newSigevent,
  type Aiocb,
} from '../../src/aio/index.js';
import { NOT_OPEN_FD, blocker, eventually, fileWith, newContext, noteInto, shared, signalOf, text, within } from './harness.js';

// ---- the order of requests on one fd (glibc: insertion by priority in __aio_enqueue_request) ----

test('a waiting request with a smaller aio_reqprio overtakes the waiting ones of its fd, never its head', async () => {
  const ctx = newContext(1);
  const b = await blocker(ctx); // the only helper is busy: the file's head waits in the run queue
  const fd = fileWith('0123456789');
  const order: unknown[] = [];
  const prios = [0, 4, 4, 2, 4, 0, 3];
  const cbs = prios.map((aio_reqprio, i) => newAiocb({ aio_fildes: fd, aio_offset: i, aio_buf: shared(1), aio_nbytes: 1, aio_reqprio, aio_sigevent: noteInto(order, i) }));
  for (const cb of cbs) assert.equal(ctx.read(cb), 0);
  await b.release();
  assert.ok(await eventually(() => order.length === cbs.length));
  // 0 is the head; then by aio_reqprio, equal ones in submission order.
  assert.deepEqual(order, [0, 5, 3, 6, 1, 2, 4]);
  closeSync(fd);
});

test('an aio_fsync (priority 0) overtakes the waiting writes of its fd with a larger aio_reqprio', async () => {
  const ctx = newContext(1);
  const b = await blocker(ctx);
  const fd = fileWith('');
  const order: unknown[] = [];
  const w = (i: number, aio_reqprio: number): Aiocb => newAiocb({ aio_fildes: fd, aio_offset: i, aio_buf: shared(1, 65 + i), aio_nbytes: 1, aio_reqprio, aio_sigevent: noteInto(order, `w${i}`) });
  const writes = [w(0, 0), w(1, 5), w(2, 5), w(3, 0)];
  for (const cb of writes) assert.equal(ctx.write(cb), 0);
  const sync = newAiocb({ aio_fildes: fd, aio_reqprio: 7, aio_sigevent: noteInto(order, 'sync') });
  assert.equal(ctx.fsync(O_SYNC, sync), 0);
  assert.equal(sync.aio_reqprio, 0, 'glibc stores the priority it forced');
  await b.release();
  assert.ok(await eventually(() => order.length === 5));
  assert.deepEqual(order, ['w0', 'w3', 'sync', 'w1', 'w2']);
  assert.equal(readFileSync(`/proc/self/fd/${fd}`, 'utf8'), 'ABCD');
  closeSync(fd);
});

// ---- errors at submission and from the helper ----

test('a refused request records EINVAL (return -EINVAL) in its own block; EAGAIN is not recorded', async () => {
  const ctx = newContext(2, 1);
  const fd = fileWith('abc');
  const bad = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 5 });
  assert.equal(ctx.read(bad), -EINVAL);
  assert.equal(ctx.error(bad), EINVAL);
  assert.equal(ctx.return(bad), -EINVAL);
  const b = await blocker(ctx); // the one slot
  const full = newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3 });
  assert.equal(ctx.read(full), -EAGAIN);
  assert.equal(ctx.error(full), 0);
  await b.release();
  closeSync(fd);
});

test('resubmitting a block still in flight is EINVAL and leaves its status alone, from aio_read and from lio_listio', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  assert.equal(ctx.read(b.cb), -EINVAL);
  assert.equal(ctx.error(b.cb), EINPROGRESS);
  b.cb.aio_lio_opcode = LIO_READ;
  assert.equal(ctx.listio(LIO_NOWAIT, [b.cb]), -EINVAL);
  assert.equal(ctx.error(b.cb), EINPROGRESS);
  assert.equal(ctx.fsync(O_SYNC, b.cb), -EINVAL);
  assert.equal(ctx.error(b.cb), EINPROGRESS);
  await b.release();
  assert.equal(ctx.return(b.cb), 1);
});

test('lio_listio: a refused entry makes LIO_WAIT return -EIO once the others completed, and LIO_NOWAIT its -errno', async () => {
  const ctx = newContext();
  const fd = fileWith('0123456789');
  const mk = (aio_reqprio = 0): Aiocb => newAiocb({ aio_fildes: fd, aio_buf: shared(2), aio_nbytes: 2, aio_lio_opcode: LIO_READ, aio_reqprio });
  const good = mk();
  const refused = mk(-1);
  assert.equal(await within(ctx.listio(LIO_WAIT, [good, refused])), -EIO);
  assert.equal(ctx.return(good), 2, 'the queued entry ran to completion first');
  assert.equal(ctx.error(refused), EINVAL);
  const good2 = mk();
  const done: unknown[] = [];
  assert.equal(ctx.listio(LIO_NOWAIT, [mk(99), good2], noteInto(done, 'list')), -EINVAL);
  assert.ok(await eventually(() => done.length === 1), 'the list is notified when its queued entries complete');
  assert.equal(ctx.return(good2), 2);
  closeSync(fd);
});

test('lio_listio: null and LIO_NOP entries do not count against aio_num', async () => {
  const ctx = newContext(2, 2);
  const fd = fileWith('0123');
  const rd = (): Aiocb => newAiocb({ aio_fildes: fd, aio_buf: shared(2), aio_nbytes: 2, aio_lio_opcode: LIO_READ });
  const nop = (): Aiocb => newAiocb({ aio_lio_opcode: LIO_NOP });
  const list = [null, nop(), rd(), null, nop(), rd(), nop()];
  assert.equal(await within(ctx.listio(LIO_WAIT, list)), 0);
  assert.equal(ctx.listio(LIO_NOWAIT, [rd(), rd(), rd(), null]), -EAGAIN);
  closeSync(fd);
});

test('aio_write past the largest offset is EFBIG (a read there EOVERFLOW); a transfer of 0 bytes there is no error', async () => {
  const ctx = newContext();
  const fd = fileWith('');
  const at = (aio_offset: number, aio_nbytes: number): Aiocb => newAiocb({ aio_fildes: fd, aio_offset, aio_buf: shared(4), aio_nbytes });
  const w = at(Number.MAX_SAFE_INTEGER - 1, 4);
  assert.equal(ctx.write(w), -EFBIG);
  assert.equal(ctx.error(w), EFBIG);
  assert.equal(ctx.read(at(Number.MAX_SAFE_INTEGER - 1, 4)), -EOVERFLOW);
  assert.equal(ctx.read(at(2 ** 63, 0)), -EINVAL, 'past what Linux takes as an offset');
  const w0 = at(Number.MAX_SAFE_INTEGER + 1, 0);
  assert.equal(ctx.write(w0), 0);
  const r0 = at(Number.MAX_SAFE_INTEGER + 1, 0);
  assert.equal(ctx.read(r0), 0);
  assert.deepEqual(await within(Promise.all([ctx.wait(w0), ctx.wait(r0)])), [0, 0]);
  closeSync(fd);
});

test('aio_cancel with a block in progress that is not queued on that fd here is EINVAL; with one not in progress AIO_ALLDONE', async () => {
  const ctx = newContext();
  const other = newContext();
  const b = await blocker(other);
  assert.equal(ctx.cancel(b.fd, b.cb), -EINVAL, 'queued in another instance');
  const fd = fileWith('abc');
  const never = newAiocb({ aio_fildes: fd, aio_buf: shared(1), aio_nbytes: 1 });
  assert.equal(ctx.cancel(fd, never), AIO_ALLDONE);
  await b.release();
  closeSync(fd);
});

// ---- aio_suspend and signals ----

test('aio_suspend ends with -EINTR when a signal is caught before a listed request completes', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  const fd = fileWith('abc');
  const caught: unknown[] = [];
  ctx.on('signal', (signo: number) => caught.push(signo));
  const waiting = ctx.suspend([b.cb]);
  const other = newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3, aio_sigevent: signalOf(40, null) });
  assert.equal(ctx.read(other), 0);
  assert.equal(await within(waiting), -EINTR);
  assert.deepEqual(caught, [40]);
  assert.equal(ctx.error(b.cb), EINPROGRESS);
  // A signal for a listed request that completed: 0, not EINTR.
  const mine = newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3, aio_sigevent: signalOf(41, null) });
  assert.equal(ctx.read(mine), 0);
  assert.equal(await within(ctx.suspend([b.cb, mine])), 0);
  await b.release();
  closeSync(fd);
});

test('aio_suspend is not interrupted by a signal nobody catches (no \'signal\' listener)', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  const fd = fileWith('abc');
  const waiting = ctx.suspend([b.cb]);
  let settled: number | null = null;
  void waiting.then((r) => (settled = r));
  const other = newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3, aio_sigevent: signalOf(40, null) });
  assert.equal(ctx.read(other), 0);
  assert.equal(await within(ctx.wait(other)), 3);
  await new Promise((r) => setTimeout(r, 10)); // the notification's microtask has run
  assert.equal(settled, null, 'still waiting after the uncaught signal');
  await b.release();
  assert.equal(await within(waiting), 0);
  closeSync(fd);
});

// ---- aio_init ----

test('aio_init: aio_num is at least 32 and a multiple of 32; aio_threads at least 1; both only before the first request', async () => {
  const ctx = new AioContext({ aio_idle_time: 0.05 });
  ctx.tune({ aio_num: 40, aio_threads: 0 });
  assert.equal(ctx.aioNum, 32);
  assert.equal(ctx.aioThreads, 1);
  ctx.tune({ aio_num: 5 });
  assert.equal(ctx.aioNum, 32);
  ctx.tune({ aio_num: 100, aio_threads: 3 });
  assert.equal(ctx.aioNum, 96);
  assert.equal(ctx.aioThreads, 3);
  const fd = fileWith('abc');
  assert.equal(await within(ctx.submitAsync(newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3 }), 'read')), 3);
  ctx.tune({ aio_num: 256, aio_threads: 9 });
  assert.equal(ctx.aioNum, 96, 'the pool exists: aio_num ignored');
  assert.equal(ctx.aioThreads, 3, 'the pool exists: aio_threads ignored');
  closeSync(fd);
});

test('aio_init: aio_idle_time 0 leaves it unchanged, a negative one retires helpers as soon as they find no work', async () => {
  const ctx = new AioContext({ aio_idle_time: 60 });
  assert.equal(ctx.aioIdleTime, 60);
  ctx.tune({ aio_idle_time: 0 });
  assert.equal(ctx.aioIdleTime, 60);
  ctx.tune({ aio_idle_time: 2.5 });
  assert.equal(ctx.aioIdleTime, 2.5);
  ctx.tune({ aio_idle_time: -1 });
  assert.equal(ctx.aioIdleTime, 0);
  const fd = fileWith('abc');
  assert.equal(await within(ctx.submitAsync(newAiocb({ aio_fildes: fd, aio_buf: shared(3), aio_nbytes: 3 }), 'read')), 3);
  assert.ok(await eventually(() => ctx.helpers === 0), 'the helper retired');
  closeSync(fd);
});

test('aioInit applies glibc\'s rules to the process\'s instance', () => {
  aioInit({ aio_num: 70, aio_threads: 2 });
  assert.equal(aioContext().aioNum, 64);
  assert.equal(aioContext().aioThreads, 2);
});

// ---- more of aio_read, aio_cancel, lio_listio and notification ----

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

test('aio_read with aio_reqprio out of range fails with EINVAL', () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  assert.equal(ctx.read(newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 4, aio_reqprio: -1 })), -EINVAL);
  assert.equal(ctx.read(newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 4, aio_reqprio: 1000 })), -EINVAL);
  closeSync(fd);
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

test('aio_suspend returns at once when a request of the list is already complete', async () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd, aio_buf: shared(4), aio_nbytes: 3 });
  ctx.read(cb);
  await within(ctx.suspend([cb]));
  assert.equal(await within(ctx.suspend([cb], 0)), 0);
  closeSync(fd);
});

test('aio_cancel with an aiocb of another fd fails with EINVAL', () => {
  const ctx = newContext();
  const fd = fileWith('abc');
  const cb = newAiocb({ aio_fildes: fd + 1, aio_buf: shared(1), aio_nbytes: 1 });
  assert.equal(ctx.cancel(fd, cb), -EINVAL);
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

test('lio_listio with more entries than the queue can take fails with EAGAIN', () => {
  const ctx = newContext(4, 2);
  const cbs = [0, 1, 2].map(() => newAiocb({ aio_fildes: 0, aio_buf: shared(1), aio_nbytes: 1, aio_lio_opcode: LIO_READ }));
  assert.equal(ctx.listio(LIO_NOWAIT, cbs), -EAGAIN);
});

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

test('two waits on the same pending request both settle with its result', async () => {
  const ctx = newContext();
  const b = await blocker(ctx);
  const cb = newAiocb({ aio_fildes: b.fd, aio_buf: shared(1), aio_nbytes: 1 });
  assert.equal(ctx.read(cb), 0);
  const first = ctx.wait(cb);
  const second = ctx.wait(cb);
  assert.equal(ctx.cancel(b.fd, cb), AIO_CANCELED);
  assert.deepEqual(await within(Promise.all([first, second])), [-ECANCELED, -ECANCELED]);
  await b.release();
});
