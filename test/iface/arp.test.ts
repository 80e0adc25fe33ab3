// ARP on a host: resolution both ways, answering requests, retries and failure, the bounded
// hold queue, and the REACHABLE -> STALE -> DELAY -> PROBE life of an entry.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_A, IP_B, MAC_A, MAC_B, arpFrame, hostWithRawPeer, twoHosts, pattern } from './harness.js';
import { newEchoReply } from '../../src/iface/ping.js';
import { IpErr } from '../../src/iface/errors.js';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH } from '../../src/wire/icmpv4.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';

test('a ping resolves ARP both ways: the requester learns REACHABLE, the responder learns the requester', () => {
  const { a, b, sim } = twoHosts();
  const p = a.pingSocket();
  assert.equal(p.sendEcho(IP_B, 1, sim.now()), IpErr.Ok);
  assert.ok(sim.runUntil(() => p.pending > 0, { maxTime: 1000 }));
  assert.deepEqual(a.lookupNeighbour(IP_B), { mac: MAC_B, state: 'REACHABLE' });
  // b learned a from the request (STALE), then used it for the reply (DELAY), as Linux does.
  assert.deepEqual(b.lookupNeighbour(IP_A), { mac: MAC_A, state: 'DELAY' });
  assert.equal(a.counters.Arp.OutRequests, 1);
  assert.equal(a.counters.Arp.InReplies, 1);
  assert.equal(b.counters.Arp.InRequests, 1);
  assert.equal(b.counters.Arp.OutReplies, 1);

  // b -> a needs no request of its own.
  const q = b.pingSocket();
  assert.equal(q.sendEcho(IP_A, 1, sim.now()), IpErr.Ok);
  assert.ok(sim.runUntil(() => q.pending > 0, { maxTime: 1000 }));
  assert.equal(b.counters.Arp.OutRequests, 0);
  assert.match(a.formatNeighbours(), /^192\.0\.2\.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE\n$/);
});

test('a request for our address is answered; one for another address is not', () => {
  const { host, peer, sim } = hostWithRawPeer();
  peer.inject(arpFrame({ reply: false, senderMac: MAC_B, senderIp: IP_B, targetIp: IP_A }));
  sim.runFor(1);
  const replies = peer.take();
  assert.equal(replies.length, 1);
  assert.match(replies[0]!, /^02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype ARP .*Reply 192\.0\.2\.1 is-at 02:00:00:00:00:01/);
  assert.deepEqual(host.lookupNeighbour(IP_B), { mac: MAC_B, state: 'STALE' });

  peer.inject(arpFrame({ reply: false, senderMac: 0x020000000003, senderIp: parseIpv4('192.0.2.3'), targetIp: parseIpv4('192.0.2.77') }));
  sim.runFor(1);
  assert.deepEqual(peer.take(), []);
  assert.equal(host.lookupNeighbour('192.0.2.3'), null, 'a request not for us teaches nothing new');
  assert.equal(host.counters.Arp.InRequests, 2);
  assert.equal(host.counters.Arp.OutReplies, 1);
});

test('an unanswered neighbour gets 3 requests 1 s apart, then its held packets fail as host unreachable', () => {
  const { host, peer, sim } = hostWithRawPeer();
  const s = host.udpSocket();
  s.connect('192.0.2.9', 7);
  const ping = host.pingSocket();
  assert.equal(s.send(pattern(10), 0, 10, sim.now()), IpErr.Ok, 'the send is accepted while ARP resolves');
  assert.equal(ping.sendEcho('192.0.2.9', 5, sim.now()), IpErr.Ok);
  sim.runFor(10_000);
  const frames = peer.take();
  assert.equal(frames.length, 3);
  for (const f of frames) assert.match(f, /> ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 192\.0\.2\.9 tell 192\.0\.2\.1/);
  const buf = new Uint8Array(64);
  assert.equal(s.recvFrom(buf, 0, 64), -IpErr.HostUnreach, 'the connected socket hears EHOSTUNREACH once');
  assert.equal(s.recvFrom(buf, 0, 64), -IpErr.WouldBlock);
  const r = newEchoReply();
  assert.ok(ping.recv(r));
  assert.equal(r.msgType, ICMP_DEST_UNREACH);
  assert.equal(r.msgCode, ICMP_HOST_UNREACH);
  assert.equal(r.local, true);
  assert.equal(r.seq, 5);
  assert.equal(r.errCode, IpErr.HostUnreach);
  const c = host.counters.Arp;
  assert.equal(c.OutRequests, 3);
  assert.equal(c.ResFailed, 1);
  assert.equal(c.UnresolvedDiscards, 2);
  assert.deepEqual(host.neighbours(), []);
});

test('requests go out at 0, 1000 and 2000 ms and the failure comes at 3000 ms', () => {
  const { host, peer, sim } = hostWithRawPeer();
  const s = host.udpSocket({ recvErrors: true });
  let failedAt = -1;
  s.setReadableNotify(() => {
    if (failedAt < 0) failedAt = sim.now();
  });
  s.sendTo(pattern(4), 0, 4, '192.0.2.9', 7, sim.now());
  sim.runFor(10_000);
  assert.deepEqual(peer.times, [0, 1000, 2000]);
  assert.equal(failedAt, 3000);
  assert.equal(s.takeError(), IpErr.HostUnreach, 'IP_RECVERR reports it on an unconnected socket');
});

