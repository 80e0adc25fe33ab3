// The order of a client socket's calls while it connects, as libuv makes them: socket,
// connect, then epoll_ctl(ADD). Registered before connect, a fresh socket is ready at once
// (POLLOUT|POLLHUP, as Linux's tcp_poll says of TCP_CLOSE), and the pending epoll_wait
// reported that stale state as the outcome of the connect: SO_ERROR 0 then getpeername
// ENOTCONN, the refusal only at the next wakeup.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { IP_B, loopPair } from './harness.js';
import type { Socket } from '../../src/adapters/index.js';
import { EPOLLERR, EPOLLOUT, SOL_SOCKET, SO_ERROR } from '../../src/posix/constants.js';
import type { EpollEvent } from '../../src/posix/epoll.js';
import { SYSCALL_MAN_NAMES, wrapSyscall } from '../../src/posix/syscalls.js';

/** Record the client's calls as "name=result" and epoll_wait's events for each fd. */
function record(p: ReturnType<typeof loopPair>): string[] {
  const log: string[] = [];
  const sys = p.a.process.sys;
  for (const name of ['socket', 'connect', 'epollCtl', 'getpeername', 'close'] as const) {
    wrapSyscall(sys, name, (n, args, next) => {
      const r = (next as (...a: unknown[]) => number)(...args);
      log.push(`${SYSCALL_MAN_NAMES[n]}=${r}`);
      return r as never;
    });
  }
  wrapSyscall(sys, 'getsockopt', (_n, args, next) => {
    const r = next(...args);
    if (args[1] === SOL_SOCKET && args[2] === SO_ERROR) log.push(`SO_ERROR=${r}`);
    return r;
  });
  wrapSyscall(sys, 'epollWaitAsync', async (_n, args, next) => {
    const r = await next(...args);
    const evs = args[1] as EpollEvent[];
    for (let i = 0; i < r; i++) log.push(`epoll_wait fd ${evs[i]!.data}: ${(evs[i]!.events & EPOLLERR) !== 0 ? 'ERR' : ''}${(evs[i]!.events & EPOLLOUT) !== 0 ? 'OUT' : ''}`);
    return r;
  });
  return log;
}

test('a refused connect: epoll_ctl follows connect, the first event carries EPOLLERR and SO_ERROR ECONNREFUSED', async () => {
  const p = loopPair();
  try {
    const log = record(p);
    const s: Socket = p.a.connect(81, IP_B);
    const [err] = (await once(s, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');
    const fd = log.find((l) => l.startsWith('socket='))!.slice('socket='.length);
    const iConnect = log.indexOf('connect=-115');
    const iCtl = log.indexOf('epoll_ctl=0');
    assert.ok(iConnect >= 0 && iCtl > iConnect, `connect before epoll_ctl: ${log.join(', ')}`);
    const waits = log.filter((l) => l.startsWith(`epoll_wait fd ${fd}:`));
    assert.equal(waits[0], `epoll_wait fd ${fd}: ERROUT`, `the first report is the refusal: ${log.join(', ')}`);
    assert.deepEqual(log.filter((l) => l.startsWith('SO_ERROR=')), ['SO_ERROR=111'], 'SO_ERROR read once, ECONNREFUSED');
    assert.ok(!log.some((l) => l.startsWith('getpeername=')), 'no getpeername on a stale event');
  } finally {
    p.close();
  }
});

test('a successful connect: epoll_ctl follows connect, the first event is EPOLLOUT with SO_ERROR 0', async () => {
  const p = loopPair();
  try {
    const srv = p.b.createServer((c: Socket) => c.end());
    srv.listen(80, IP_B);
    await once(srv, 'listening');
    const log = record(p);
    const s: Socket = p.a.connect(80, IP_B);
    await once(s, 'connect');
    const fd = log.find((l) => l.startsWith('socket='))!.slice('socket='.length);
    assert.ok(log.indexOf('epoll_ctl=0') > log.indexOf('connect=-115'), log.join(', '));
    assert.equal(log.filter((l) => l.startsWith(`epoll_wait fd ${fd}:`))[0], `epoll_wait fd ${fd}: OUT`);
    assert.deepEqual(log.filter((l) => l.startsWith('SO_ERROR=')), ['SO_ERROR=0']);
    s.destroy();
    srv.close();
  } finally {
    p.close();
  }
});
