// RFC 1122 §3.2.2 rules about when a host may send ICMP, and from which address.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_A, IP_B, MAC_B, hostWithRawPeer, icmpMessage, ipFrame, pattern, udpDatagram } from './harness.js';
import { ICMP_ECHO_REQUEST } from '../../src/wire/icmpv4.js';
import { IPPROTO_ICMP, parseIpv4 } from '../../src/wire/ipv4.js';
import { ETH_HEADER_LEN, MAC_BROADCAST } from '../../src/wire/ethernet.js';
import { get32 } from '../../src/wire/bytes.js';

const SUBNET_BCAST = parseIpv4('192.0.2.255');

test('no ICMP reassembly time exceeded about a fragmented datagram sent to the subnet broadcast', () => {
  const { host, peer, sim } = hostWithRawPeer();
  peer.arpAnswers.set(IP_B, MAC_B);
  const dgram = udpDatagram(pattern(2000), 1000, 7, IP_B, SUBNET_BCAST);
  // Fragment zero only: the datagram never completes and times out.
  peer.inject(ipFrame(dgram.subarray(0, 1000), { id: 5, moreFrags: true, dst: SUBNET_BCAST, dstMac: MAC_BROADCAST }));
  sim.runFor(31_000);
  assert.equal(host.counters.Ip.ReasmTimeout, 1);
  assert.deepEqual(peer.take().filter((f) => f.includes('ICMP')), []);
  assert.equal(host.counters.Icmp.OutTimeExcds, 0);
});

test('an echo reply to a broadcast ping (icmpEchoIgnoreBroadcasts off) comes from our unicast address', () => {
  const { host, peer, sim } = hostWithRawPeer({ icmpEchoIgnoreBroadcasts: false });
  peer.arpAnswers.set(IP_B, MAC_B);
  const req = icmpMessage(ICMP_ECHO_REQUEST, 0, pattern(16), 9, 1);
  for (const dst of [SUBNET_BCAST, 0xffff_ffff]) {
    peer.inject(ipFrame(req, { protocol: IPPROTO_ICMP, dst, dstMac: MAC_BROADCAST }));
    sim.runFor(10);
  }
  assert.equal(host.counters.Icmp.OutEchoReps, 2);
  const replies = peer.frames.filter((f) => f.length > ETH_HEADER_LEN + 20 && f[12] === 0x08 && f[13] === 0x00 && f[ETH_HEADER_LEN + 9] === IPPROTO_ICMP);
  assert.equal(replies.length, 2);
  for (const f of replies) {
    assert.equal(get32(f, ETH_HEADER_LEN + 12), IP_A, 'source is the host address, not the broadcast');
    assert.equal(get32(f, ETH_HEADER_LEN + 16), IP_B);
  }
});

test('ICMP the host sends (an echo reply, a port unreachable) leaves DF clear, as Linux does; UDP keeps DF', () => {
  const { host, peer, sim } = hostWithRawPeer();
  peer.arpAnswers.set(IP_B, MAC_B);
  peer.inject(ipFrame(icmpMessage(ICMP_ECHO_REQUEST, 0, pattern(16), 9, 1), { protocol: IPPROTO_ICMP }));
  peer.inject(ipFrame(udpDatagram(pattern(8), 1000, 9)));
  sim.runFor(10);
  assert.equal(host.counters.Icmp.OutEchoReps, 1);
  assert.equal(host.counters.Icmp.OutDestUnreachs, 1);
  const icmp = peer.frames.filter((f) => f.length > ETH_HEADER_LEN + 20 && f[12] === 0x08 && f[13] === 0x00 && f[ETH_HEADER_LEN + 9] === IPPROTO_ICMP);
  assert.equal(icmp.length, 2);
  for (const f of icmp) assert.equal(f[ETH_HEADER_LEN + 6]! & 0x40, 0, 'DF clear');
  // The host's own UDP still sets DF (it never fragments): the rule is ICMP's alone.
  const u = host.udpSocket();
  u.bind(0, 2000);
  assert.ok(u.sendTo(new Uint8Array(4), 0, 4, IP_B, 3000, sim.now()) >= 0);
  sim.runFor(10);
  const udp = peer.frames.filter((f) => f.length > ETH_HEADER_LEN + 20 && f[12] === 0x08 && f[13] === 0x00 && f[ETH_HEADER_LEN + 9] === 17);
  assert.equal(udp.length, 1);
  assert.equal(udp[0]![ETH_HEADER_LEN + 6]! & 0x40, 0x40, 'DF set');
});
