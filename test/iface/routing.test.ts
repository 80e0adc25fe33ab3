// Routing on a host: connected routes, a default gateway (ARP for the gateway, not the
// destination), longest prefix match, no route, multiple interfaces, route listings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_A, MAC_A, RawPeer, hostWithRawPeer, pattern } from './harness.js';
import { Host } from '../../src/iface/host.js';
import { IpErr } from '../../src/iface/errors.js';
import { memoryLinkPair } from '../../src/link/memory.js';
import { Sim } from '../../src/runtime/sim.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';

const GW = parseIpv4('192.0.2.254');
const MAC_GW = 0x02_00_00_00_00_fe;

test('traffic off the subnet goes to the default gateway: ARP for the gateway, IP to the destination', () => {
  const { host, peer, sim } = hostWithRawPeer();
  peer.arpAnswers.set(GW, MAC_GW);
  const s = host.udpSocket().bind(0, 4000);
  assert.equal(s.sendTo(pattern(4), 0, 4, '198.51.100.7', 53, sim.now()), IpErr.NoRoute);
  assert.equal(host.counters.Ip.OutNoRoutes, 1);
  host.setDefaultGateway('192.0.2.254');
  assert.equal(host.formatRoutes(), 'default via 192.0.2.254 dev eth0\n192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.1\n');
  assert.equal(s.sendTo(pattern(4), 0, 4, '198.51.100.7', 53, sim.now()), IpErr.Ok);
  sim.runFor(1);
  const frames = peer.take();
  assert.equal(frames.length, 2);
  assert.match(frames[0]!, /Request who-has 192\.0\.2\.254 tell 192\.0\.2\.1/);
  assert.match(frames[1]!, /^02:00:00:00:00:01 > 02:00:00:00:00:fe, ethertype IPv4 .*192\.0\.2\.1\.4000 > 198\.51\.100\.7\.53: UDP/);
  assert.equal(host.sourceAddressFor('198.51.100.7'), IP_A);
  assert.equal(host.mtuFor('198.51.100.7'), 1500);
});

test('a more specific static route beats the default; removing it falls back', () => {
  const { host, peer, sim } = hostWithRawPeer();
  const GW2 = parseIpv4('192.0.2.253');
  peer.arpAnswers.set(GW, MAC_GW);
  peer.arpAnswers.set(GW2, 0x02_00_00_00_00_fd);
  host.setDefaultGateway(GW);
  host.addRoute('198.51.100.0/24', { via: '192.0.2.253' });
  assert.throws(() => host.addRoute('198.51.100.0/24', { via: '192.0.2.253' }), { code: 'EEXIST' });
  assert.throws(() => host.addRoute('203.0.113.0/24', { via: '10.0.0.1' }), { code: 'ENETUNREACH' });
  assert.throws(() => host.addRoute('203.0.113.0/33', { via: GW }), { code: 'EINVAL' });
  const s = host.udpSocket().bind();
  s.sendTo(pattern(1), 0, 1, '198.51.100.1', 9, sim.now());
  s.sendTo(pattern(1), 0, 1, '203.0.113.1', 9, sim.now());
  sim.runFor(1);
  const ip = peer.take().filter((f) => f.includes('ethertype IPv4'));
  assert.match(ip[0]!, /> 02:00:00:00:00:fd,.*> 198\.51\.100\.1\.9/);
  assert.match(ip[1]!, /> 02:00:00:00:00:fe,.*> 203\.0\.113\.1\.9/);
  assert.equal(host.removeRoute('198.51.100.0/24'), 1);
  s.sendTo(pattern(1), 0, 1, '198.51.100.1', 9, sim.now());
  sim.runFor(1);
  assert.match(peer.take()[0]!, /> 02:00:00:00:00:fe,/);
});

test('two interfaces: each subnet goes out its own interface with its own source address', () => {
  const [a0, p0] = memoryLinkPair();
  const [a1, p1] = memoryLinkPair();
  const host = new Host({ name: 'multi' });
  host.addInterface(a0, { mac: MAC_A, address: '192.0.2.1/24' });
  const eth1 = host.addInterface(a1, { mac: 0x02_00_00_00_01_01, address: ['198.51.100.1/24', '198.51.100.9/24'] });
  assert.equal(eth1.name, 'eth1');
  const peer0 = new RawPeer(p0);
  const peer1 = new RawPeer(p1);
  peer1.arpAnswers.set(parseIpv4('198.51.100.2'), 0x02_00_00_00_01_02);
  const sim = new Sim().add(host, peer0, peer1);
  const s = host.udpSocket().bind();
  s.sendTo(pattern(1), 0, 1, '198.51.100.2', 9, sim.now());
  sim.runFor(1);
  assert.equal(peer0.frames.length, 0);
  const f = peer1.take();
  assert.match(f[0]!, /^02:00:00:00:01:01 > ff:ff:ff:ff:ff:ff.*who-has 198\.51\.100\.2 tell 198\.51\.100\.1/);
  assert.match(f[1]!, /198\.51\.100\.1\.\d+ > 198\.51\.100\.2\.9: UDP/);
  assert.ok(host.isLocalAddress('198.51.100.9'));
  assert.equal(host.interface('eth1'), eth1);
  assert.throws(() => host.interface('eth7'), { code: 'ENODEV' });
  assert.throws(() => host.addInterface(a0, { mac: 1 }), { code: 'EEXIST' });
  assert.throws(() => host.addAddress('eth1', '198.51.100.9/24'), { code: 'EEXIST' });
  assert.match(host.formatInterfaces(), /eth1 +02:00:00:00:01:01 +mtu 1500 +198\.51\.100\.1\/24 198\.51\.100\.9\/24/);
});

test('a datagram sent from a specific bound address keeps that source', () => {
  const { host, peer, sim } = hostWithRawPeer();
  host.addAddress('eth0', '192.0.2.77/24');
  peer.arpAnswers.set(parseIpv4('192.0.2.2'), 0x020000000002);
  const s = host.udpSocket().bind('192.0.2.77', 1234);
  s.sendTo(pattern(1), 0, 1, '192.0.2.2', 9, sim.now());
  sim.runFor(1);
  assert.match(peer.take().at(-1)!, /192\.0\.2\.77\.1234 > 192\.0\.2\.2\.9/);
});

test('bad interface options throw stable codes', () => {
  const [a] = memoryLinkPair();
  const host = new Host();
  assert.throws(() => host.addInterface(a, { mac: 'zz:00:00:00:00:01' }), { code: 'EINVAL' });
  assert.throws(() => host.addInterface(a, { mac: MAC_A, address: '192.0.2.1/40' }), { code: 'EINVAL' });
  assert.throws(() => host.addInterface(a, { mac: MAC_A, mtu: 20 }), { code: 'EINVAL' });
  assert.equal(host.interfaces().length, 0, 'nothing half-added');
  assert.throws(() => new Host({ defaultTtl: 0 }), { code: 'EINVAL' });
  assert.throws(() => new Host({ ephemeralPorts: [5000, 4000] }), { code: 'EINVAL' });
});
