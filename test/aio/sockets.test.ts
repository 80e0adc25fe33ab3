// AIO on the stack's sockets: an AIO instance bound to a POSIX process (aio_fildes is that
// process's fd) completes socket requests when the socket can satisfy them, driven by the
// sockets' readiness callbacks on a virtual clock (two kernels in one Sim), with the same
// rules as for files: per-fd (here per fd and direction) order, priority, aio_error /
// aio_return / aio_suspend / aio_cancel, notifications and the promise form. One test mixes
// a real file (served by the helper threads) and a socket in one lio_listio.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AIO_ALLDONE, AIO_CANCELED, AIO_NOTCANCELED, AioContext, EAGAIN, EBADF, ECANCELED, EINPROGRESS, EINTR, EINVAL, LIO_READ, LIO_WAIT, LIO_WRITE,
  SIGEV_SIGNAL, SIGEV_THREAD, newAiocb, newSigevent, openOsFile, processAio, type Aiocb,
} from '../../src/aio/index.js';
import {
  AF_INET, ECONNRESET, EPIPE, INADDR_ANY, SHUT_WR, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_LINGER, SO_RCVBUF, SO_SNDBUF, sockaddrIn, type Process,
} from '../../src/posix/index.js';
import type { Sim } from '../../src/runtime/sim.js';
import { addrB, drive, kernelPair, runFor } from '../posix/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'netch-aio-sock-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

interface Pair {
  sim: Sim;
  /** The process AIO is bound to, and its connected socket. */
  a: Process;
  c: number;
  /** The peer process and its end of the connection. */
  b: Process;
  s: number;
  ctx: AioContext;
}

/** Connect a socket of process a (host A) to one of process b (host B); bind an AIO instance to a. */
async function pair(bufs: { sndbuf?: number; rcvbuf?: number } = {}): Promise<Pair> {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const a = ka.spawn('a');
  const b = kb.spawn('b');
  const l = b.sys.socket(AF_INET, SOCK_STREAM, 0);
  if (bufs.rcvbuf !== undefined) assert.equal(b.sys.setsockopt(l, SOL_SOCKET, SO_RCVBUF, bufs.rcvbuf), 0);
  assert.equal(b.sys.bind(l, sockaddrIn(INADDR_ANY, 80)), 0);
  assert.equal(b.sys.listen(l, 8), 0);
  const c = a.sys.socket(AF_INET, SOCK_STREAM, 0);
  if (bufs.sndbuf !== undefined) assert.equal(a.sys.setsockopt(c, SOL_SOCKET, SO_SNDBUF, bufs.sndbuf), 0);
  const accepted = b.acceptAsync(l);
  assert.equal(await drive(sim, a.connectAsync(c, addrB(80))), 0);
  const s = await drive(sim, accepted);
  assert.ok(s >= 0);
  return { sim, a, c, b, s, ctx: new AioContext({ process: a, aio_threads: 2 }) };
}

function bytes(t: string): Uint8Array {
  return new TextEncoder().encode(t);
}

function text(b: Uint8Array, n: number): string {
  return Buffer.from(b.buffer, b.byteOffset, n).toString();
}

function readCb(fd: number, n: number, fields: Partial<Aiocb> = {}): Aiocb {
  return newAiocb({ aio_fildes: fd, aio_buf: new Uint8Array(n), aio_nbytes: n, ...fields });
}

/** A peer's send, run on the simulation (the blocking variant: everything is queued). */
async function peerSend(p: Pair, t: string | Uint8Array): Promise<void> {
  const data = typeof t === 'string' ? bytes(t) : t;
  assert.equal(await drive(p.sim, p.b.sendAsync(p.s, data)), data.length);
}

/** Run the simulation until `cb` completes (aio_suspend without a timeout). */
async function settle(p: Pair, cb: Aiocb): Promise<void> {
  assert.equal(await drive(p.sim, p.ctx.suspend([cb])), 0);
}

