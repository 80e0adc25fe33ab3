// Filter hooks on the receive path: every match kind and its inversion, the three verdicts
// (REJECT's RST and ICMP checked with our wire parsers), counters, policies, rule order,
// the empty-chain fast path, and bad arguments with their stable codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_A, IP_B, MAC_B, hostWithRawPeer, ipFrame, pattern, udpDatagram } from './harness.js';
import { decodeSent, tcpFrame } from './filter-harness.js';
import type { FilterChainName, FilterRuleSpec } from '../../src/iface/filter.js';
import type { HostOptions } from '../../src/iface/config.js';
import { parseIpv4, IPPROTO_UDP } from '../../src/wire/ipv4.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/wire/tcp.js';
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH } from '../../src/wire/icmpv4.js';

const IP_C = parseIpv4('198.51.100.7');

/** A host with a raw peer that answers ARP for 192.0.2.2; a UDP socket bound to port 53. */
function rig(opts: HostOptions = {}) {
  const r = hostWithRawPeer(opts);
  r.peer.arpAnswers.set(IP_B, MAC_B);
  r.host.addRoute('198.51.100.0/24', { via: '192.0.2.2' });
  const udp = r.host.udpSocket().bind('0.0.0.0', 53);
  return { ...r, udp };
}

/** Return how many packets a rule in `chain` matched after `frame` arrived. */
function hits(spec: Omit<FilterRuleSpec, 'verdict'>, frame: Uint8Array, chain: FilterChainName = 'INPUT'): number {
  const { host, peer, sim } = rig();
  host.filter.append(chain, { ...spec, verdict: 'ACCEPT' });
  peer.inject(frame);
  sim.runFor(1);
  return host.filter.list(chain)[0]!.rules[0]!.packets;
}

const udp53 = (): Uint8Array => ipFrame(udpDatagram(pattern(10), 1234, 53), { protocol: IPPROTO_UDP });

test('address matches: prefix, exact, inverted', () => {
  assert.equal(hits({ src: '192.0.2.0/24' }, udp53()), 1);
  assert.equal(hits({ src: '192.0.2.2' }, udp53()), 1);
  assert.equal(hits({ src: '192.0.2.3' }, udp53()), 0);
  assert.equal(hits({ src: '192.0.2.77/24' }, udp53()), 1, 'host bits are masked off');
  assert.equal(hits({ src: '10.0.0.0/8' }, udp53()), 0);
  assert.equal(hits({ src: '10.0.0.0/8', not: { src: true } }, udp53()), 1);
  assert.equal(hits({ src: '192.0.2.0/24', not: { src: true } }, udp53()), 0);
  assert.equal(hits({ src: '0.0.0.0/0' }, udp53()), 1);
  assert.equal(hits({ dst: IP_A }, udp53()), 1, 'a u32 address');
  assert.equal(hits({ dst: '192.0.2.128/25' }, udp53()), 0);
  assert.equal(hits({ dst: '192.0.2.128/25', not: { dst: true } }, udp53()), 1);
  assert.equal(hits({ src: '0.0.0.0/0' }, udp53(), 'PREROUTING'), 1);
});

test('protocol matches: name, number, any, inverted', () => {
  assert.equal(hits({ proto: 'udp' }, udp53()), 1);
  assert.equal(hits({ proto: 17 }, udp53()), 1);
  assert.equal(hits({ proto: 'tcp' }, udp53()), 0);
  assert.equal(hits({ proto: 'tcp', not: { proto: true } }, udp53()), 1);
  assert.equal(hits({ proto: 'any' }, udp53()), 1);
  assert.equal(hits({ proto: 'tcp' }, tcpFrame()), 1);
  assert.equal(hits({ proto: 'icmp' }, tcpFrame()), 0);
});

