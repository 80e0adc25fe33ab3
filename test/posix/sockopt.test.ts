// Socket options: round trips through setsockopt/getsockopt, Linux's doubling of the
// buffer sizes, the bounds Linux checks, inheritance by accepted sockets, TCP_INFO.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AF_INET, EFAULT, EINVAL, ENOENT, IPPROTO_TCP, LINUX_TCP_STATE, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET,
  SO_BROADCAST, SO_KEEPALIVE, SO_LINGER, SO_RCVBUF, SO_REUSEADDR, SO_REUSEPORT, SO_SNDBUF, SO_TYPE, TCP_CONGESTION, TCP_CORK,
  TCP_INFO, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_MAXSEG, TCP_NODELAY, TCP_USER_TIMEOUT, TcpFile, newTcpInfo,
  sockaddrIn, type Linger, type StringOpt,
} from '../../src/posix/index.js';
import { addrB, kernelPair } from './harness.js';

test('boolean options round-trip: SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, TCP_NODELAY, TCP_CORK', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  for (const [level, name] of [[SOL_SOCKET, SO_REUSEADDR], [SOL_SOCKET, SO_REUSEPORT], [SOL_SOCKET, SO_KEEPALIVE], [IPPROTO_TCP, TCP_NODELAY], [IPPROTO_TCP, TCP_CORK]] as const) {
    assert.equal(p.sys.getsockopt(fd, level, name), 0, `${level}/${name} starts off`);
    assert.equal(p.sys.setsockopt(fd, level, name, 1), 0);
    assert.equal(p.sys.getsockopt(fd, level, name), 1);
    assert.equal(p.sys.setsockopt(fd, level, name, false), 0);
    assert.equal(p.sys.getsockopt(fd, level, name), 0);
  }
  const f = p.file(fd) as TcpFile;
  p.sys.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  p.sys.setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
  assert.equal(f.sock.noDelay, true);
  assert.equal(f.sock.keepAlive, true);
  assert.equal(p.sys.getsockopt(fd, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
});

test('SO_SNDBUF and SO_RCVBUF: Linux doubles the value, caps it at wmem_max/rmem_max, and has a floor', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p.sys.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, 32768), 0);
  assert.equal(p.sys.getsockopt(fd, SOL_SOCKET, SO_SNDBUF), 65536);
  assert.equal((p.file(fd) as TcpFile).sock.sendBufSize, 32768, 'the data room is what was asked');
  assert.equal(p.sys.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 10_000_000), 0);
  assert.equal(p.sys.getsockopt(fd, SOL_SOCKET, SO_RCVBUF), 2 * 212992);
  assert.equal(ka.sysctl.write('net.core.rmem_max', 1_000_000), 0);
  p.sys.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 10_000_000);
  assert.equal(p.sys.getsockopt(fd, SOL_SOCKET, SO_RCVBUF), 2_000_000);
  p.sys.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, 1);
  assert.equal(p.sys.getsockopt(fd, SOL_SOCKET, SO_SNDBUF), 4608);
});

test('keepalive times: TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT in seconds and counts, with Linux\'s bounds', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 7200);
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 75);
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), 9);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, 30), 0);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, 5), 0);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, 3), 0);
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 5);
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
  const s = (p.file(fd) as TcpFile).sock;
  assert.deepEqual([s.keepIdleMs, s.keepIntvlMs, s.keepCnt], [30_000, 5000, 3]);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0), -EINVAL);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, 32768), -EINVAL);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, 128), -EINVAL);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, 'x'), -EINVAL);
});

test('TCP_USER_TIMEOUT and TCP_MAXSEG', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000), 0);
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 5000);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, -1), -EINVAL);
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG), 536, 'TCP_MSS_DEFAULT before connect');
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, 1000), 0);
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG), 1000);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, 87), -EINVAL);
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, 32768), -EINVAL);
});

