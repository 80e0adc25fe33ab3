// UDP through hosts: echo, port unreachable and what sockets hear of it, binding rules,
// ephemeral ports, the bounded receive queue, truncation, broadcast.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_A, IP_B, hostWithRawPeer, ipFrame, pattern, twoHosts, udpDatagram } from './harness.js';
import { newUdpPeerInfo } from '../../src/iface/datagram-queue.js';
import { IpErr } from '../../src/iface/errors.js';
import type { UdpSocket } from '../../src/iface/udp-socket.js';
import { MAC_BROADCAST } from '../../src/wire/ethernet.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';

/** Make `s` send every datagram it receives back to its sender. */
function echoServer(s: UdpSocket, clock: { now(): number }): void {
  const buf = new Uint8Array(65536);
  const from = newUdpPeerInfo();
  s.setReadableNotify(() => {
    for (let n = s.recvFrom(buf, 0, buf.length, from); n >= 0; n = s.recvFrom(buf, 0, buf.length, from)) {
      s.sendTo(buf, 0, n, from.address, from.port, clock.now());
    }
  });
}

test('UDP echo: datagrams of many sizes come back intact, with the right source', () => {
  const { a, b, sim } = twoHosts({ delay: 1 });
  const server = b.udpSocket().bind('192.0.2.2', 7);
  echoServer(server, sim);
  const client = a.udpSocket().bind();
  assert.ok(client.localPort >= 32768 && client.localPort <= 60999, `ephemeral port ${client.localPort}`);
  const sizes = [0, 1, 7, 100, 1000, 1472];
  for (const [i, n] of sizes.entries()) assert.equal(client.sendTo(pattern(n, i), 0, n, IP_B, 7, sim.now()), IpErr.Ok);
  assert.ok(sim.runUntil(() => client.pending === sizes.length, { maxTime: 1000 }));
  const buf = new Uint8Array(2000);
  const from = newUdpPeerInfo();
  for (const [i, n] of sizes.entries()) {
    assert.equal(client.recvFrom(buf, 0, buf.length, from), n);
    assert.deepEqual(buf.subarray(0, n), pattern(n, i));
    assert.equal(from.address, IP_B);
    assert.equal(from.port, 7);
    assert.equal(from.localAddress, IP_A);
    assert.equal(from.truncated, false);
  }
  assert.equal(client.recvFrom(buf, 0, buf.length, from), -IpErr.WouldBlock);
  assert.equal(b.counters.Udp.InDatagrams, 6);
  assert.equal(b.counters.Udp.OutDatagrams, 6);
  assert.equal(a.counters.Udp.InDatagrams, 6);
});

test('a datagram to a closed port draws ICMP port unreachable; a connected socket hears ECONNREFUSED', () => {
  const { a, b, sim } = twoHosts();
  const conn = a.udpSocket();
  conn.connect(IP_B, 9);
  const loose = a.udpSocket().bind();
  assert.equal(conn.send(pattern(5), 0, 5, sim.now()), IpErr.Ok);
  assert.equal(loose.sendTo(pattern(5), 0, 5, IP_B, 9, sim.now()), IpErr.Ok);
  sim.runFor(100);
  assert.equal(b.counters.Udp.NoPorts, 2);
  assert.equal(b.counters.Icmp.OutDestUnreachs, 2);
  assert.equal(b.counters.IcmpMsgOut[3], 2);
  assert.equal(a.counters.Icmp.InDestUnreachs, 2);
  const buf = new Uint8Array(16);
  assert.equal(conn.recvFrom(buf, 0, 16), -IpErr.ConnRefused);
  assert.equal(conn.recvFrom(buf, 0, 16), -IpErr.WouldBlock, 'reported once');
  assert.equal(loose.recvFrom(buf, 0, 16), -IpErr.WouldBlock, 'an unconnected socket is not told (no IP_RECVERR)');
  // The next send of the connected socket reports a pending error instead of sending.
  conn.send(pattern(5), 0, 5, sim.now());
  sim.runFor(100);
  assert.equal(conn.send(pattern(5), 0, 5, sim.now()), IpErr.ConnRefused);
});