test('port matches: single, range, open range, inverted, source and destination', () => {
  assert.equal(hits({ proto: 'udp', dport: 53 }, udp53()), 1);
  assert.equal(hits({ proto: 'udp', dport: 54 }, udp53()), 0);
  assert.equal(hits({ proto: 'udp', dport: [50, 60] }, udp53()), 1);
  assert.equal(hits({ proto: 'udp', dport: '54:60' }, udp53()), 0);
  assert.equal(hits({ proto: 'udp', dport: ':53' }, udp53()), 1);
  assert.equal(hits({ proto: 'udp', dport: '54:' }, udp53()), 0);
  assert.equal(hits({ proto: 'udp', dport: 53, not: { dport: true } }, udp53()), 0);
  assert.equal(hits({ proto: 'udp', dport: 80, not: { dport: true } }, udp53()), 1);
  assert.equal(hits({ proto: 'udp', sport: 1234 }, udp53()), 1);
  assert.equal(hits({ proto: 'udp', sport: '1000:1233' }, udp53()), 0);
  assert.equal(hits({ proto: 'tcp', dport: 80, sport: 40000 }, tcpFrame({ dport: 80, sport: 40000 })), 1);
  assert.equal(hits({ proto: 'tcp', dport: 53 }, udp53()), 0, 'a TCP port rule does not match UDP');
});

test('TCP flags: mask/compare like --tcp-flags SYN,ACK,FIN,RST SYN, and inverted', () => {
  const syn = { proto: 'tcp' as const, tcpFlags: { mask: 'SYN,ACK,FIN,RST', comp: 'SYN' } };
  assert.equal(hits(syn, tcpFrame({ flags: TCP_SYN })), 1);
  assert.equal(hits(syn, tcpFrame({ flags: TCP_SYN | TCP_ACK })), 0);
  assert.equal(hits(syn, tcpFrame({ flags: TCP_ACK })), 0);
  assert.equal(hits(syn, tcpFrame({ flags: TCP_SYN | TCP_PSH })), 1, 'PSH is outside the mask');
  assert.equal(hits({ ...syn, not: { tcpFlags: true } }, tcpFrame({ flags: TCP_ACK })), 1);
  assert.equal(hits({ proto: 'tcp', tcpFlags: { mask: ['FIN', 'ACK'], comp: ['FIN', 'ACK'] } }, tcpFrame({ flags: TCP_FIN | TCP_ACK, ack: 1 })), 1);
  assert.equal(hits({ proto: 'tcp', tcpFlags: { mask: 0xff, comp: 0 } }, tcpFrame({ flags: 0 })), 1, 'a null scan');
});

test('interface matches: name, prefix with +, inverted, and lo for loopback', () => {
  assert.equal(hits({ inIface: 'eth0' }, udp53()), 1);
  assert.equal(hits({ inIface: 'eth1' }, udp53()), 0);
  assert.equal(hits({ inIface: 'eth+' }, udp53()), 1);
  assert.equal(hits({ inIface: 'lo' }, udp53()), 0);
  assert.equal(hits({ inIface: 'eth0', not: { inIface: true } }, udp53()), 0);
  assert.equal(hits({ inIface: 'lo', not: { inIface: true } }, udp53()), 1);
  // A datagram to ourselves comes in on lo.
  const { host, sim } = rig();
  host.filter.append('INPUT', { inIface: 'lo', proto: 'udp', dport: 53, verdict: 'DROP' });
  const s = host.udpSocket();
  s.sendTo(pattern(4), 0, 4, '192.0.2.1', 53, sim.now());
  sim.runFor(1);
  assert.equal(host.filter.list('INPUT')[0]!.rules[0]!.packets, 1);
});

test('port and flag matches never match a non-initial fragment; INPUT sees the reassembled datagram', () => {
  const d = udpDatagram(pattern(40), 1234, 53);
  const f1 = ipFrame(d.subarray(0, 24), { protocol: IPPROTO_UDP, id: 9, moreFrags: true });
  const f2 = ipFrame(d.subarray(24), { protocol: IPPROTO_UDP, id: 9, fragOffset: 24 });
  const { host, peer, sim, udp } = rig();
  host.filter.append('PREROUTING', { proto: 'udp', dport: 53, verdict: 'ACCEPT' });
  host.filter.append('PREROUTING', { proto: 'udp', dport: 53, not: { dport: true }, verdict: 'ACCEPT' });
  host.filter.append('INPUT', { proto: 'udp', dport: 53, verdict: 'ACCEPT' });
  peer.inject(f1);
  peer.inject(f2);
  sim.runFor(1);
  const [pre, inp] = host.filter.list();
  assert.equal(pre!.rules[0]!.packets, 1, 'the first fragment has the ports');
  assert.equal(pre!.rules[1]!.packets, 0, 'an inverted port match does not match the second either');
  assert.equal(pre!.packets, 1, 'the second fragment fell to the policy');
  assert.equal(inp!.rules[0]!.packets, 1);
  assert.equal(inp!.rules[0]!.bytes, 20 + 8 + 40, 'the whole datagram');
  assert.equal(udp.pending, 1);
});