test('TCP_MAXSEG set before connect caps the MSS both ends use (Linux user_mss)', () => {
  const { ka, kb, sim } = kernelPair();
  const srv = kb.spawn('srv');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  srv.sys.bind(l, sockaddrIn(0, 80));
  srv.sys.listen(l, 4);
  const cli = ka.spawn('cli');
  const fd = cli.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert.equal(cli.sys.setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, 1000), 0);
  cli.sys.connect(fd, addrB(80));
  let a = -1;
  assert.ok(sim.runUntil(() => (a = srv.sys.accept(l, null)) >= 0, { maxTime: 5000 }));
  assert.equal((cli.file(fd) as TcpFile).sock.advMss, 1000, 'our SYN announced 1000');
  assert.equal((srv.file(a) as TcpFile).sock.sendMss, 1000, 'so the peer sends at most 1000');
  assert.equal(cli.sys.getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG), 1000);
});

test('SO_LINGER round-trips as a struct; getsockopt needs the record', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  const out: Linger = { l_onoff: 9, l_linger: 9 };
  assert.equal(p.sys.getsockopt(fd, SOL_SOCKET, SO_LINGER, out), 0);
  assert.deepEqual(out, { l_onoff: 0, l_linger: 0 });
  assert.equal(p.sys.setsockopt(fd, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 7 }), 0);
  assert.equal(p.sys.getsockopt(fd, SOL_SOCKET, SO_LINGER, out), 0);
  assert.deepEqual(out, { l_onoff: 1, l_linger: 7 });
  assert.equal(p.sys.getsockopt(fd, SOL_SOCKET, SO_LINGER), -EFAULT);
  assert.equal(p.sys.setsockopt(fd, SOL_SOCKET, SO_LINGER, 1), -EINVAL);
});

test('TCP_CONGESTION: Linux\'s names, ENOENT for an unknown one', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  const out: StringOpt = { value: '' };
  assert.equal(p.sys.getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, out), 0);
  assert.equal(out.value, ka.sysctl.read('net.ipv4.tcp_congestion_control'));
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, 'reno'), 0);
  p.sys.getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, out);
  assert.equal(out.value, 'reno');
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, 'cubic'), 0);
  p.sys.getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, out);
  assert.equal(out.value, 'cubic');
  assert.equal(p.sys.setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, 'bbr9'), -ENOENT);
});

test('accepted sockets inherit the listener\'s options', () => {
  const { ka, kb, sim } = kernelPair();
  const srv = kb.spawn('srv');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  srv.sys.setsockopt(l, IPPROTO_TCP, TCP_NODELAY, 1);
  srv.sys.setsockopt(l, SOL_SOCKET, SO_KEEPALIVE, 1);
  srv.sys.setsockopt(l, IPPROTO_TCP, TCP_KEEPIDLE, 60);
  srv.sys.setsockopt(l, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 3 });
  srv.sys.bind(l, sockaddrIn(0, 80));
  srv.sys.listen(l, 8);
  const cli = ka.spawn('cli');
  const c = cli.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  cli.sys.connect(c, addrB(80));
  let s = -1;
  assert.ok(sim.runUntil(() => (s = srv.sys.accept(l, null)) >= 0, { maxTime: 5000 }));
  assert.equal(srv.sys.getsockopt(s, IPPROTO_TCP, TCP_NODELAY), 1);
  assert.equal(srv.sys.getsockopt(s, SOL_SOCKET, SO_KEEPALIVE), 1);
  assert.equal(srv.sys.getsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE), 60);
  const lg: Linger = { l_onoff: 0, l_linger: 0 };
  srv.sys.getsockopt(s, SOL_SOCKET, SO_LINGER, lg);
  assert.deepEqual(lg, { l_onoff: 1, l_linger: 3 });
});

