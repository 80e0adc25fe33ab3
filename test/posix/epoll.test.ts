// Readiness: poll(2) bits as Linux's tcp_poll sets them, epoll level- versus
// edge-triggered, EPOLLONESHOT, epoll_ctl's errors, and the waiting variants.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AF_INET, EBADF, EEXIST, EINVAL, ENOENT, EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLRDHUP, EPOLL_CTL_ADD, EPOLL_CTL_DEL,
  EPOLL_CTL_MOD, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLRDHUP, SHUT_WR, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM,
  newEpollEvents, sockaddrIn, type PollFd, type Process, EINPROGRESS,
} from '../../src/posix/index.js';
import type { Sim } from '../../src/runtime/sim.js';
import { addrB, drive, kernelPair } from './harness.js';

// Virtual time for segments to cross; the assertions do not depend on it.
const SETTLE_MS = 50;

function pair(sim: Sim, cli: Process, srv: Process): { c: number; s: number; l: number } {
  const l = srv.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  srv.sys.bind(l, sockaddrIn(0, 80));
  srv.sys.listen(l, 8);
  const c = cli.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert.equal(cli.sys.connect(c, addrB(80)), -EINPROGRESS);
  let s = -1;
  assert.ok(sim.runUntil(() => (s = srv.sys.accept(l, null)) >= 0, { maxTime: 5000 }));
  sim.settle();
  return { c, s, l };
}

function pollOne(p: Process, fd: number, events: number): number {
  const fds: PollFd[] = [{ fd, events, revents: 0 }];
  p.sys.poll(fds, 1, 0);
  return fds[0]!.revents;
}

test('poll: a fresh TCP socket is POLLOUT|POLLHUP, as tcp_poll says of TCP_CLOSE', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(pollOne(p, fd, POLLIN | POLLOUT), POLLOUT | POLLHUP);
});

test('poll: readable with data, POLLRDHUP after the peer\'s FIN, POLLNVAL for a bad fd, negative fds ignored', () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const { c, s } = pair(sim, cli, srv);
  assert.equal(pollOne(srv, s, POLLIN | POLLOUT), POLLOUT);
  cli.sys.send(c, new Uint8Array(10), 0, 10, 0);
  sim.runFor(SETTLE_MS);
  assert.equal(pollOne(srv, s, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT);
  cli.sys.shutdown(c, SHUT_WR);
  sim.runFor(SETTLE_MS);
  assert.equal(pollOne(srv, s, POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
  const fds: PollFd[] = [{ fd: 77, events: POLLIN, revents: 0 }, { fd: -1, events: POLLIN, revents: 5 }];
  assert.equal(srv.sys.poll(fds, 2, 0), 1);
  assert.deepEqual([fds[0]!.revents, fds[1]!.revents], [POLLNVAL, 0]);
});

test('poll: a refused connect reports POLLERR and POLLHUP without asking', () => {
  const { ka, sim } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  p.sys.connect(fd, addrB(4444));
  assert.equal(pollOne(p, fd, POLLOUT), 0, 'nothing while in SYN-SENT');
  sim.runFor(50);
  const r = pollOne(p, fd, 0);
  assert.equal(r & (POLLERR | POLLHUP), POLLERR | POLLHUP);
});

test('epoll level-triggered: reported at every wait while data waits', () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const { c, s } = pair(sim, cli, srv);
  const ep = srv.sys.epollCreate1(0);
  assert.equal(srv.sys.epollCtl(ep, EPOLL_CTL_ADD, s, { events: EPOLLIN, data: 42 }), 0);
  const evs = newEpollEvents(4);
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 0);
  cli.sys.send(c, new Uint8Array(100), 0, 100, 0);
  sim.runFor(SETTLE_MS);
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 1);
  assert.deepEqual(evs[0], { events: EPOLLIN, data: 42 });
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 1, 'still readable: reported again');
  srv.sys.recv(s, new Uint8Array(200), 0, 200, 0);
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 0, 'drained: not reported');
});

test('epoll edge-triggered: reported once per arrival, again only when new data comes', () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const { c, s } = pair(sim, cli, srv);
  const ep = srv.sys.epollCreate1(0);
  assert.equal(srv.sys.epollCtl(ep, EPOLL_CTL_ADD, s, { events: EPOLLIN | EPOLLET, data: 7 }), 0);
  const evs = newEpollEvents(4);
  cli.sys.send(c, new Uint8Array(100), 0, 100, 0);
  sim.runFor(SETTLE_MS);
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 1);
  assert.equal(evs[0]!.events, EPOLLIN);
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 0, 'no new event although data waits');
  cli.sys.send(c, new Uint8Array(100), 0, 100, 0);
  sim.runFor(SETTLE_MS);
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 1, 'new data: a new edge');
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 0);
});

