// ICMP echo through a host: RTT on a virtual clock, replies to our own address, echo data
// returned intact, broadcast pings ignored, unreachable destinations.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_A, IP_B, hostWithRawPeer, icmpMessage, ipFrame, pattern, twoHosts } from './harness.js';
import { newEchoReply } from '../../src/iface/ping.js';
import { IpErr } from '../../src/iface/errors.js';
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST } from '../../src/wire/icmpv4.js';
import { IPPROTO_ICMP, parseIpv4 } from '../../src/wire/ipv4.js';
import { MAC_BROADCAST } from '../../src/wire/ethernet.js';

test('ten pings 1 s apart over a 5 ms link each measure an RTT of 10 ms', () => {
  const { a, b, sim } = twoHosts({ delay: 5 });
  const p = a.pingSocket();
  const rtts: number[] = [];
  const r = newEchoReply();
  for (let seq = 1; seq <= 10; seq++) {
    sim.at((seq - 1) * 1000, (now) => assert.equal(p.sendEcho(IP_B, seq, now), IpErr.Ok));
  }
  p.setReadableNotify(() => {
    while (p.recv(r)) {
      assert.equal(r.msgType, ICMP_ECHO_REPLY);
      assert.equal(r.from, IP_B);
      assert.equal(r.ttl, 64);
      assert.equal(r.dataLength, 56);
      rtts.push(r.rtt);
    }
  });
  assert.ok(sim.runUntil(() => rtts.length === 10, { maxTime: 20_000 }));
  // The first one waited for ARP (two more one-way trips).
  assert.deepEqual(rtts, [20, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
  assert.equal(b.counters.Icmp.InEchos, 10);
  assert.equal(b.counters.Icmp.OutEchoReps, 10);
  assert.equal(a.counters.Icmp.OutEchos, 10);
  assert.equal(a.counters.Icmp.InEchoReps, 10);
});

test('the reply carries the request data back intact', () => {
  const { a, sim } = twoHosts();
  const p = a.pingSocket();
  const data = pattern(1000, 7);
  assert.equal(p.sendEcho(IP_B, 3, sim.now(), 0, data), IpErr.Ok);
  assert.ok(sim.runUntil(() => p.pending > 0));
  const r = newEchoReply();
  const got = new Uint8Array(1000);
  assert.ok(p.recv(r, got));
  assert.equal(r.dataLength, 1000);
  assert.deepEqual(got, data);
});

test('a host answers pings to its own address and to 127.0.0.1 through loopback', () => {
  const { a, sim } = twoHosts();
  const p = a.pingSocket();
  assert.equal(p.sendEcho(IP_A, 1, sim.now()), IpErr.Ok);
  assert.equal(p.sendEcho('127.0.0.1', 2, sim.now()), IpErr.Ok);
  assert.ok(sim.runUntil(() => p.pending === 2, { maxTime: 10 }));
  const r = newEchoReply();
  assert.ok(p.recv(r));
  assert.equal(r.from, IP_A);
  assert.ok(p.recv(r));
  assert.equal(r.from, parseIpv4('127.0.0.1'));
  assert.equal(a.counters.Arp.OutRequests, 0, 'no ARP for our own address');
  assert.equal(a.counters.Icmp.InEchos, 2);
});

test('a ping without a route fails at once with NoRoute; one to a broadcast needs permission', () => {
  const { a } = twoHosts();
  const p = a.pingSocket();
  assert.equal(p.sendEcho('198.51.100.1', 1, 0), IpErr.NoRoute);
  assert.equal(a.counters.Ip.OutNoRoutes, 1);
  assert.equal(p.sendEcho('192.0.2.255', 1, 0), IpErr.Access);
  assert.throws(() => p.sendEcho('not an address', 1, 0), { code: 'EINVAL' });
  assert.throws(() => p.sendEcho(IP_B, 70000, 0), { code: 'EINVAL' });
  p.close();
  assert.throws(() => p.sendEcho(IP_B, 1, 0), { code: 'EBADF' });
});

test('echo requests to a broadcast address are counted and ignored', () => {
  const { host, peer, sim } = hostWithRawPeer();
  const req = icmpMessage(ICMP_ECHO_REQUEST, 0, pattern(16), 9, 1);
  peer.inject(ipFrame(req, { protocol: IPPROTO_ICMP, dst: parseIpv4('192.0.2.255'), dstMac: MAC_BROADCAST }));
  peer.inject(ipFrame(req, { protocol: IPPROTO_ICMP, dst: 0xffffffff, dstMac: MAC_BROADCAST }));
  sim.runFor(1);
  assert.equal(host.counters.Icmp.InEchos, 2);
  assert.equal(host.counters.Icmp.OutEchoReps, 0);
  assert.equal(host.counters.IpExt.InBcastPkts, 2);
  assert.deepEqual(peer.take().filter((f) => f.includes('ICMP')), []);
});

test('ping sockets own distinct identifiers', () => {
  const { a } = twoHosts();
  const p1 = a.pingSocket({ id: 77 });
  assert.equal(p1.id, 77);
  assert.throws(() => a.pingSocket({ id: 77 }), { code: 'EADDRINUSE' });
  const p2 = a.pingSocket();
  assert.notEqual(p2.id, 77);
  p1.close();
  assert.equal(a.pingSocket({ id: 77 }).id, 77);
});
