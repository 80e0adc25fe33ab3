// Socket-call answers checked against a Linux 6.x kernel in the same situations (each was
// run against the kernel with Python's socket module first; Linux 6.18 here): net/ipv4/af_inet.c
// (inet_listen, __inet_stream_connect), net/ipv4/tcp.c (tcp_sendmsg_locked,
// sk_stream_wait_connect, tcp_recvmsg), fs/select.c (poll), fs/eventpoll.c (ep_loop_check).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AF_INET, ECONNABORTED, ECONNRESET, EFAULT, EISCONN, SHUT_WR, EINPROGRESS, EINVAL, ELOOP, EPIPE, EPOLLEXCLUSIVE, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLL_CTL_ADD,
  EPOLL_CTL_MOD, ENOTCONN, MSG_DONTWAIT, MSG_WAITALL, EAGAIN, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_ERROR, SO_LINGER, ECONNREFUSED,
  newEpollEvents, sockaddrIn, type PollFd,
} from '../../src/posix/index.js';
import { addrB, connected, drive, kernelPair, runFor } from './harness.js';

const buf = new Uint8Array(4096);

test('send on a never-connected socket or a listener: EPIPE (sk_stream_wait_connect), recv: ENOTCONN', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p.sys.send(fd, buf, 0, 10, 0), -EPIPE);
  assert.equal(p.sys.recv(fd, buf, 0, 10, 0), -ENOTCONN);
  assert.equal(p.sys.bind(fd, sockaddrIn(0, 80)), 0);
  assert.equal(p.sys.listen(fd, 1), 0);
  assert.equal(p.sys.send(fd, buf, 0, 10, 0), -EPIPE);
  assert.equal(p.sys.recv(fd, buf, 0, 10, 0), -ENOTCONN);
});

test('listen() after a non-blocking connect that failed unreported: EINVAL (inet_listen: sock->state is SS_CONNECTING)', () => {
  const { ka, sim } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert.equal(p.sys.connect(fd, addrB(9999)), -EINPROGRESS);
  sim.runFor(100);
  assert.equal(p.sys.listen(fd, 5), -EINVAL);
  // The failure reported by connect() makes the socket unconnected again: listen works then.
  assert.equal(p.sys.connect(fd, addrB(9999)), -ECONNREFUSED);
  assert.equal(p.sys.listen(fd, 5), 0);
});

test('listen() on a socket whose connection was reset: EINVAL (sock->state stays SS_CONNECTED)', () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const { c, s } = connected(sim, cli, srv);
  assert.equal(cli.sys.connect(c, addrB(80)), 0);
  assert.equal(srv.sys.setsockopt(s, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 }), 0);
  assert.equal(srv.sys.close(s), 0);
  sim.runFor(10);
  assert.equal(cli.sys.listen(c, 5), -EINVAL);
});

test('connect() on a socket whose connection was confirmed and then reset, or shut down and closed both ways: EISCONN, every time (SS_CONNECTED; inet_shutdown sets it)', () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const reset = connected(sim, cli, srv);
  assert.equal(cli.sys.connect(reset.c, addrB(80)), 0);
  assert.equal(srv.sys.setsockopt(reset.s, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 }), 0);
  assert.equal(srv.sys.close(reset.s), 0);
  sim.runFor(10);
  for (let i = 0; i < 3; i++) assert.equal(cli.sys.connect(reset.c, addrB(80)), -EISCONN);
  assert.equal(cli.sys.recv(reset.c, buf, 0, 10, 0), -ECONNRESET);
  const ended = connected(sim, cli, srv, 81);
  assert.equal(srv.sys.close(ended.s), 0);
  sim.runFor(10);
  assert.equal(cli.sys.recv(ended.c, buf, 0, 10, 0), 0);
  assert.equal(cli.sys.shutdown(ended.c, SHUT_WR), 0);
  sim.runFor(10);
  assert.equal(cli.sys.connect(ended.c, addrB(81)), -EISCONN);
});