test('epoll: EPOLLONESHOT disarms until EPOLL_CTL_MOD; EPOLLOUT on a writable socket; EPOLLRDHUP on request', () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const { c, s } = pair(sim, cli, srv);
  const ep = srv.sys.epollCreate1(0);
  const evs = newEpollEvents(4);
  assert.equal(srv.sys.epollCtl(ep, EPOLL_CTL_ADD, s, { events: EPOLLOUT | EPOLLONESHOT, data: 1 }), 0);
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 1);
  assert.equal(evs[0]!.events, EPOLLOUT);
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 0, 'disarmed');
  assert.equal(srv.sys.epollCtl(ep, EPOLL_CTL_MOD, s, { events: EPOLLIN | EPOLLRDHUP, data: 2 }), 0);
  cli.sys.shutdown(c, SHUT_WR);
  sim.runFor(SETTLE_MS);
  assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 1);
  assert.deepEqual(evs[0], { events: EPOLLIN | EPOLLRDHUP, data: 2 });
});

test('epoll_ctl errors: EEXIST, ENOENT, EBADF, EINVAL; closing the fd drops the entry', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const ep = p.sys.epollCreate1(0);
  const u = p.sys.socket(AF_INET, SOCK_DGRAM, 0);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_ADD, u, { events: EPOLLOUT, data: 0 }), 0);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_ADD, u, { events: EPOLLOUT, data: 0 }), -EEXIST);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_MOD, 99, { events: EPOLLOUT, data: 0 }), -EBADF);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_ADD, ep, { events: EPOLLIN, data: 0 }), -EINVAL);
  assert.equal(p.sys.epollCtl(u, EPOLL_CTL_ADD, 0, { events: EPOLLIN, data: 0 }), -EINVAL, 'not an epoll fd');
  assert.equal(p.sys.epollCtl(ep, 9, u, { events: EPOLLIN, data: 0 }), -EINVAL);
  assert.equal(p.sys.epollWait(ep, newEpollEvents(1), 0, 0), -EINVAL);
  assert.equal(p.sys.epollWait(ep, newEpollEvents(4), 4, 0), 1);
  p.sys.close(u);
  assert.equal(p.sys.epollWait(ep, newEpollEvents(4), 4, 0), 0);
  const u2 = p.sys.socket(AF_INET, SOCK_DGRAM, 0);
  assert.equal(u2, u);
  assert.equal(p.sys.epollCtl(ep, EPOLL_CTL_DEL, u2, null), -ENOENT);
});

test('epollWaitAsync wakes on an arrival (no polling timer) and times out on the virtual clock', async () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const { c, s } = pair(sim, cli, srv);
  const ep = srv.sys.epollCreate1(0);
  srv.sys.epollCtl(ep, EPOLL_CTL_ADD, s, { events: EPOLLIN, data: s });
  const evs = newEpollEvents(2);
  const t0 = sim.now();
  assert.equal(await drive(sim, srv.epollWaitAsync(ep, evs, 2, 5000)), 0);
  assert.equal(sim.now() - t0, 5000, 'the timeout ran on the virtual clock');
  sim.after(300, () => cli.sys.send(c, new Uint8Array(5), 0, 5, 0));
  const t1 = sim.now();
  assert.equal(await drive(sim, srv.epollWaitAsync(ep, evs, 2, -1)), 1);
  assert.equal(evs[0]!.data, s);
  assert.ok(sim.now() - t1 >= 300, 'woken by the arrival, not before');
});

test('pollAsync waits for any of several fds', async () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const { c, s, l } = pair(sim, cli, srv);
  const fds: PollFd[] = [{ fd: l, events: POLLIN, revents: 0 }, { fd: s, events: POLLIN, revents: 0 }];
  sim.after(100, () => cli.sys.send(c, new Uint8Array(5), 0, 5, 0));
  assert.equal(await drive(sim, srv.pollAsync(fds, -1)), 1);
  assert.deepEqual([fds[0]!.revents, fds[1]!.revents], [0, POLLIN]);
  assert.equal(await drive(sim, srv.pollAsync([{ fd: l, events: POLLIN, revents: 0 }], 250)), 0);
});

test('epoll on a listener: each new connection raises EPOLLIN again after accept() emptied the queue', () => {
  const { ka, kb, sim } = kernelPair();
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  srv.sys.bind(l, sockaddrIn(0, 80));
  srv.sys.listen(l, 8);
  const ep = srv.sys.epollCreate1(0);
  const evs = newEpollEvents(4);
  for (const mode of [EPOLLIN | EPOLLET, EPOLLIN]) {
    assert.equal(srv.sys.epollCtl(ep, EPOLL_CTL_ADD, l, { events: mode, data: 1 }), 0);
    for (let i = 0; i < 3; i++) {
      const c = cli.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      assert.equal(cli.sys.connect(c, addrB(80)), -EINPROGRESS);
      sim.runFor(SETTLE_MS);
      assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 1, `connection ${i} is reported`);
      assert.ok(srv.sys.accept(l, null) >= 0);
      assert.equal(srv.sys.epollWait(ep, evs, 4, 0), 0, 'nothing left to accept');
    }
    assert.equal(srv.sys.epollCtl(ep, EPOLL_CTL_DEL, l, null), 0);
  }
});