test('DROP stops delivery; ACCEPT ends the chain; the first matching rule wins', () => {
  const { host, peer, sim, udp } = rig();
  host.filter.append('INPUT', { proto: 'udp', dport: 53, verdict: 'DROP' });
  peer.inject(udp53());
  sim.runFor(1);
  assert.equal(udp.pending, 0);
  assert.equal(host.counters.Udp.InDatagrams, 0);
  host.filter.insert('INPUT', { src: '192.0.2.2', verdict: 'ACCEPT' });
  peer.inject(udp53());
  sim.runFor(1);
  assert.equal(udp.pending, 1);
  const rules = host.filter.list('INPUT')[0]!.rules;
  assert.deepEqual(rules.map((r) => [r.num, r.spec.verdict, r.packets]), [[1, 'ACCEPT', 1], [2, 'DROP', 1]]);
});

test('PREROUTING DROP happens before the address checks and the ICMP a closed port would draw', () => {
  const { host, peer, sim } = rig();
  host.filter.append('PREROUTING', { proto: 'udp', verdict: 'DROP' });
  peer.inject(ipFrame(udpDatagram(pattern(4), 1234, 9), { protocol: IPPROTO_UDP }));
  peer.inject(ipFrame(udpDatagram(pattern(4), 1234, 9), { protocol: IPPROTO_UDP, dst: parseIpv4('192.0.2.99') }));
  sim.runFor(1);
  assert.equal(host.counters.Ip.InAddrErrors, 0);
  assert.equal(host.counters.Icmp.OutDestUnreachs, 0);
  assert.equal(host.filter.list('PREROUTING')[0]!.rules[0]!.packets, 2);
  assert.deepEqual(decodeSent(peer.frames), []);
});

test('REJECT of a SYN sends RST|ACK with seq 0 and ack = SEG.SEQ + 1, from the rejected address and port', () => {
  const { host, peer, sim } = rig();
  host.filter.append('INPUT', { proto: 'tcp', dport: 80, verdict: 'REJECT' });
  peer.inject(tcpFrame({ flags: TCP_SYN, seq: 0xffff_fff0, sport: 40001, dport: 80 }));
  sim.runFor(1);
  const [rst] = decodeSent(peer.frames);
  assert.ok(rst?.tcp, 'a TCP segment was sent');
  assert.equal(rst.ip.srcAddr, IP_A);
  assert.equal(rst.ip.dstAddr, IP_B);
  assert.equal(rst.tcp.srcPort, 80);
  assert.equal(rst.tcp.dstPort, 40001);
  assert.equal(rst.tcp.flags, TCP_RST | TCP_ACK);
  assert.equal(rst.tcp.seqNumber, 0);
  assert.equal(rst.tcp.ackNumber, 0xffff_fff1);
  assert.equal(rst.tcp.windowLen, 0);
  assert.equal(rst.tcp.payloadLength, 0);
});

test('REJECT of a segment with ACK sends a bare RST whose seq is the segment ack; data and FIN count in ack otherwise', () => {
  const { host, peer, sim } = rig();
  host.filter.append('INPUT', { proto: 'tcp', verdict: 'REJECT', rejectWith: 'tcp-reset' });
  peer.inject(tcpFrame({ flags: TCP_ACK | TCP_PSH, seq: 5000, ack: 777777, payload: 100 }));
  peer.inject(tcpFrame({ flags: TCP_FIN | TCP_PSH, seq: 9000, payload: 10 }));
  sim.runFor(1);
  const [a, b] = decodeSent(peer.frames);
  assert.equal(a!.tcp!.flags, TCP_RST);
  assert.equal(a!.tcp!.seqNumber, 777777);
  assert.equal(b!.tcp!.flags, TCP_RST | TCP_ACK);
  assert.equal(b!.tcp!.ackNumber, 9000 + 10 + 1);
});

