// Counter values after a known scenario, and the /proc/net/snmp and netstat -s formats.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_B, pattern, twoHosts } from './harness.js';
import { newEchoReply } from '../../src/iface/ping.js';
import { newUdpPeerInfo } from '../../src/iface/datagram-queue.js';

test('after 3 pings, 2 UDP echoes and 1 datagram to a closed port, both hosts count exactly', () => {
  const { a, b, sim } = twoHosts({ delay: 1 });
  const server = b.udpSocket().bind(0, 7);
  const buf = new Uint8Array(100);
  const from = newUdpPeerInfo();
  server.setReadableNotify(() => {
    for (let n = server.recvFrom(buf, 0, 100, from); n >= 0; n = server.recvFrom(buf, 0, 100, from)) server.sendTo(buf, 0, n, from.address, from.port, sim.now());
  });
  const ping = a.pingSocket();
  const client = a.udpSocket().bind();
  for (let i = 0; i < 3; i++) ping.sendEcho(IP_B, i, sim.now());
  client.sendTo(pattern(10), 0, 10, IP_B, 7, sim.now());
  client.sendTo(pattern(20), 0, 20, IP_B, 7, sim.now());
  client.sendTo(pattern(30), 0, 30, IP_B, 9, sim.now());
  sim.runFor(100);
  const r = newEchoReply();
  let replies = 0;
  while (ping.recv(r)) replies++;
  assert.equal(replies, 3);
  assert.equal(client.pending, 2);

  const ca = a.counters;
  assert.deepEqual(
    { ...ca.Ip },
    {
      Forwarding: 2, DefaultTTL: 64, InReceives: 6, InHdrErrors: 0, InAddrErrors: 0, ForwDatagrams: 0,
      InUnknownProtos: 0, InDiscards: 0, InDelivers: 6, OutRequests: 6, OutDiscards: 0, OutNoRoutes: 0,
      ReasmTimeout: 0, ReasmReqds: 0, ReasmOKs: 0, ReasmFails: 0, FragOKs: 0, FragFails: 0, FragCreates: 0,
    },
  );
  assert.equal(ca.Icmp.InMsgs, 4);
  assert.equal(ca.Icmp.InEchoReps, 3);
  assert.equal(ca.Icmp.InDestUnreachs, 1);
  assert.equal(ca.Icmp.OutMsgs, 3);
  assert.equal(ca.Icmp.OutEchos, 3);
  assert.deepEqual({ ...ca.Udp }, { InDatagrams: 2, NoPorts: 0, InErrors: 0, OutDatagrams: 3, RcvbufErrors: 0, SndbufErrors: 0, InCsumErrors: 0, IgnoredMulti: 0, MemErrors: 0 });
  assert.equal(ca.Arp.OutRequests, 1);
  assert.equal(ca.Arp.InReplies, 1);
  assert.equal(ca.Arp.UnresolvedDiscards, 0, 'six held frames fit the default queue of 8');

  const cb = b.counters;
  assert.equal(cb.Ip.InReceives, 6);
  assert.equal(cb.Ip.InDelivers, 6);
  assert.equal(cb.Ip.OutRequests, 6);
  assert.equal(cb.Icmp.InMsgs, 3);
  assert.equal(cb.Icmp.InEchos, 3);
  assert.equal(cb.Icmp.OutMsgs, 4);
  assert.equal(cb.Icmp.OutEchoReps, 3);
  assert.equal(cb.Icmp.OutDestUnreachs, 1);
  assert.deepEqual({ ...cb.Udp }, { InDatagrams: 2, NoPorts: 1, InErrors: 0, OutDatagrams: 2, RcvbufErrors: 0, SndbufErrors: 0, InCsumErrors: 0, IgnoredMulti: 0, MemErrors: 0 });
  assert.equal(cb.IcmpMsgIn[8], 3);
  assert.equal(cb.IcmpMsgOut[0], 3);
  assert.equal(cb.IcmpMsgOut[3], 1);

  const snmp = b.formatSnmp().split('\n');
  assert.equal(snmp[0], 'Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates');
  assert.equal(snmp[1], 'Ip: 2 64 6 0 0 0 0 0 6 6 0 0 0 0 0 0 0 0 0');
  assert.match(snmp[2]!, /^Icmp: InMsgs InErrors InCsumErrors InDestUnreachs .* OutEchos OutEchoReps /);
  assert.ok(snmp.includes('IcmpMsg: InType8 OutType0 OutType3'));
  assert.ok(snmp.includes('IcmpMsg: 3 3 1'));
  assert.ok(snmp.includes('Udp: 2 1 0 2 0 0 0 0 0'));

  const ns = b.formatNetstat();
  assert.match(ns, /^Ip:\n {4}Forwarding: 2\n {4}6 total packets received\n/);
  assert.match(ns, /6 incoming packets delivered/);
  assert.match(ns, /ICMP input histogram:\n {8}echo requests: 3\n/);
  assert.match(ns, /ICMP output histogram:\n {8}echo replies: 3\n {8}destination unreachable: 1\n/);
  assert.match(ns, /1 packets to unknown port received/);
});