test('socket aio_read: pending until data arrives, then completes with it and notifies by SIGEV_THREAD', async () => {
  const p = await pair();
  const seen: unknown[] = [];
  const cb = readCb(p.c, 64, { aio_sigevent: { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: 'v', sigev_notify_function: (v) => seen.push(v) } });
  assert.equal(p.ctx.read(cb), 0);
  await runFor(p.sim, 50);
  assert.equal(p.ctx.error(cb), EINPROGRESS, 'nothing arrived yet');
  await peerSend(p, 'hello');
  await settle(p, cb);
  assert.equal(p.ctx.error(cb), 0);
  assert.equal(p.ctx.return(cb), 5);
  assert.equal(text(cb.aio_buf!, 5), 'hello');
  await Promise.resolve();
  assert.deepEqual(seen, ['v']);
});

test('socket aio_read is partial: it returns what one recv gives, at least 1 and at most aio_nbytes', async () => {
  const p = await pair();
  const big = readCb(p.c, 100);
  assert.equal(p.ctx.read(big), 0);
  await peerSend(p, '0123456789');
  await settle(p, big);
  assert.equal(p.ctx.return(big), 10, 'fewer than aio_nbytes: what was there');
  await peerSend(p, 'abcdefghij');
  await runFor(p.sim, 10);
  const small = readCb(p.c, 4);
  assert.equal(p.ctx.read(small), 0);
  assert.equal(p.ctx.error(small), EINPROGRESS, 'completion is always asynchronous');
  await settle(p, small);
  assert.equal(p.ctx.return(small), 4, 'no more than aio_nbytes');
  assert.equal(text(small.aio_buf!, 4), 'abcd');
  const rest = readCb(p.c, 100);
  assert.equal(await drive(p.sim, p.ctx.submitAsync(rest, 'read')), 6, 'the promise form gives aio_return');
  assert.equal(text(rest.aio_buf!, 6), 'efghij');
});

test('socket aio_read at end of stream completes with 0', async () => {
  const p = await pair();
  const cb = readCb(p.c, 16);
  assert.equal(p.ctx.read(cb), 0);
  assert.equal(p.b.sys.shutdown(p.s, SHUT_WR), 0);
  await settle(p, cb);
  assert.equal(p.ctx.error(cb), 0);
  assert.equal(p.ctx.return(cb), 0);
});

test('socket aio_write completes once the whole buffer is queued; the peer receives it', async () => {
  const p = await pair();
  const data = bytes('x'.repeat(1000));
  const cb = newAiocb({ aio_fildes: p.c, aio_buf: data, aio_nbytes: data.length, aio_offset: -5 });
  assert.equal(p.ctx.write(cb), 0, 'aio_offset is ignored on a socket (even a negative one); any Uint8Array will do');
  await settle(p, cb);
  assert.equal(p.ctx.return(cb), 1000);
  const got = new Uint8Array(2000);
  let n = 0;
  while (n < 1000) n += await drive(p.sim, p.b.recvAsync(p.s, got, n));
  assert.equal(text(got, n), 'x'.repeat(1000));
});

test('a socket aio_write larger than the buffers completes only after the peer reads (flow control); it cannot be canceled once started', async () => {
  const p = await pair({ sndbuf: 8192, rcvbuf: 8192 });
  const data = new Uint8Array(300_000).map((_, i) => (i * 7 + 3) & 0xff);
  const cb = newAiocb({ aio_fildes: p.c, aio_buf: data, aio_nbytes: data.length });
  assert.equal(p.ctx.write(cb), 0);
  await runFor(p.sim, 2000);
  assert.equal(p.ctx.error(cb), EINPROGRESS, 'the peer has not read: the write waits for room');
  assert.ok(p.ctx.isRunning(cb), 'part of it is queued');
  assert.equal(p.ctx.cancel(p.c, cb), AIO_NOTCANCELED, 'a write that queued bytes runs to its end');
  const got: Uint8Array[] = [];
  const reader = (async () => {
    const buf = new Uint8Array(16384);
    let total = 0;
    while (total < data.length) {
      const n = await p.b.recvAsync(p.s, buf);
      assert.ok(n > 0, `recv ${n}`);
      got.push(buf.slice(0, n));
      total += n;
    }
    return total;
  })();
  assert.equal(await drive(p.sim, reader), data.length);
  await settle(p, cb);
  assert.equal(p.ctx.return(cb), data.length);
  const hash = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  assert.equal(hash(Buffer.concat(got)), hash(data));
});