test('connect() after SO_ERROR took a non-blocking connect\'s failure: ECONNABORTED once, then a new attempt', () => {
  const { ka, sim } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert.equal(p.sys.connect(fd, addrB(9999)), -EINPROGRESS);
  sim.runFor(100);
  assert.equal(p.sys.getsockopt(fd, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
  assert.equal(p.sys.connect(fd, addrB(9999)), -ECONNABORTED);
  assert.equal(p.sys.connect(fd, addrB(9999)), -EINPROGRESS);
});

test('MSG_DONTWAIT makes the blocking entries answer at once', async () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const { c, s } = connected(sim, cli, srv);
  // A blocking fd: without MSG_DONTWAIT these would wait for data.
  assert.equal(cli.sys.fcntl(c, 4 /* F_SETFL */, 0), 0);
  assert.equal(await drive(sim, cli.recvAsync(c, buf, 0, 10, MSG_DONTWAIT), 1000), -EAGAIN);
  assert.equal(await drive(sim, cli.recvfromAsync(c, buf, null, 0, 10, MSG_DONTWAIT), 1000), -EAGAIN);
  void s;
});

test('MSG_WAITALL: a blocking recv waits for the whole length, or returns what came before EOF', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 5 });
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const { c, s } = connected(sim, cli, srv);
  assert.equal(cli.sys.fcntl(c, 4 /* F_SETFL */, 0), 0);
  const got = cli.recvAsync(c, buf, 0, 300, MSG_WAITALL);
  for (let i = 0; i < 3; i++) {
    assert.equal(srv.sys.send(s, new Uint8Array(100).fill(i + 1), 0, 100, 0), 100);
    await runFor(sim, 20);
  }
  assert.equal(await drive(sim, got, 1000), 300);
  assert.deepEqual([buf[0], buf[150], buf[299]], [1, 2, 3]);
  const rest = cli.recvAsync(c, buf, 0, 300, MSG_WAITALL);
  assert.equal(srv.sys.send(s, new Uint8Array(50), 0, 50, 0), 50);
  assert.equal(srv.sys.shutdown(s, 1), 0);
  assert.equal(await drive(sim, rest, 1000), 50);
});

test('poll with a malformed pollfd entry: EFAULT, not a throw', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  assert.equal(p.sys.poll([null as unknown as PollFd], 1, 0), -EFAULT);
  assert.equal(p.sys.poll([{ fd: 'x' as unknown as number, events: EPOLLIN, revents: 0 }], 1, 0), -EFAULT);
  assert.equal(p.sys.poll([{ fd: 0, events: null as unknown as number, revents: 0 }], 1, 0), -EFAULT);
});

test('epoll_ctl: an epoll set that would contain itself through another is ELOOP (ep_loop_check)', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const a = p.sys.epollCreate1(0);
  const b = p.sys.epollCreate1(0);
  const c = p.sys.epollCreate1(0);
  assert.equal(p.sys.epollCtl(a, EPOLL_CTL_ADD, b, { events: EPOLLIN, data: 0 }), 0);
  assert.equal(p.sys.epollCtl(b, EPOLL_CTL_ADD, c, { events: EPOLLIN, data: 0 }), 0);
  assert.equal(p.sys.epollCtl(c, EPOLL_CTL_ADD, a, { events: EPOLLIN, data: 0 }), -ELOOP);
  assert.equal(p.sys.epollCtl(b, EPOLL_CTL_ADD, a, { events: EPOLLIN, data: 0 }), -ELOOP);
  assert.equal(p.sys.epollWait(a, newEpollEvents(4), 4, 0), 0);
});

test('epoll_ctl: EPOLLEXCLUSIVE is EINVAL with EPOLL_CTL_MOD, with EPOLLONESHOT, on an epoll fd, and MOD of an exclusive entry', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const ep = p.sys.epollCreate1(0);
  const ep2 = p.sys.epollCreate1(0);
  const t = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  const u = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_ADD, t, { events: EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, data: 0 }), -EINVAL);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_ADD, ep2, { events: EPOLLIN | EPOLLEXCLUSIVE, data: 0 }), -EINVAL);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_ADD, t, { events: EPOLLIN | EPOLLEXCLUSIVE, data: 0 }), 0);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_MOD, t, { events: EPOLLOUT, data: 0 }), -EINVAL);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_ADD, u, { events: EPOLLIN, data: 0 }), 0);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_MOD, u, { events: EPOLLIN | EPOLLEXCLUSIVE, data: 0 }), -EINVAL);
});
