// Bad input on the receive path: every malformed, misaddressed or unsupported frame is
// counted where Linux would count it and dropped; nothing throws; valid padded frames pass.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_A, IP_B, hostWithRawPeer, icmpMessage, ipFrame, pattern, udpDatagram } from './harness.js';
import { ICMP_DEST_UNREACH, ICMP_ECHO_REQUEST, ICMP_PORT_UNREACH } from '../../src/wire/icmpv4.js';
import { IPPROTO_ICMP, parseIpv4 } from '../../src/wire/ipv4.js';
import { internetChecksum } from '../../src/wire/checksum.js';

const E = 14; // Ethernet header

/** Recompute the IPv4 header checksum of a frame after editing its header. */
function fixIpChecksum(f: Uint8Array): Uint8Array {
  const hl = (f[E]! & 0x0f) * 4;
  f[E + 10] = 0;
  f[E + 11] = 0;
  const c = internetChecksum(f, E, Math.max(20, hl));
  f[E + 10] = c >>> 8;
  f[E + 11] = c & 0xff;
  return f;
}

function udpTo(port: number, data = pattern(8)): Uint8Array {
  return ipFrame(udpDatagram(data, 1000, port));
}

test('Ethernet: runts, frames for other stations and unknown EtherTypes are counted and dropped', () => {
  const { host, peer, sim } = hostWithRawPeer();
  peer.inject(new Uint8Array(10));
  peer.inject(ipFrame(udpDatagram(pattern(4), 1, 2), { dstMac: 0x020000000099 }));
  peer.inject(ipFrame(udpDatagram(pattern(4), 1, 2), { dstMac: 0x01005e000001 }));
  const v6 = udpTo(7);
  v6[12] = 0x86;
  v6[13] = 0xdd;
  peer.inject(v6);
  sim.runFor(1);
  const c = host.counters.Link;
  assert.equal(c.InFrames, 4);
  assert.equal(c.InTruncated, 1);
  assert.equal(c.InOtherHost, 2);
  assert.equal(c.InUnknownType, 1);
  assert.equal(host.counters.Ip.InReceives, 0);
});

test('IPv4 header errors: checksum, IHL, version, short header, truncated total length', () => {
  const { host, peer, sim } = hostWithRawPeer();
  host.udpSocket().bind(0, 7);
  const badSum = udpTo(7);
  badSum[E + 10]! ^= 0xff;
  const ihl4 = fixIpChecksum(udpTo(7));
  ihl4[E] = 0x44;
  fixIpChecksum(ihl4);
  const v6 = udpTo(7);
  v6[E] = 0x65;
  fixIpChecksum(v6);
  const ihlPastEnd = udpTo(7);
  ihlPastEnd[E] = 0x4f; // 60-byte header in a 36-byte datagram
  const short = udpTo(7).slice(0, E + 12);
  const truncated = udpTo(7);
  truncated[E + 2] = 0x01; // total length 256+ > bytes present
  fixIpChecksum(truncated);
  const tooShortTotal = udpTo(7);
  tooShortTotal[E + 2] = 0;
  tooShortTotal[E + 3] = 10; // total length below the header length
  fixIpChecksum(tooShortTotal);
  for (const f of [badSum, ihl4, v6, ihlPastEnd, short, truncated, tooShortTotal]) peer.inject(f);
  sim.runFor(1);
  const ip = host.counters.Ip;
  assert.equal(ip.InReceives, 7);
  assert.equal(ip.InHdrErrors, 6, 'checksum, IHL < 5, version, IHL past the end, short, total < header');
  assert.equal(host.counters.IpExt.InCsumErrors, 1);
  assert.equal(host.counters.IpExt.InTruncatedPkts, 1);
  assert.equal(ip.InDelivers, 0);
  assert.equal(host.counters.Udp.InDatagrams, 0);
  assert.deepEqual(peer.take(), [], 'no answer to any of them');
});

test('address errors: not our destination, martian sources, unicast in a link broadcast', () => {
  const { host, peer, sim } = hostWithRawPeer();
  host.udpSocket().bind(0, 7);
  peer.inject(ipFrame(udpDatagram(pattern(4), 1, 7, IP_B, parseIpv4('192.0.2.50')), { dst: parseIpv4('192.0.2.50') }));
  peer.inject(ipFrame(udpDatagram(pattern(4), 1, 7, parseIpv4('224.0.0.1'), IP_A), { src: parseIpv4('224.0.0.1') }));
  peer.inject(ipFrame(udpDatagram(pattern(4), 1, 7, 0xffffffff, IP_A), { src: 0xffffffff }));
  peer.inject(ipFrame(udpDatagram(pattern(4), 1, 7, parseIpv4('127.0.0.1'), IP_A), { src: parseIpv4('127.0.0.1') }));
  peer.inject(ipFrame(udpDatagram(pattern(4), 1, 7), { dstMac: 0xffffffffffff }));
  // Source 0.0.0.0 to a unicast address: martian (Linux accepts it only to 255.255.255.255).
  peer.inject(ipFrame(udpDatagram(pattern(4), 1, 7, 0, IP_A), { src: 0 }));
  sim.runFor(1);
  assert.equal(host.counters.Ip.InAddrErrors, 6);
  assert.equal(host.counters.Ip.InDelivers, 0);
  // Source 0.0.0.0 to the limited broadcast (a DHCP client's DISCOVER) is delivered.
  peer.inject(ipFrame(udpDatagram(pattern(4), 1, 7, 0, 0xffffffff), { src: 0, dst: 0xffffffff, dstMac: 0xffffffffffff }));
  sim.runFor(1);
  assert.equal(host.counters.Ip.InAddrErrors, 6);
  assert.equal(host.counters.Ip.InDelivers, 1);
});