test('ICMP errors are rate limited by a token bucket', () => {
  const { a, b, sim } = twoHosts({ b: { icmpBurst: 3, icmpRatePerSec: 1 } });
  const s = a.udpSocket().bind();
  for (let i = 0; i < 5; i++) s.sendTo(pattern(1), 0, 1, IP_B, 9, sim.now());
  sim.runFor(10);
  assert.equal(b.counters.Udp.NoPorts, 5);
  assert.equal(b.counters.Icmp.OutDestUnreachs, 3);
  assert.equal(b.counters.Icmp.OutRateLimitGlobal, 2);
  sim.runFor(1000);
  s.sendTo(pattern(1), 0, 1, IP_B, 9, sim.now());
  sim.runFor(10);
  assert.equal(b.counters.Icmp.OutDestUnreachs, 4, 'a token came back after 1 s');
});

test('binding: EADDRINUSE, EADDRNOTAVAIL, EINVAL, SO_REUSEADDR, and ports freed by close', () => {
  const { a } = twoHosts();
  const s1 = a.udpSocket().bind(0, 5353);
  assert.throws(() => a.udpSocket().bind(0, 5353), { code: 'EADDRINUSE', syscall: 'bind', port: 5353 });
  assert.throws(() => a.udpSocket().bind('192.0.2.1', 5353), { code: 'EADDRINUSE' });
  assert.throws(() => a.udpSocket().bind('192.0.2.99', 5354), { code: 'EADDRNOTAVAIL' });
  assert.throws(() => a.udpSocket().bind(0, 70000), { code: 'EINVAL' });
  assert.throws(() => a.udpSocket().bind('1.2.3', 1), { code: 'EINVAL' });
  assert.throws(() => s1.bind(0, 1), { code: 'EINVAL' }, 'already bound');
  const r1 = a.udpSocket({ reuseAddr: true }).bind(0, 6000);
  const r2 = a.udpSocket({ reuseAddr: true }).bind(0, 6000);
  assert.equal(r1.localPort, r2.localPort);
  s1.close();
  assert.equal(a.udpSocket().bind(0, 5353).localPort, 5353);
  assert.throws(() => s1.sendTo(pattern(1), 0, 1, IP_B, 1, 0), { code: 'EBADF' });
  const e = (() => {
    try {
      a.udpSocket().bind(0, 6000);
    } catch (err) {
      return err as { errno?: number; address?: string };
    }
    return {};
  })();
  assert.equal(e.errno, -98);
  assert.equal(e.address, '0.0.0.0');
});

test('ephemeral ports come from the configured range and run out with EADDRINUSE', () => {
  const { a } = twoHosts({ a: { ephemeralPorts: [40000, 40002] } });
  const ports = [a.udpSocket().bind(), a.udpSocket().bind(), a.udpSocket().bind()].map((s) => s.localPort);
  assert.deepEqual(ports.sort(), [40000, 40001, 40002]);
  assert.throws(() => a.udpSocket().bind(), { code: 'EADDRINUSE' });
  assert.equal(a.udpSocket().sendTo(pattern(1), 0, 1, IP_B, 9, 0), IpErr.AddrNotAvail);
});

test('a full receive queue drops and counts RcvbufErrors; recvFrom truncates long datagrams', () => {
  const { a, b, sim } = twoHosts();
  const server = b.udpSocket({ recvQueueLen: 4, recvBufferSize: 1 << 16 }).bind(0, 7);
  const client = a.udpSocket().bind();
  for (let i = 0; i < 6; i++) client.sendTo(pattern(100, i), 0, 100, IP_B, 7, sim.now());
  sim.runFor(10);
  assert.equal(server.pending, 4);
  assert.equal(server.drops, 2);
  assert.equal(b.counters.Udp.RcvbufErrors, 2);
  assert.equal(b.counters.Udp.InErrors, 2);
  assert.equal(b.counters.Udp.InDatagrams, 4);
  const small = new Uint8Array(10);
  const from = newUdpPeerInfo();
  assert.equal(server.recvFrom(small, 0, 10, from), 10);
  assert.equal(from.size, 100);
  assert.equal(from.truncated, true);
  assert.deepEqual(small, pattern(10, 0));
});

test('a byte-limited receive queue refuses what does not fit and takes more once read', () => {
  const { a, b, sim } = twoHosts();
  const server = b.udpSocket({ recvBufferSize: 1000 }).bind(0, 7);
  const client = a.udpSocket().bind();
  for (let i = 0; i < 4; i++) client.sendTo(pattern(400, i), 0, 400, IP_B, 7, sim.now());
  sim.runFor(10);
  assert.equal(server.pending, 2);
  const buf = new Uint8Array(400);
  assert.equal(server.recvFrom(buf, 0, 400), 400);
  client.sendTo(pattern(400, 9), 0, 400, IP_B, 7, sim.now());
  sim.runFor(10);
  assert.equal(server.pending, 2, 'the wrapped ring found room');
  assert.equal(server.recvFrom(buf, 0, 400), 400);
  assert.deepEqual(buf, pattern(400, 1));
  assert.equal(server.recvFrom(buf, 0, 400), 400);
  assert.deepEqual(buf, pattern(400, 9));
});

