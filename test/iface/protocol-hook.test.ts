// The transport hook: without a handler TCP is counted and dropped (no ICMP), other unknown
// protocols draw ICMP protocol unreachable; a registered handler receives its datagrams,
// answers through host.ip (begin/commit), runs timers through poll/pollAt, and hears ICMP
// errors about what it sent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_A, IP_B, MAC_B, hostWithRawPeer, ipFrame, pattern, twoHosts } from './harness.js';
import type { ProtocolHandler, IcmpErrorInfo } from '../../src/iface/protocol.js';
import { IpErr } from '../../src/iface/errors.js';
import { IPPROTO_TCP, type Ipv4Repr } from '../../src/wire/ipv4.js';
import { ICMP_DEST_UNREACH, ICMP_PROT_UNREACH } from '../../src/wire/icmpv4.js';
import type { Millis } from '../../src/time.js';

test('without a handler, TCP is counted in InUnknownProtos and dropped silently', () => {
  const { host, peer, sim } = hostWithRawPeer();
  peer.arpAnswers.set(IP_B, MAC_B);
  peer.inject(ipFrame(pattern(20), { protocol: IPPROTO_TCP }));
  sim.runFor(1);
  assert.equal(host.counters.Ip.InUnknownProtos, 1);
  assert.equal(host.counters.Ip.InDelivers, 0);
  assert.deepEqual(peer.take(), []);
});

test('an unknown protocol draws ICMP protocol unreachable quoting the datagram', () => {
  const { host, peer, sim } = hostWithRawPeer();
  peer.arpAnswers.set(IP_B, MAC_B);
  peer.inject(ipFrame(pattern(20), { protocol: 99 }));
  sim.runFor(1);
  assert.equal(host.counters.Ip.InUnknownProtos, 1);
  assert.equal(host.counters.Icmp.OutDestUnreachs, 1);
  const icmp = peer.frames.find((f) => f[12] === 0x08 && f[13] === 0x00)!;
  assert.equal(icmp[14 + 9], 1, 'ICMP');
  assert.equal(icmp[14 + 20], ICMP_DEST_UNREACH);
  assert.equal(icmp[14 + 20 + 1], ICMP_PROT_UNREACH);
  assert.equal(icmp[14 + 28 + 9], 99, 'the quoted header names protocol 99');
  assert.equal(icmp.length, 14 + 20 + 8 + 20 + 20, 'the whole small datagram is quoted');
});

/** A toy protocol on number 253: echoes every datagram back, and has one timer. */
class EchoProto implements ProtocolHandler {
  received: number[] = [];
  errors: IcmpErrorInfo[] = [];
  timerAt: Millis = Infinity;
  fired = 0;
  constructor(private readonly host: import('../../src/iface/host.js').Host) {}
  input(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, now: Millis): void {
    this.received.push(ip.payloadLength);
    const out = this.host.ip;
    const at = out.begin(ip.srcAddr, 253, ip.payloadLength, ip.dstAddr, now);
    if (at < 0) return;
    for (let i = 0; i < ip.payloadLength; i++) out.bytes[at + i] = bytes[ip.payloadOffset + i]! ^ 0xff;
    out.commit(now);
  }
  icmpError(info: Readonly<IcmpErrorInfo>): void {
    this.errors.push({ ...info });
  }
  poll(now: Millis): number {
    if (now < this.timerAt) return 0;
    this.timerAt = Infinity;
    this.fired++;
    return 1;
  }
  pollAt(): Millis {
    return this.timerAt;
  }
}

test('a registered handler gets its datagrams, replies through host.ip, and runs its timers', () => {
  const { a, b, sim } = twoHosts();
  const hb = new EchoProto(b);
  b.setProtocolHandler(253, hb);
  assert.throws(() => b.setProtocolHandler(253, hb), { code: 'EEXIST' });
  assert.throws(() => b.setProtocolHandler(17, hb), { code: 'EINVAL' });
  const replies: number[] = [];
  a.setProtocolHandler(253, {
    input(ip) {
      replies.push(ip.payloadLength);
    },
  });
  assert.equal(a.ip.sendDatagram(IP_B, 253, pattern(33), 0, 33, 0, sim.now()), IpErr.Ok);
  assert.equal(a.ip.srcAddr, IP_A);
  sim.runFor(10);
  assert.deepEqual(hb.received, [33]);
  assert.deepEqual(replies, [33]);
  assert.equal(b.counters.Ip.InDelivers, 1);

  hb.timerAt = sim.now() + 500;
  const t0 = sim.now();
  assert.ok(sim.runUntil(() => hb.fired === 1, { maxTime: 1000 }));
  assert.equal(sim.now() - t0, 500, 'the sim jumped straight to the handler deadline');

  b.setProtocolHandler(253, null);
  a.ip.sendDatagram(IP_B, 253, pattern(5), 0, 5, 0, sim.now());
  sim.runFor(10);
  assert.equal(b.counters.Ip.InUnknownProtos, 1);
});

test('ICMP errors about a handler protocol reach its icmpError', () => {
  const { a, b, sim } = twoHosts();
  const ha = new EchoProto(a);
  a.setProtocolHandler(252, ha);
  a.ip.sendDatagram(IP_B, 252, pattern(12), 0, 12, 0, sim.now());
  sim.runFor(10);
  assert.equal(b.counters.Icmp.OutDestUnreachs, 1);
  assert.equal(ha.errors.length, 1);
  const e = ha.errors[0]!;
  assert.equal(e.msgType, ICMP_DEST_UNREACH);
  assert.equal(e.msgCode, ICMP_PROT_UNREACH);
  assert.equal(e.errCode, IpErr.ConnRefused);
  assert.equal(e.reporter, IP_B);
  assert.equal(e.srcAddr, IP_A);
  assert.equal(e.dstAddr, IP_B);
  assert.equal(e.protocol, 252);
  assert.equal(e.local, false);
});

test('begin/commit misuse throws; a failed begin leaves the sender ready', () => {
  const { a, sim } = twoHosts();
  assert.equal(a.ip.begin(0xc6336401, 253, 10, 0, sim.now()), -IpErr.NoRoute);
  assert.equal(a.ip.begin(IP_B, 253, 1481, 0, sim.now()), -IpErr.MsgSize);
  assert.ok(a.ip.begin(IP_B, 253, 10, 0, sim.now()) >= 0);
  assert.throws(() => a.ip.begin(IP_B, 253, 10, 0, sim.now()), { code: 'NETCH_ERR_OUTPUT_BUSY' });
  a.ip.commit(sim.now());
  assert.throws(() => a.ip.commit(sim.now()), { code: 'NETCH_ERR_OUTPUT_IDLE' });
});