test('several reads on one socket complete one at a time in submission order', async () => {
  const p = await pair();
  const order: number[] = [];
  const cbs = [0, 1, 2].map((i) =>
    readCb(p.c, 4, { aio_sigevent: { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: i, sigev_notify_function: (v) => order.push(v as number) } }));
  for (const cb of cbs) assert.equal(p.ctx.read(cb), 0);
  await peerSend(p, 'aaaabbbbcccc');
  await drive(p.sim, Promise.all(cbs.map((cb) => p.ctx.wait(cb))));
  assert.deepEqual(cbs.map((cb) => text(cb.aio_buf!, 4)), ['aaaa', 'bbbb', 'cccc']);
  assert.deepEqual(order, [0, 1, 2]);
});

test('reads and writes on one socket are separate lists: a pending read does not hold up a write behind it', async () => {
  const p = await pair();
  const r = readCb(p.c, 8);
  const w = newAiocb({ aio_fildes: p.c, aio_buf: bytes('ping'), aio_nbytes: 4 });
  assert.equal(p.ctx.read(r), 0);
  assert.equal(p.ctx.write(w), 0);
  await settle(p, w);
  assert.equal(p.ctx.return(w), 4);
  assert.equal(p.ctx.error(r), EINPROGRESS);
  const got = new Uint8Array(8);
  assert.equal(await drive(p.sim, p.b.recvAsync(p.s, got)), 4);
  await peerSend(p, 'pong');
  await settle(p, r);
  assert.equal(text(r.aio_buf!, p.ctx.return(r)), 'pong');
});

test('socket heads that can proceed together are served in priority order (lower aio_reqprio first)', async () => {
  const p = await pair();
  // A second connection between the same processes.
  const l2 = p.b.sys.socket(AF_INET, SOCK_STREAM, 0);
  p.b.sys.bind(l2, sockaddrIn(INADDR_ANY, 81));
  p.b.sys.listen(l2, 8);
  const c2 = p.a.sys.socket(AF_INET, SOCK_STREAM, 0);
  const acc = p.b.acceptAsync(l2);
  assert.equal(await drive(p.sim, p.a.connectAsync(c2, addrB(81))), 0);
  const s2 = await drive(p.sim, acc);
  await peerSend(p, 'one');
  assert.equal(await drive(p.sim, p.b.sendAsync(s2, bytes('two'))), 3);
  await runFor(p.sim, 10);
  const order: string[] = [];
  const note = (tag: string) => ({ ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: tag, sigev_notify_function: (v: unknown) => order.push(v as string) });
  const low = readCb(p.c, 8, { aio_reqprio: 10, aio_sigevent: note('prio10') });
  const high = readCb(c2, 8, { aio_reqprio: 0, aio_sigevent: note('prio0') });
  assert.equal(p.ctx.read(low), 0);
  assert.equal(p.ctx.read(high), 0);
  await drive(p.sim, Promise.all([p.ctx.wait(low), p.ctx.wait(high)]));
  assert.deepEqual(order, ['prio0', 'prio10']);
});