test('broadcast: sending needs SO_BROADCAST; a broadcast reaches every wildcard socket and draws no ICMP', () => {
  const { host, peer, sim } = hostWithRawPeer();
  const s = host.udpSocket().bind();
  assert.equal(s.sendTo(pattern(4), 0, 4, '192.0.2.255', 9, 0), IpErr.Access);
  s.setBroadcast(true);
  assert.equal(s.sendTo(pattern(4), 0, 4, '192.0.2.255', 9, 0), IpErr.Ok);
  assert.equal(s.sendTo(pattern(4), 0, 4, '255.255.255.255', 9, 0), IpErr.Ok);
  sim.runFor(1);
  const out = peer.take();
  assert.equal(out.length, 2);
  for (const f of out) assert.match(f, /> ff:ff:ff:ff:ff:ff, ethertype IPv4/);
  assert.equal(host.counters.IpExt.OutBcastPkts, 2);

  const r1 = host.udpSocket({ reuseAddr: true }).bind(0, 67);
  const r2 = host.udpSocket({ reuseAddr: true }).bind(0, 67);
  const bcast = parseIpv4('192.0.2.255');
  peer.inject(ipFrame(udpDatagram(pattern(3), 68, 67, IP_B, bcast), { dst: bcast, dstMac: MAC_BROADCAST }));
  peer.inject(ipFrame(udpDatagram(pattern(3), 68, 99, IP_B, bcast), { dst: bcast, dstMac: MAC_BROADCAST }));
  sim.runFor(1);
  assert.equal(r1.pending, 1);
  assert.equal(r2.pending, 1);
  assert.equal(host.counters.Udp.IgnoredMulti, 1);
  assert.equal(host.counters.Udp.NoPorts, 0);
  assert.deepEqual(peer.take(), [], 'no ICMP about a broadcast');
});

test('a connected socket receives only from its peer; the most specific socket wins', () => {
  const { host, peer, sim } = hostWithRawPeer();
  const wild = host.udpSocket().bind(0, 53);
  const conn = host.udpSocket({ reuseAddr: true });
  // Different addresses may share a port without SO_REUSEADDR; use a specific bind.
  const spec = host.udpSocket().bind('192.0.2.1', 54);
  conn.bind(0, 55);
  conn.connect(IP_B, 1000);
  peer.inject(ipFrame(udpDatagram(pattern(1), 1000, 53)));
  peer.inject(ipFrame(udpDatagram(pattern(1), 1000, 54)));
  peer.inject(ipFrame(udpDatagram(pattern(1), 1001, 55)));
  peer.inject(ipFrame(udpDatagram(pattern(1), 1000, 55)));
  sim.runFor(1);
  assert.equal(wild.pending, 1);
  assert.equal(spec.pending, 1);
  assert.equal(conn.pending, 1, 'the datagram from port 1001 went nowhere');
  assert.equal(host.counters.Udp.NoPorts, 1);
});

test('bad arguments throw EINVAL with a stable code', () => {
  const { a } = twoHosts();
  const s = a.udpSocket();
  const b = new Uint8Array(10);
  assert.throws(() => s.sendTo(b, 5, 10, IP_B, 9, 0), { code: 'EINVAL' });
  assert.throws(() => s.sendTo(b, -1, 1, IP_B, 9, 0), { code: 'EINVAL' });
  assert.throws(() => s.sendTo(b, 0, 1, IP_B, 0, 0), { code: 'EINVAL' });
  assert.throws(() => s.sendTo(b, 0, 1, '300.1.1.1', 9, 0), { code: 'EINVAL' });
  assert.throws(() => s.recvFrom(b, 0, 11), { code: 'EINVAL' });
  assert.equal(s.send(b, 0, 1, 0), IpErr.DestAddrReq);
  assert.equal(s.sendTo(new Uint8Array(1500), 0, 1473, IP_B, 9, 0), IpErr.MsgSize, 'larger than the MTU, never fragmented');
});