test('the hold queue keeps the newest queueLen frames per neighbour and sends them, in order, once resolved', () => {
  const { host, peer, sim } = hostWithRawPeer({ arp: { queueLen: 3 } });
  const s = host.udpSocket();
  s.bind(0, 5000);
  for (let i = 0; i < 5; i++) assert.equal(s.sendTo(pattern(8, i), 0, 8, IP_B, 9, sim.now()), IpErr.Ok);
  sim.runFor(1);
  assert.equal(peer.take().length, 1, 'one ARP request for five datagrams');
  assert.equal(host.counters.Arp.UnresolvedDiscards, 2);
  peer.inject(arpFrame({ reply: true, senderMac: MAC_B, senderIp: IP_B, targetMac: MAC_A, targetIp: IP_A }));
  sim.runFor(1);
  const sent = peer.frames.map((f) => f[14 + 20 + 8]!);
  assert.deepEqual(sent, [2, 3, 4], 'the two oldest were dropped');
  assert.ok(peer.frames.every((f) => f[0] === 0x02 && f[5] === 0x02), 'destination MAC patched in');
  assert.equal(host.counters.Udp.OutDatagrams, 5);
});

test('REACHABLE turns STALE after 30 s; use starts DELAY, then a unicast probe confirms it again', () => {
  const { a, b, sim } = twoHosts();
  const p = a.pingSocket();
  p.sendEcho(IP_B, 1, sim.now());
  assert.ok(sim.runUntil(() => p.pending > 0));
  const t0 = sim.now();
  sim.runFor(29_999 - (sim.now() - t0));
  assert.equal(a.lookupNeighbour(IP_B)?.state, 'REACHABLE');
  sim.runFor(2);
  assert.equal(a.lookupNeighbour(IP_B)?.state, 'STALE');
  const requestsBefore = b.counters.Arp.InRequests;
  p.sendEcho(IP_B, 2, sim.now());
  assert.equal(a.lookupNeighbour(IP_B)?.state, 'DELAY', 'the stale entry still carries the packet');
  sim.runFor(1);
  assert.equal(p.pending, 2, 'the reply came without waiting for ARP');
  sim.runFor(5_000);
  assert.equal(b.counters.Arp.InRequests, requestsBefore + 1, 'one unicast probe');
  assert.equal(a.lookupNeighbour(IP_B)?.state, 'REACHABLE');
});

test('a neighbour that stops answering is probed 3 times by unicast and then forgotten', () => {
  const { host, peer, sim } = hostWithRawPeer({ arp: { reachableMs: 10_000 } });
  peer.arpAnswers.set(IP_B, MAC_B);
  const ping = host.pingSocket();
  ping.sendEcho(IP_B, 1, sim.now());
  sim.runFor(1);
  assert.equal(host.lookupNeighbour(IP_B)?.state, 'REACHABLE');
  peer.arpAnswers.clear();
  peer.take();
  sim.runFor(10_000);
  ping.sendEcho(IP_B, 2, sim.now());
  sim.runFor(20_000);
  const arp = peer.take().filter((f) => f.includes('ARP'));
  assert.equal(arp.length, 3);
  for (const f of arp) assert.match(f, /^02:00:00:00:00:01 > 02:00:00:00:00:02, .*Request who-has 192\.0\.2\.2/);
  assert.equal(host.lookupNeighbour(IP_B), null);
  assert.equal(host.counters.Arp.ResFailed, 1);
});

test('an unused STALE entry is removed after gcStaleMs', () => {
  const { host, peer, sim } = hostWithRawPeer({ arp: { gcStaleMs: 60_000 } });
  peer.inject(arpFrame({ reply: false, senderMac: MAC_B, senderIp: IP_B, targetIp: IP_A }));
  sim.runFor(59_000);
  assert.equal(host.lookupNeighbour(IP_B)?.state, 'STALE');
  sim.runFor(2_000);
  assert.equal(host.lookupNeighbour(IP_B), null);
  assert.equal(host.counters.Arp.Destroys, 1);
  assert.equal(host.pollAt(), Infinity, 'nothing left to time');
});

test('ARP from a sender claiming one of our addresses, or a malformed packet, changes nothing', () => {
  const { host, peer, sim } = hostWithRawPeer();
  peer.inject(arpFrame({ reply: true, senderMac: MAC_B, senderIp: IP_A, targetIp: IP_A }));
  const runt = arpFrame({ reply: false, senderMac: MAC_B, senderIp: IP_B, targetIp: IP_A }).slice(0, 30);
  peer.inject(runt);
  sim.runFor(1);
  assert.deepEqual(host.neighbours(), []);
  assert.equal(host.counters.Arp.InErrors, 1);
  assert.deepEqual(peer.take(), []);
});