test('aio_cancel of a pending socket read gives AIO_CANCELED, ECANCELED, and the data goes to the next read', async () => {
  const p = await pair();
  let notified = 0;
  const first = readCb(p.c, 8, { aio_sigevent: { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_value: null, sigev_notify_function: () => notified++ } });
  const second = readCb(p.c, 8);
  assert.equal(p.ctx.read(first), 0);
  assert.equal(p.ctx.read(second), 0);
  await runFor(p.sim, 20);
  assert.equal(p.ctx.isRunning(first), false);
  assert.equal(p.ctx.cancel(p.c, first), AIO_CANCELED);
  assert.equal(p.ctx.error(first), ECANCELED);
  assert.equal(p.ctx.return(first), -ECANCELED);
  assert.equal(p.ctx.cancel(p.c, first), AIO_ALLDONE);
  await peerSend(p, 'data');
  await settle(p, second);
  assert.equal(text(second.aio_buf!, p.ctx.return(second)), 'data');
  assert.equal(notified, 1, 'the canceled request is notified');
  // Every request of the fd at once, both directions.
  const r1 = readCb(p.c, 8);
  const r2 = readCb(p.c, 8);
  assert.equal(p.ctx.read(r1), 0);
  assert.equal(p.ctx.read(r2), 0);
  assert.equal(p.ctx.cancel(p.c), AIO_CANCELED);
  assert.equal(p.ctx.error(r1), ECANCELED);
  assert.equal(p.ctx.error(r2), ECANCELED);
  assert.equal(p.ctx.outstanding, 0);
});

test('aio_suspend on a socket request times out on the kernel clock, and wakes on the completion before its timeout', async () => {
  const p = await pair();
  const cb = readCb(p.c, 8);
  assert.equal(p.ctx.read(cb), 0);
  const t0 = p.sim.now();
  assert.equal(await drive(p.sim, p.ctx.suspend([cb], 1000)), -EAGAIN, 'the timeout passed');
  assert.ok(p.sim.now() - t0 >= 1000, 'waited the timeout in virtual time');
  const t1 = p.sim.now();
  p.sim.after(50, () => {
    assert.equal(p.b.sys.send(p.s, bytes('late'), 0, 4, 0), 4);
  });
  assert.equal(await drive(p.sim, p.ctx.suspend([null, cb], 60_000)), 0);
  assert.ok(p.sim.now() - t1 < 1000, 'woken by the completion, not the timeout');
  assert.equal(p.ctx.return(cb), 4);
});

/** Run the simulation (1 ms of virtual time per turn) while helper threads work in real time; bounded by `realMs`. */
async function driveMixed<T>(sim: Sim, promise: Promise<T>, realMs = 20_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  void promise.then((v) => {
    done = true;
    value = v;
  });
  const end = Date.now() + realMs;
  while (!done) {
    assert.ok(Date.now() < end, 'driveMixed: not settled in time');
    sim.step(sim.now() + 1);
    await new Promise<void>((r) => setTimeout(r, 1));
  }
  return value as T;
}

test('lio_listio LIO_WAIT over a file (helper threads) and a socket (readiness) of one process', async () => {
  const p = await pair();
  const path = join(dir, 'mixed');
  writeFileSync(path, 'file contents here');
  const ffd = openOsFile(p.a, openSync(path, 'r'));
  assert.ok(ffd >= 3, `openOsFile gave ${ffd}`);
  const fileRead = newAiocb({ aio_fildes: ffd, aio_buf: new Uint8Array(new SharedArrayBuffer(8)), aio_nbytes: 8, aio_offset: 5, aio_lio_opcode: LIO_READ });
  const sockRead = readCb(p.c, 16, { aio_lio_opcode: LIO_READ });
  const sockWrite = newAiocb({ aio_fildes: p.c, aio_buf: bytes('sent'), aio_nbytes: 4, aio_lio_opcode: LIO_WRITE });
  const list = p.ctx.listio(LIO_WAIT, [fileRead, null, sockRead, sockWrite]);
  assert.ok(list instanceof Promise);
  p.sim.after(20, () => {
    assert.equal(p.b.sys.send(p.s, bytes('net'), 0, 3, 0), 3);
  });
  assert.equal(await driveMixed(p.sim, list), 0);
  assert.equal(text(fileRead.aio_buf!, p.ctx.return(fileRead)), 'contents');
  assert.equal(text(sockRead.aio_buf!, p.ctx.return(sockRead)), 'net');
  assert.equal(p.ctx.return(sockWrite), 4);
  assert.equal(p.a.sys.close(ffd), 0, 'closing the fd closes the OS descriptor it owns');
});