test('UDP errors: bad checksum, length field past the datagram; checksum 0 means none', () => {
  const { host, peer, sim } = hostWithRawPeer();
  const s = host.udpSocket().bind(0, 7);
  const badSum = udpTo(7);
  badSum[E + 20 + 6]! ^= 0x55;
  const badLen = udpTo(7);
  badLen[E + 20 + 4] = 0x10; // UDP length 4096+
  const noSum = udpTo(7);
  noSum[E + 20 + 6] = 0;
  noSum[E + 20 + 7] = 0;
  const shortUdp = ipFrame(new Uint8Array(5));
  for (const f of [badSum, badLen, noSum, shortUdp]) peer.inject(f);
  sim.runFor(1);
  const u = host.counters.Udp;
  assert.equal(u.InCsumErrors, 1);
  assert.equal(u.InErrors, 3);
  assert.equal(u.InDatagrams, 1);
  assert.equal(s.pending, 1);
  assert.equal(host.counters.Ip.InDelivers, 4, 'IP delivered them all to UDP');
});

test('ICMP errors: bad checksum, truncated header, an error quoting too little', () => {
  const { host, peer, sim } = hostWithRawPeer();
  const echo = icmpMessage(ICMP_ECHO_REQUEST, 0, pattern(8), 1, 1);
  echo[2]! ^= 0x01;
  peer.inject(ipFrame(echo, { protocol: IPPROTO_ICMP }));
  peer.inject(ipFrame(new Uint8Array(4), { protocol: IPPROTO_ICMP }));
  peer.inject(ipFrame(icmpMessage(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, pattern(12)), { protocol: IPPROTO_ICMP }));
  sim.runFor(1);
  const c = host.counters.Icmp;
  assert.equal(c.InMsgs, 3);
  assert.equal(c.InErrors, 3);
  assert.equal(c.InCsumErrors, 1);
  assert.equal(c.OutEchoReps, 0);
});

test('Ethernet padding after a short datagram is ignored; low TTLs are accepted (RFC 1122 §3.2.1.7)', () => {
  const { host, peer, sim } = hostWithRawPeer();
  const s = host.udpSocket().bind(0, 7);
  const f = udpTo(7, pattern(2));
  const padded = new Uint8Array(60);
  padded.set(f);
  padded.fill(0xee, f.length);
  peer.inject(padded);
  const ttl0 = ipFrame(udpDatagram(pattern(2), 1000, 7), { ttl: 0 });
  peer.inject(ttl0);
  sim.runFor(1);
  assert.equal(s.pending, 2);
  assert.equal(s.nextSize(), 2);
});

test('random and mutated frames never throw, and every IPv4 datagram lands in exactly one counter', () => {
  const { host, peer, sim } = hostWithRawPeer();
  host.udpSocket().bind(0, 7);
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const valid = [udpTo(7), udpTo(9), ipFrame(icmpMessage(ICMP_ECHO_REQUEST, 0, pattern(20), 3, 4), { protocol: IPPROTO_ICMP })];
  for (let i = 0; i < 3000; i++) {
    let f: Uint8Array;
    if (i % 3 === 0) {
      f = new Uint8Array(rnd() % 120);
      for (let k = 0; k < f.length; k++) f[k] = rnd() & 0xff;
      if (f.length >= 14) {
        f.set([0x02, 0, 0, 0, 0, 1], 0);
        f[12] = 0x08;
        f[13] = rnd() % 2 === 0 ? 0x00 : 0x06;
      }
    } else {
      f = valid[i % valid.length]!.slice();
      const flips = 1 + (rnd() % 4);
      for (let k = 0; k < flips; k++) f[14 + (rnd() % (f.length - 14))]! ^= 1 << (rnd() % 8);
      if (rnd() % 4 === 0) f = f.slice(0, 14 + (rnd() % (f.length - 14)));
    }
    peer.inject(f, sim.now());
    if (i % 64 === 63) sim.runFor(1);
  }
  sim.runFor(1000);
  const ip = host.counters.Ip;
  const x = host.counters.IpExt;
  const accounted = ip.InHdrErrors + x.InTruncatedPkts + ip.InAddrErrors + ip.InDelivers + ip.InUnknownProtos + ip.ReasmReqds;
  assert.equal(accounted, ip.InReceives, JSON.stringify({ ip, x }));
  assert.ok(ip.InReceives > 1500);
});
