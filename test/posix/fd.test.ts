// The fd table: lowest free first, 0-2 taken at start, RLIMIT_NOFILE, dup, fcntl flags,
// exit() closing everything, and the per-process syscall table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AF_INET, EBADF, EINVAL, EMFILE, EPERM, FD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, NOFILE_HARD, O_NONBLOCK, O_RDWR,
  RLIMIT_NOFILE, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, SYSCALL_MAN_NAMES, SYSCALL_NAMES, TcpFile, sockaddrIn,
  wrapSyscall, EAGAIN, EINPROGRESS,
} from '../../src/posix/index.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { addrB, kernelPair } from './harness.js';

test('a new process has fds 0-2; sockets get the lowest free fd', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  assert.deepEqual(p.openFds(), [0, 1, 2]);
  const a = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  const b = p.sys.socket(AF_INET, SOCK_DGRAM, 0);
  const c = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.deepEqual([a, b, c], [3, 4, 5]);
  assert.equal(p.sys.close(b), 0);
  assert.equal(p.sys.socket(AF_INET, SOCK_STREAM, 0), 4, 'the hole is filled first');
  assert.equal(p.sys.close(0), 0);
  assert.equal(p.sys.epollCreate1(0), 0, 'even below 3 once 0 is closed');
  assert.notEqual(ka.spawn('q').pid, p.pid);
});

test('RLIMIT_NOFILE: the default is 1024; fd numbers stop below the soft limit with EMFILE', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  assert.equal(p.sys.getrlimit(RLIMIT_NOFILE), 1024);
  const fds: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const fd = p.sys.socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
      assert.equal(fd, -EMFILE);
      break;
    }
    fds.push(fd);
  }
  assert.equal(fds.length, 1021);
  assert.equal(fds[fds.length - 1], 1023);
  assert.equal(p.sys.setrlimit(RLIMIT_NOFILE, NOFILE_HARD + 1), -EPERM);
  assert.equal(p.sys.setrlimit(RLIMIT_NOFILE, -1), -EINVAL);
  assert.equal(p.sys.getrlimit(99), -EINVAL);
});

test('fcntl: O_NONBLOCK through F_GETFL/F_SETFL, FD_CLOEXEC through F_GETFD/F_SETFD', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p.sys.fcntl(fd, F_GETFL), O_RDWR);
  assert.equal(p.sys.fcntl(fd, F_SETFL, O_NONBLOCK), 0);
  assert.equal(p.sys.fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK);
  assert.equal(p.sys.fcntl(fd, F_GETFD), 0);
  assert.equal(p.sys.fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
  assert.equal(p.sys.fcntl(fd, F_GETFD), FD_CLOEXEC);
  const nb = p.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  assert.equal(p.sys.fcntl(nb, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  assert.equal(p.sys.fcntl(nb, F_GETFD), FD_CLOEXEC);
  assert.equal(p.sys.fcntl(0, F_GETFL), O_RDWR, 'works on non-sockets');
  assert.equal(p.sys.fcntl(fd, 999), -EINVAL);
  assert.equal(p.sys.fcntl(77, F_GETFL), -EBADF);
});

test('dup shares the open file: the socket closes with its last fd', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_DGRAM, 0);
  assert.equal(p.sys.bind(fd, sockaddrIn(0, 7000)), 0);
  const d = p.sys.dup(fd);
  assert.equal(d, fd + 1);
  assert.equal(p.sys.close(fd), 0);
  const again = p.sys.socket(AF_INET, SOCK_DGRAM, 0);
  assert.notEqual(p.sys.bind(again, sockaddrIn(0, 7000)), 0, 'the port is still held through the dup');
  assert.equal(p.sys.close(d), 0);
  assert.equal(p.sys.bind(again, sockaddrIn(0, 7000)), 0);
});

test('exit() closes every fd: connections close, listeners free their ports', () => {
  const { ka, kb, sim } = kernelPair();
  const srv = kb.spawn('srv');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  srv.sys.bind(l, sockaddrIn(0, 80));
  srv.sys.listen(l, 4);
  const cli = ka.spawn('cli');
  const c = cli.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert.equal(cli.sys.connect(c, addrB(80)), -EINPROGRESS);
  let s = -1;
  assert.ok(sim.runUntil(() => (s = srv.sys.accept(l, null)) >= 0, { maxTime: 5000 }));
  const sock = (srv.file(s) as TcpFile).sock;
  srv.exit(0);
  assert.equal(srv.exited, true);
  assert.deepEqual(srv.openFds(), []);
  assert.equal(kb.process(srv.pid), null);
  assert.notEqual(sock.state, TcpState.Established, 'the connection is closing');
  sim.runFor(100);
  const buf = new Uint8Array(10);
  assert.equal(cli.sys.recv(c, buf, 0, 10, 0), 0, 'the client sees the end of the stream');
  const p2 = kb.spawn('srv2');
  const l2 = p2.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p2.sys.bind(l2, sockaddrIn(0, 80)), 0, 'the listener\'s port is free');
  assert.equal(cli.sys.recv(c, buf, 0, 10, 0), 0);
  assert.equal(srv.sys.socket(AF_INET, SOCK_STREAM, 0) < 0, true, 'an exited process opens nothing');
});

test('the syscall table is per process, replaceable entry by entry, and sees name and arguments', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const q = ka.spawn('q');
  assert.notEqual(p.sys, q.sys);
  assert.deepEqual(Object.keys(p.sys).sort(), [...SYSCALL_NAMES].sort());
  const seen: string[] = [];
  const unwrap = wrapSyscall(p.sys, 'socket', (name, args, next) => {
    seen.push(`${SYSCALL_MAN_NAMES[name]}(${args.join(', ')})`);
    return args[0] === 99 ? -EAGAIN : next(...args);
  });
  assert.equal(p.sys.socket(AF_INET, SOCK_STREAM, 0), 3);
  assert.equal(p.sys.socket(99, SOCK_STREAM, 0), -EAGAIN);
  assert.equal(q.sys.socket(AF_INET, SOCK_STREAM, 0), 3, 'the other process is untouched');
  assert.deepEqual(seen, ['socket(2, 1, 0)', 'socket(99, 1, 0)']);
  unwrap();
  p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(seen.length, 2);
  assert.equal(SYSCALL_MAN_NAMES.epollCtl, 'epoll_ctl');
});

test('listen() passes the backlog to the transport unchanged: the personality clamps it', () => {
  for (const [personality, want] of [['linux', 4096], ['linux-2.6', 128]] as const) {
    const { ka } = kernelPair({ personality });
    const p = ka.spawn('p');
    const l = p.sys.socket(AF_INET, SOCK_STREAM, 0);
    assert.equal(p.sys.listen(l, 100_000), 0);
    assert.equal((p.file(l) as TcpFile).sock.backlog, want);
    const m = p.sys.socket(AF_INET, SOCK_STREAM, 0);
    assert.equal(p.sys.listen(m, 7), 0);
    assert.equal((p.file(m) as TcpFile).sock.backlog, 7);
  }
});