test('no RST answers a RST, a segment with a bad checksum, or a broadcast', () => {
  const { host, peer, sim } = rig();
  host.filter.append('INPUT', { proto: 'tcp', verdict: 'REJECT' });
  host.filter.append('PREROUTING', { proto: 'tcp', dst: '192.0.2.255', verdict: 'REJECT' });
  peer.inject(tcpFrame({ flags: TCP_RST, seq: 1 }));
  const bad = tcpFrame({ flags: TCP_SYN });
  bad[bad.length - 1] ^= 0; // no payload: break the checksum field instead
  bad[14 + 20 + 16] ^= 0x55;
  peer.inject(bad);
  peer.inject(tcpFrame({ flags: TCP_SYN }, { dst: parseIpv4('192.0.2.255'), dstMac: 0xffff_ffff_ffff }));
  sim.runFor(1);
  assert.deepEqual(decodeSent(peer.frames), []);
  assert.equal(host.filter.list('INPUT')[0]!.rules[0]!.packets, 2, 'both were rejected (dropped)');
  assert.equal(host.filter.list('PREROUTING')[0]!.rules[0]!.packets, 1);
});

test('REJECT of UDP sends ICMP port unreachable quoting the datagram; rejectWith chooses the code', () => {
  const { host, peer, sim, udp } = rig();
  host.filter.append('INPUT', { proto: 'udp', dport: 53, verdict: 'REJECT' });
  host.filter.append('INPUT', { proto: 'udp', dport: 54, verdict: 'REJECT', rejectWith: 'icmp-admin-prohibited' });
  peer.inject(udp53());
  peer.inject(ipFrame(udpDatagram(pattern(10), 1234, 54), { protocol: IPPROTO_UDP }));
  sim.runFor(1);
  assert.equal(udp.pending, 0);
  const [a, b] = decodeSent(peer.frames);
  assert.equal(a!.icmp!.msgType, ICMP_DEST_UNREACH);
  assert.equal(a!.icmp!.msgCode, ICMP_PORT_UNREACH);
  assert.equal(a!.ip.dstAddr, IP_B);
  assert.equal(a!.icmp!.payloadLength, 20 + 8 + 10, 'the whole datagram is quoted');
  const q = a!.frame.subarray(a!.icmp!.payloadOffset);
  assert.equal(q[9], IPPROTO_UDP);
  assert.equal((q[22]! << 8) | q[23]!, 53, 'the quoted destination port');
  assert.equal(b!.icmp!.msgCode, 13);
  assert.equal(host.counters.Icmp.OutDestUnreachs, 2);
});

test('REJECT by ICMP is rate-limited like every ICMP error', () => {
  const { host, peer, sim } = rig({ icmpRatePerSec: 1, icmpBurst: 3 });
  host.filter.append('INPUT', { proto: 'udp', verdict: 'REJECT' });
  for (let i = 0; i < 10; i++) peer.inject(udp53());
  sim.runFor(1);
  assert.equal(decodeSent(peer.frames).length, 3);
  assert.equal(host.counters.Icmp.OutRateLimitGlobal, 7);
  assert.equal(host.filter.list('INPUT')[0]!.rules[0]!.packets, 10);
});