test('SO_SNDBUF after connect: as set (doubled) on the accepted socket, or as auto-tuning sized it', () => {
  const { ka, kb, sim } = kernelPair({ delay: 10, tcp: { sendBufSize: 4096 } });
  const srv = kb.spawn('srv');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert.equal(srv.sys.setsockopt(l, SOL_SOCKET, SO_SNDBUF, 30_000), 0);
  srv.sys.bind(l, sockaddrIn(0, 80));
  srv.sys.listen(l, 8);
  const cli = ka.spawn('cli');
  const c = cli.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert.equal(cli.sys.getsockopt(c, SOL_SOCKET, SO_SNDBUF), 4096, 'not set: the configured start');
  cli.sys.connect(c, addrB(80));
  let s = -1;
  assert.ok(sim.runUntil(() => (s = srv.sys.accept(l, null)) >= 0, { maxTime: 5000 }));
  assert.equal(srv.sys.getsockopt(s, SOL_SOCKET, SO_SNDBUF), 60_000, 'the listener\'s setting, doubled as set');
  assert.equal((srv.file(s) as TcpFile).sock.sendBuf.capacity, 30_000);
  // At ESTABLISHED the client's unset buffer was raised to twice the initial window.
  const mss = (cli.file(c) as TcpFile).sock.sendMss;
  assert.equal(cli.sys.getsockopt(c, SOL_SOCKET, SO_SNDBUF), 2 * 10 * mss);
});

test('TCP_INFO: a snapshot of an established connection after a transfer', () => {
  const { ka, kb, sim } = kernelPair();
  const srv = kb.spawn('srv');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  srv.sys.bind(l, sockaddrIn(0, 80));
  srv.sys.listen(l, 8);
  const cli = ka.spawn('cli');
  const c = cli.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const info = newTcpInfo();
  assert.equal(cli.sys.getsockopt(c, IPPROTO_TCP, TCP_INFO, info), 0);
  assert.equal(info.tcpi_state, LINUX_TCP_STATE.TCP_CLOSE);
  cli.sys.connect(c, addrB(80));
  let s = -1;
  assert.ok(sim.runUntil(() => (s = srv.sys.accept(l, null)) >= 0, { maxTime: 5000 }));
  const data = new Uint8Array(3000).fill(7);
  assert.equal(cli.sys.send(c, data, 0, data.length, 0), 3000);
  sim.runFor(500);
  const got = new Uint8Array(4000);
  assert.equal(srv.sys.recv(s, got, 0, got.length, 0), 3000);
  cli.sys.getsockopt(c, IPPROTO_TCP, TCP_INFO, info);
  assert.equal(info.tcpi_state, LINUX_TCP_STATE.TCP_ESTABLISHED);
  assert.equal(info.tcpi_bytes_acked, 3000);
  assert.equal(info.tcpi_unacked, 0);
  assert.ok(info.tcpi_rto >= 200_000, `rto ${info.tcpi_rto} µs`);
  assert.ok(info.tcpi_snd_mss > 0 && info.tcpi_snd_cwnd > 0);
  srv.sys.getsockopt(s, IPPROTO_TCP, TCP_INFO, info);
  assert.equal(info.tcpi_bytes_received, 3000);
  assert.equal(cli.sys.getsockopt(c, IPPROTO_TCP, TCP_INFO, null), -EFAULT);
});

test('UDP options: SO_BROADCAST, SO_REUSEADDR, SO_TYPE', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('p');
  const u = p.sys.socket(AF_INET, SOCK_DGRAM, 0);
  assert.equal(p.sys.getsockopt(u, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  assert.equal(p.sys.setsockopt(u, SOL_SOCKET, SO_BROADCAST, 1), 0);
  assert.equal(p.sys.getsockopt(u, SOL_SOCKET, SO_BROADCAST), 1);
  assert.equal(p.sys.setsockopt(u, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  const v = p.sys.socket(AF_INET, SOCK_DGRAM, 0);
  p.sys.setsockopt(v, SOL_SOCKET, SO_REUSEADDR, 1);
  assert.equal(p.sys.bind(u, sockaddrIn(0, 5353)), 0);
  assert.equal(p.sys.bind(v, sockaddrIn(0, 5353)), 0, 'both set SO_REUSEADDR');
});