test('a peer reset ends a pending read with ECONNRESET through aio_error; a later write gets EPIPE', async () => {
  const p = await pair();
  const cb = readCb(p.c, 8);
  assert.equal(p.ctx.read(cb), 0);
  assert.equal(p.b.sys.setsockopt(p.s, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 }), 0);
  assert.equal(p.b.sys.close(p.s), 0);
  await settle(p, cb);
  assert.equal(p.ctx.error(cb), ECONNRESET);
  assert.equal(p.ctx.return(cb), -ECONNRESET);
  const w = newAiocb({ aio_fildes: p.c, aio_buf: bytes('late'), aio_nbytes: 4 });
  assert.equal(p.ctx.write(w), 0);
  await settle(p, w);
  assert.equal(p.ctx.error(w), EPIPE);
});

test('SIGEV_SIGNAL on a socket request is a signal event on the process instance (processAio)', async () => {
  const p = await pair();
  const ctx = processAio(p.a);
  assert.equal(processAio(p.a), ctx, 'one instance per process');
  const signals: [unknown, unknown][] = [];
  ctx.on('signal', (signo, value) => signals.push([signo, value]));
  const cb = readCb(p.c, 8, { aio_sigevent: { ...newSigevent(), sigev_notify: SIGEV_SIGNAL, sigev_signo: 10, sigev_value: 'sock' } });
  assert.equal(ctx.read(cb), 0);
  await peerSend(p, 'sig');
  assert.equal(await drive(p.sim, ctx.wait(cb)), 3);
  await Promise.resolve();
  assert.deepEqual(signals, [[10, 'sock']]);
});

test('bound instance: an fd the process has not open is EBADF, aio_fsync on a socket EINVAL, exit ends pending reads with EBADF', async () => {
  const p = await pair();
  const notOpen = readCb(77, 8);
  assert.equal(p.ctx.read(notOpen), 0, 'queued, as glibc queues it; it fails as its read(2) would');
  assert.equal(p.ctx.error(notOpen), EBADF);
  assert.equal(p.ctx.cancel(77), -EBADF);
  assert.equal(p.ctx.fsync(0o4010000, newAiocb({ aio_fildes: 77 })), -EBADF);
  assert.equal(p.ctx.fsync(0o4010000, newAiocb({ aio_fildes: p.c })), -EINVAL);
  assert.equal(p.ctx.read(newAiocb({ aio_fildes: p.c, aio_buf: null, aio_nbytes: 0 })), -EINVAL);
  const cb = readCb(p.c, 8);
  assert.equal(p.ctx.read(cb), 0);
  p.a.exit(0);
  await settle(p, cb);
  assert.equal(p.ctx.error(cb), EBADF);
  assert.equal(p.ctx.outstanding, 0);
});

test('a socket closed while requests wait, its fd reused at once: they end with EBADF and never touch the new socket', async () => {
  const p = await pair();
  const r = readCb(p.c, 8);
  assert.equal(p.ctx.read(r), 0);
  await runFor(p.sim, 10); // r now waits for readiness
  const w = newAiocb({ aio_fildes: p.c, aio_buf: bytes('lost'), aio_nbytes: 4 }); // not yet attempted
  assert.equal(p.ctx.write(w), 0);
  assert.equal(p.a.sys.close(p.c), 0);
  const reused = p.a.sys.socket(AF_INET, SOCK_DGRAM, 0);
  assert.equal(reused, p.c, 'lowest free fd: the same number');
  await settle(p, r);
  await settle(p, w);
  assert.equal(p.ctx.error(r), EBADF, 'the read was on the closed socket');
  assert.equal(p.ctx.error(w), EBADF, 'the write too: it is not sent on the new socket');
  assert.equal(p.ctx.outstanding, 0);
});