test('counters: packets and IPv4 bytes per rule, policy counters per chain, zero()', () => {
  const { host, peer, sim } = rig();
  host.filter.append('INPUT', { proto: 'udp', dport: 53, verdict: 'ACCEPT' });
  peer.inject(udp53());
  peer.inject(udp53());
  peer.inject(tcpFrame());
  sim.runFor(1);
  const [inp] = host.filter.list('INPUT');
  assert.equal(inp!.rules[0]!.packets, 2);
  assert.equal(inp!.rules[0]!.bytes, 2 * (20 + 8 + 10));
  assert.equal(inp!.packets, 1, 'the TCP segment met the policy');
  assert.equal(inp!.bytes, 40);
  assert.equal(host.filter.list('PREROUTING')[0]!.packets, 0, 'an empty chain counts nothing (it is not walked)');
  host.filter.zero();
  const [z] = host.filter.list('INPUT');
  assert.equal(z!.rules[0]!.packets + z!.rules[0]!.bytes + z!.packets + z!.bytes, 0);
});

test('policy DROP drops what no rule accepts; ACCEPT rules open holes', () => {
  const { host, peer, sim, udp } = rig();
  host.filter.setPolicy('INPUT', 'DROP');
  host.filter.append('INPUT', { proto: 'icmp', verdict: 'ACCEPT' });
  peer.inject(udp53());
  sim.runFor(1);
  assert.equal(udp.pending, 0);
  assert.equal(host.filter.list('INPUT')[0]!.packets, 1);
  host.filter.append('INPUT', { proto: 'udp', dport: 53, verdict: 'ACCEPT' });
  peer.inject(udp53());
  sim.runFor(1);
  assert.equal(udp.pending, 1);
  assert.equal(host.filter.list('INPUT')[0]!.policy, 'DROP');
});

test('insert, replace, delete by number and by spec, flush', () => {
  const { host } = rig();
  const f = host.filter;
  f.append('INPUT', { proto: 'tcp', dport: 22, verdict: 'ACCEPT' });
  f.append('INPUT', { proto: 'tcp', dport: 80, verdict: 'DROP' });
  assert.equal(f.insert('INPUT', { src: '10.0.0.0/8', verdict: 'DROP' }, 2), 2);
  assert.equal(f.insert('INPUT', { proto: 'udp', verdict: 'ACCEPT' }, 4), 4, 'length + 1 appends');
  const texts = (): string[] => f.list('INPUT')[0]!.rules.map((r) => r.text);
  assert.deepEqual(texts(), [
    '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -s 10.0.0.0/8 -j DROP',
    '-A INPUT -p tcp -m tcp --dport 80 -j DROP',
    '-A INPUT -p udp -j ACCEPT',
  ]);
  f.replace('INPUT', 4, { proto: 'udp', dport: 53, verdict: 'ACCEPT' });
  assert.equal(f.delete('INPUT', { proto: 'tcp', dport: 80, verdict: 'DROP' }), 3);
  assert.equal(f.delete('INPUT', 1), 1);
  assert.deepEqual(texts(), ['-A INPUT -s 10.0.0.0/8 -j DROP', '-A INPUT -p udp -m udp --dport 53 -j ACCEPT']);
  f.flush('INPUT');
  assert.deepEqual(texts(), []);
});

test('empty chains: the hooks are skipped and behaviour is byte-for-byte what it was', () => {
  const run = (withFlushedRules: boolean): string => {
    const { host, peer, sim } = rig();
    if (withFlushedRules) {
      for (const c of ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] as const) host.filter.append(c, { verdict: 'DROP' });
      host.filter.flush();
    }
    peer.inject(udp53());
    peer.inject(ipFrame(udpDatagram(pattern(4), 1234, 9), { protocol: IPPROTO_UDP }));
    peer.inject(tcpFrame());
    sim.runFor(1);
    return JSON.stringify([peer.take(), host.counters]);
  };
  assert.equal(run(true), run(false));
  const { host } = rig();
  for (const c of host.filter.list()) assert.equal(c.packets + c.rules.length, 0);
});

