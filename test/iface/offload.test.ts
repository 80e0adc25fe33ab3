// Large frames and checksum offload on the memory link, as the host sees them: an
// interface on a 64 KiB-frame link has MTU 65522 and carries a 60 000-byte datagram in one
// frame; a link that declares checksum offload (Linux loopback's CHECKSUM_UNNECESSARY) has
// its transport checksums trusted on input and tells transports so on output, and a link
// that does not keeps verifying them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../../src/iface/host.js';
import { newUdpPeerInfo } from '../../src/iface/datagram-queue.js';
import { IpErr } from '../../src/iface/errors.js';
import { MEMORY_LINK_MTU_MAX, memoryLinkPair, type MemoryLinkOptions } from '../../src/link/memory.js';
import { Sim } from '../../src/runtime/sim.js';
import { IPPROTO_TCP } from '../../src/wire/ipv4.js';
import { IP_A, IP_B, MAC_A, MAC_B, RawPeer, ipFrame, pattern, udpDatagram } from './harness.js';

function hostAndPeer(link: MemoryLinkOptions): { host: Host; peer: RawPeer; sim: Sim } {
  const [la, lb] = memoryLinkPair(link);
  const host = new Host({ name: 'h' });
  host.addInterface(la, { mac: MAC_A, address: '192.0.2.1/24' });
  const peer = new RawPeer(lb);
  peer.arpAnswers.set(IP_B, MAC_B);
  return { host, peer, sim: new Sim().add(host, peer) };
}

test('a 64 KiB-frame link: interface MTU 65522, a 60 000-byte UDP datagram in one frame each way', () => {
  const [la, lb] = memoryLinkPair({ mtu: MEMORY_LINK_MTU_MAX, frames: 16 });
  const a = new Host({ name: 'a' });
  const b = new Host({ name: 'b' });
  const ia = a.addInterface(la, { mac: MAC_A, address: '192.0.2.1/24' });
  b.addInterface(lb, { mac: MAC_B, address: '192.0.2.2/24' });
  const sim = new Sim().add(a, b);
  assert.equal(ia.mtu, 65522);
  assert.equal(a.mtuFor(IP_B), 65522);
  const rx = b.udpSocket().bind('192.0.2.2', 9);
  const tx = a.udpSocket().bind();
  const data = pattern(60_000, 3);
  assert.equal(tx.sendTo(data, 0, data.length, IP_B, 9, sim.now()), IpErr.Ok);
  assert.ok(sim.runUntil(() => rx.pending === 1, { maxTime: 1000 }));
  const buf = new Uint8Array(65536);
  assert.equal(rx.recvFrom(buf, 0, buf.length, newUdpPeerInfo()), 60_000);
  assert.deepEqual(buf.subarray(0, 60_000), data);
  // b received two frames: the ARP request and the whole datagram (Ethernet, IPv4, UDP headers).
  assert.equal(lb.stats.rxFrames, 2);
  assert.ok(lb.stats.rxBytes >= 14 + 20 + 8 + 60_000, `${lb.stats.rxBytes} bytes`);
});

test('checksum offload: a corrupted UDP checksum is trusted on an offload link, dropped on a plain one', () => {
  for (const offload of [true, false]) {
    const { host, peer, sim } = hostAndPeer({ checksumOffload: offload });
    const s = host.udpSocket().bind('192.0.2.1', 9);
    const d = udpDatagram(pattern(100), 5000, 9);
    d[6]! ^= 0x55; // a wrong, non-zero checksum
    peer.inject(ipFrame(d), sim.now());
    sim.settle();
    assert.equal(s.pending, offload ? 1 : 0, `offload ${offload}`);
    assert.equal(host.counters.Udp.InCsumErrors, offload ? 0 : 1, `offload ${offload}`);
  }
});

test('checksum offload: a transport handler is told whether the link vouches for the checksum', () => {
  for (const offload of [true, false]) {
    const { host, peer, sim } = hostAndPeer({ checksumOffload: offload });
    const seen: boolean[] = [];
    host.setProtocolHandler(IPPROTO_TCP, { input: (_ip, _bytes, _now, ok) => void seen.push(ok) });
    peer.inject(ipFrame(new Uint8Array(20), { protocol: IPPROTO_TCP }), sim.now());
    sim.settle();
    assert.deepEqual(seen, [offload]);
  }
});

test('checksum offload: Ipv4Output says whether the chosen link (or loopback) offloads, for transports to skip their checksum', () => {
  for (const offload of [true, false]) {
    const { host, sim } = hostAndPeer({ checksumOffload: offload });
    assert.ok(primeNeighbour(host, sim));
    const ip = host.ip;
    assert.ok(ip.begin(IP_B, 253, 8, 0, sim.now()) >= 0);
    assert.equal(ip.checksumOffload, offload);
    ip.commit(sim.now());
    assert.ok(ip.begin(IP_A, 253, 8, 0, sim.now()) >= 0);
    assert.equal(ip.checksumOffload, true, 'loopback');
    ip.commit(sim.now());
  }
});

/** Resolve the peer's MAC (the first datagram waits in the ARP hold queue until then). */
function primeNeighbour(host: Host, sim: Sim): boolean {
  const s = host.udpSocket().bind();
  s.sendTo(new Uint8Array(1), 0, 1, IP_B, 9, sim.now());
  return sim.runUntil(() => host.lookupNeighbour(IP_B) !== null, { maxTime: 1000 });
}