test('a socket write that queued part of its data, then the app closes the socket: it completes with the count queued', async () => {
  const p = await pair({ sndbuf: 8192, rcvbuf: 8192 });
  const data = new Uint8Array(300_000);
  const cb = newAiocb({ aio_fildes: p.c, aio_buf: data, aio_nbytes: data.length });
  assert.equal(p.ctx.write(cb), 0);
  await runFor(p.sim, 500);
  assert.ok(p.ctx.isRunning(cb), 'part of it is queued');
  assert.equal(p.a.sys.close(p.c), 0);
  await settle(p, cb);
  assert.equal(p.ctx.error(cb), 0, 'a partial write, as write(2) reports one');
  const n = p.ctx.return(cb);
  assert.ok(n > 0 && n < data.length, `return ${n}`);
});

test('aio_cancel on an fd the bound process has closed, with nothing pending on it, is EBADF', async () => {
  const p = await pair();
  const cb = readCb(p.c, 8);
  assert.equal(p.ctx.read(cb), 0);
  await peerSend(p, 'x');
  await settle(p, cb);
  assert.equal(p.ctx.return(cb), 1);
  assert.equal(p.ctx.cancel(p.c), AIO_ALLDONE, 'open, nothing pending');
  assert.equal(p.a.sys.close(p.c), 0);
  assert.equal(p.ctx.cancel(p.c), -EBADF);
});

test('closing an OS file fd while a helper request on it is pending keeps the OS descriptor until the request ends (POSIX close: it completes as if close had not happened)', async () => {
  const p = await pair();
  const mine = join(dir, 'mine');
  const other = join(dir, 'other');
  writeFileSync(mine, '');
  const osFd = openSync(mine, 'r+');
  const ffd = openOsFile(p.a, osFd);
  const buf = new Uint8Array(new SharedArrayBuffer(5));
  buf.set(bytes('hello'));
  const cb = newAiocb({ aio_fildes: ffd, aio_buf: buf, aio_nbytes: 5 });
  assert.equal(p.ctx.write(cb), 0);
  assert.equal(p.a.sys.close(ffd), 0, 'the helper has not started yet (a Worker takes milliseconds)');
  const otherFd = openSync(other, 'w+'); // the OS hands out its lowest free descriptor
  try {
    assert.notEqual(otherFd, osFd, 'the OS descriptor is still open, so not reused');
    assert.equal(await p.ctx.wait(cb), 5);
    assert.equal(readFileSync(mine, 'utf8'), 'hello', 'written to the file it was submitted on');
    assert.equal(readFileSync(other, 'utf8'), '');
    assert.throws(() => fstatSync(osFd), { code: 'EBADF' }, 'closed once its last request ended');
  } finally {
    closeSync(otherFd);
  }
});

test('bound instance: aio_suspend with a timeout (on the kernel clock) ends with -EINTR when a caught signal comes first', async () => {
  const p = await pair();
  const r = readCb(p.c, 8);
  assert.equal(p.ctx.read(r), 0);
  const caught: unknown[] = [];
  p.ctx.on('signal', (signo: number) => caught.push(signo));
  const waiting = p.ctx.suspend([r], 10_000);
  const w = newAiocb({ aio_fildes: p.c, aio_buf: bytes('ping'), aio_nbytes: 4, aio_sigevent: { ...newSigevent(), sigev_notify: SIGEV_SIGNAL, sigev_signo: 12, sigev_value: null } });
  assert.equal(p.ctx.write(w), 0);
  assert.equal(await drive(p.sim, waiting), -EINTR);
  assert.deepEqual(caught, [12]);
  assert.equal(p.ctx.error(r), EINPROGRESS);
  assert.equal(p.ctx.cancel(p.c, r), AIO_CANCELED);
});