test('bad arguments throw stable NETCH_ERR_FILTER_* codes', () => {
  const f = rig().host.filter;
  const code = (fn: () => unknown, c: string): void => assert.throws(fn, (e: { code?: string }) => e.code === c);
  code(() => f.append('FORWARD' as FilterChainName, { verdict: 'DROP' }), 'NETCH_ERR_FILTER_CHAIN');
  code(() => f.append('INPUT', { verdict: 'LOG' as 'DROP' }), 'NETCH_ERR_FILTER_VERDICT');
  code(() => f.append('INPUT', {} as FilterRuleSpec), 'NETCH_ERR_FILTER_VERDICT');
  code(() => f.append('INPUT', { proto: 'udp', verdict: 'REJECT', rejectWith: 'tcp-reset' }), 'NETCH_ERR_FILTER_VERDICT');
  code(() => f.append('INPUT', { verdict: 'DROP', rejectWith: 'icmp-port-unreachable' }), 'NETCH_ERR_FILTER_VERDICT');
  code(() => f.append('INPUT', { verdict: 'REJECT', rejectWith: 'icmp-bogus' as 'tcp-reset' }), 'NETCH_ERR_FILTER_VERDICT');
  code(() => f.setPolicy('INPUT', 'REJECT' as 'DROP'), 'NETCH_ERR_FILTER_VERDICT');
  code(() => f.append('INPUT', { src: '192.0.2.300', verdict: 'DROP' }), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.append('INPUT', { dst: '192.0.2.0/33', verdict: 'DROP' }), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.append('INPUT', { proto: 'sctp' as 'tcp', verdict: 'DROP' }), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.append('INPUT', { proto: 'tcp', dport: 70000, verdict: 'DROP' }), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.append('INPUT', { proto: 'tcp', dport: '90:80', verdict: 'DROP' }), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.append('INPUT', { proto: 'tcp', tcpFlags: { mask: 'SYN', comp: 'SYN,BOGUS' }, verdict: 'DROP' }), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.append('INPUT', { proto: 'tcp', tcpFlags: { mask: 'SYN', comp: 'ACK' }, verdict: 'DROP' }), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.append('INPUT', { sport: 80, verdict: 'DROP' } as FilterRuleSpec), 'NETCH_ERR_FILTER_NEEDS_PROTO');
  code(() => f.append('INPUT', { proto: 'udp', tcpFlags: { mask: 'SYN', comp: 'SYN' }, verdict: 'DROP' }), 'NETCH_ERR_FILTER_NEEDS_PROTO');
  code(() => f.append('INPUT', { proto: 'tcp', dport: 80, not: { proto: true }, verdict: 'DROP' }), 'NETCH_ERR_FILTER_NEEDS_PROTO');
  code(() => f.append('INPUT', { outIface: 'eth0', verdict: 'DROP' }), 'NETCH_ERR_FILTER_IFACE_CHAIN');
  code(() => f.append('POSTROUTING', { inIface: 'eth0', verdict: 'DROP' }), 'NETCH_ERR_FILTER_IFACE_CHAIN');
  code(() => f.append('INPUT', { inIface: 'a-very-long-interface-name', verdict: 'DROP' }), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.append('INPUT', { port: 80, verdict: 'DROP' } as unknown as FilterRuleSpec), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.append('INPUT', { not: { src: true }, verdict: 'DROP' }), 'NETCH_ERR_FILTER_MATCH');
  code(() => f.delete('INPUT', 1), 'NETCH_ERR_FILTER_NO_RULE');
  code(() => f.delete('INPUT', { verdict: 'DROP' }), 'NETCH_ERR_FILTER_NO_RULE');
  code(() => f.insert('INPUT', { verdict: 'DROP' }, 3), 'NETCH_ERR_FILTER_NO_RULE');
  code(() => f.replace('INPUT', 1, { verdict: 'DROP' }), 'NETCH_ERR_FILTER_NO_RULE');
  assert.equal(f.list('INPUT')[0]!.rules.length, 0, 'nothing was added by a failed call');
});

test('an ICMP echo to the host passes through PREROUTING and INPUT and the reply through OUTPUT and POSTROUTING', () => {
  const { host, sim } = rig();
  for (const c of ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] as const) host.filter.append(c, { proto: 'icmp', verdict: 'ACCEPT' });
  const ping = host.pingSocket();
  ping.sendEcho('192.0.2.1', 1, sim.now());
  sim.runUntil(() => ping.pending > 0, { maxTime: 100 });
  assert.deepEqual(host.filter.list().map((c) => c.rules[0]!.packets), [2, 2, 2, 2], 'request and reply, both on lo');
  void IP_C;
});
