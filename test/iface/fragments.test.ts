// IPv4 reassembly: in order, out of order, duplicates, overlaps, the 30 s timeout with its
// ICMP time exceeded, the 64 KiB ceiling, and the bound on datagrams in progress.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostWithRawPeer, ipFrame, pattern, udpDatagram } from './harness.js';
import { newUdpPeerInfo } from '../../src/iface/datagram-queue.js';
import { IP_B, MAC_B } from './harness.js';

/** Return fragments [offset, length, moreFrags] of `dgram` cut at multiples of `size` (a multiple of 8). */
function fragment(dgram: Uint8Array, size: number, id: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < dgram.length; off += size) {
    const end = Math.min(dgram.length, off + size);
    out.push(ipFrame(dgram.subarray(off, end), { id, fragOffset: off, moreFrags: end < dgram.length }));
  }
  return out;
}

function setup() {
  const ctx = hostWithRawPeer();
  const sock = ctx.host.udpSocket().bind(0, 7);
  return { ...ctx, sock };
}

test('a 3000-byte UDP datagram in three fragments is reassembled, in any order', () => {
  const { host, peer, sim, sock } = setup();
  const data = pattern(3000, 5);
  const frags = fragment(udpDatagram(data, 1000, 7), 1480, 42);
  assert.equal(frags.length, 3);
  for (const order of [[0, 1, 2], [2, 0, 1], [1, 2, 0]]) {
    for (const i of order) peer.inject(frags[i]!);
    sim.runFor(1);
  }
  const buf = new Uint8Array(4000);
  const from = newUdpPeerInfo();
  for (let k = 0; k < 3; k++) {
    assert.equal(sock.recvFrom(buf, 0, buf.length, from), 3000);
    assert.deepEqual(buf.subarray(0, 3000), data);
    assert.equal(from.address, IP_B);
  }
  const ip = host.counters.Ip;
  assert.equal(ip.ReasmReqds, 9);
  assert.equal(ip.ReasmOKs, 3);
  assert.equal(ip.ReasmFails, 0);
  assert.equal(ip.InDelivers, 3);
});

test('a duplicate fragment is ignored; an overlapping one drops the whole datagram', () => {
  const { host, peer, sim, sock } = setup();
  const frags = fragment(udpDatagram(pattern(2000), 1000, 7), 1000, 7);
  peer.inject(frags[0]!);
  peer.inject(frags[0]!);
  peer.inject(frags[1]!);
  peer.inject(frags[2]!);
  sim.runFor(1);
  assert.equal(sock.pending, 1);
  const dgram = udpDatagram(pattern(2000), 1000, 7);
  peer.inject(ipFrame(dgram.subarray(0, 1000), { id: 8, moreFrags: true }));
  peer.inject(ipFrame(dgram.subarray(992, 2008), { id: 8, fragOffset: 992 }));
  sim.runFor(1);
  assert.equal(sock.pending, 1);
  assert.equal(host.counters.Ip.ReasmFails, 1);
  peer.inject(ipFrame(dgram.subarray(1000, 2008), { id: 8, fragOffset: 1000 }));
  sim.runFor(1);
  assert.equal(sock.pending, 1, 'the rest of the dropped datagram starts over and never completes');
});

test('an incomplete datagram times out after 30 s; ICMP time exceeded only when fragment zero came', () => {
  const { host, peer, sim } = setup();
  peer.arpAnswers.set(IP_B, MAC_B);
  const frags = fragment(udpDatagram(pattern(2000), 1000, 7), 1000, 9);
  peer.inject(frags[0]!);
  const other = fragment(udpDatagram(pattern(2000), 1000, 7), 1000, 10);
  peer.inject(other[1]!);
  sim.runFor(29_999);
  assert.equal(host.counters.Ip.ReasmTimeout, 0);
  peer.take();
  sim.runFor(2);
  assert.equal(host.counters.Ip.ReasmTimeout, 2);
  assert.equal(host.counters.Ip.ReasmFails, 2);
  const out = peer.take().filter((f) => f.includes('ICMP'));
  assert.equal(out.length, 1);
  assert.match(out[0]!, /reassembly time exceeded|type 11|time exceeded/);
  assert.equal(host.counters.Icmp.OutTimeExcds, 1);
});

test('fragments that would build more than 65535 bytes, or non-last ones not a multiple of 8, are dropped', () => {
  const { host, peer, sim } = setup();
  peer.inject(ipFrame(pattern(16), { id: 11, fragOffset: 65528 }));
  peer.inject(ipFrame(pattern(13), { id: 12, moreFrags: true }));
  sim.runFor(1);
  assert.equal(host.counters.Ip.ReasmFails, 2);
  assert.equal(host.counters.Ip.ReasmOKs, 0);
});

test('at most reasmMaxDatagrams are in progress: a new one evicts the oldest', () => {
  const { host, peer, sim } = hostWithRawPeer({ reasmMaxDatagrams: 2 });
  const sock = host.udpSocket().bind(0, 7);
  const d = (id: number) => fragment(udpDatagram(pattern(1600, id), 1000, 7), 800, id);
  const a = d(1);
  const b = d(2);
  const c = d(3);
  peer.inject(a[0]!);
  sim.runFor(1);
  peer.inject(b[0]!);
  sim.runFor(1);
  peer.inject(c[0]!); // evicts id 1
  sim.runFor(1);
  for (const f of [...b.slice(1), ...c.slice(1), ...a.slice(1)]) peer.inject(f);
  sim.runFor(1);
  assert.equal(sock.pending, 2, 'b and c complete; a restarted and never finished');
  assert.equal(host.counters.Ip.ReasmOKs, 2);
  assert.ok(host.counters.Ip.ReasmFails >= 1);
});
