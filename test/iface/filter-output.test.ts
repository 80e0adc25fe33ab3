// Filter hooks on the send path (OUTPUT, POSTROUTING) and with TCP between two hosts:
// a refused datagram never reaches the link, a REJECT answers the local sender, and a
// dropped datagram's transmit room is reused (no device leaks a buffer).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_B, MAC_B, hostWithRawPeer, pattern } from './harness.js';
import { decodeSent } from './filter-harness.js';
import { IP_A, tcpPair } from '../tcp/harness.js';
import { IpErr } from '../../src/iface/errors.js';
import { Host } from '../../src/iface/host.js';
import { memoryLinkPair } from '../../src/link/memory.js';
import { faultInjector } from '../../src/link/fault-injector.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';

function rig() {
  const r = hostWithRawPeer();
  r.peer.arpAnswers.set(IP_B, MAC_B);
  return r;
}

test('OUTPUT DROP keeps a datagram off the wire; later datagrams still go', () => {
  const { host, peer, sim } = rig();
  host.filter.append('OUTPUT', { proto: 'udp', dport: 9, verdict: 'DROP' });
  const s = host.udpSocket();
  assert.equal(s.sendTo(pattern(8), 0, 8, '192.0.2.2', 9, sim.now()), IpErr.Ok);
  assert.equal(s.sendTo(pattern(8), 0, 8, '192.0.2.2', 10, sim.now()), IpErr.Ok);
  sim.runFor(1);
  const sent = decodeSent(peer.frames);
  assert.equal(sent.length, 1);
  assert.equal((sent[0]!.frame[14 + 22]! << 8) | sent[0]!.frame[14 + 23]!, 10);
  const [rule] = host.filter.list('OUTPUT')[0]!.rules;
  assert.equal(rule!.packets, 1);
  assert.equal(rule!.bytes, 20 + 8 + 8);
});

test('POSTROUTING matches the output interface; lo is the loopback', () => {
  const { host, peer, sim } = rig();
  host.filter.append('POSTROUTING', { outIface: 'eth0', proto: 'udp', verdict: 'DROP' });
  host.filter.append('POSTROUTING', { outIface: 'lo', proto: 'udp', verdict: 'ACCEPT' });
  const rx = host.udpSocket().bind('0.0.0.0', 7);
  const s = host.udpSocket();
  s.sendTo(pattern(8), 0, 8, '192.0.2.2', 7, sim.now());
  s.sendTo(pattern(8), 0, 8, '192.0.2.1', 7, sim.now());
  sim.runFor(1);
  assert.deepEqual(decodeSent(peer.frames), []);
  assert.equal(rx.pending, 1);
  assert.deepEqual(host.filter.list('POSTROUTING')[0]!.rules.map((r) => r.packets), [1, 1]);
});

test('OUTPUT REJECT of UDP: the sender hears port unreachable through loopback (ECONNREFUSED)', () => {
  const { host, peer, sim } = rig();
  host.filter.append('OUTPUT', { proto: 'udp', dst: '192.0.2.2', verdict: 'REJECT' });
  const s = host.udpSocket();
  s.connect('192.0.2.2', 9);
  s.send(pattern(8), 0, 8, sim.now());
  sim.runFor(1);
  assert.deepEqual(decodeSent(peer.frames), []);
  assert.equal(s.takeError(), IpErr.ConnRefused);
});

test('a frame held for ARP was filtered before it was held', () => {
  const { host, peer, sim } = hostWithRawPeer();
  host.filter.append('POSTROUTING', { proto: 'udp', verdict: 'DROP' });
  const s = host.udpSocket();
  s.sendTo(pattern(8), 0, 8, '192.0.2.2', 9, sim.now());
  peer.arpAnswers.set(IP_B, MAC_B);
  sim.runFor(2000);
  assert.deepEqual(decodeSent(peer.frames), []);
  assert.equal(host.filter.list('POSTROUTING')[0]!.rules[0]!.packets, 1);
});

test('dropped datagrams do not leak transmit buffers of a fault injector', () => {
  const [la, lb] = memoryLinkPair();
  const a = new Host({ name: 'a' });
  const b = new Host({ name: 'b' });
  a.addInterface(faultInjector(la, { tx: { delay: 1 } }), { mac: 0x020000000001, address: '192.0.2.1/24' });
  b.addInterface(lb, { mac: 0x020000000002, address: '192.0.2.2/24' });
  a.filter.append('OUTPUT', { proto: 'udp', dport: 9, verdict: 'DROP' });
  const rx = b.udpSocket().bind('0.0.0.0', 10);
  const s = a.udpSocket();
  let now = 0;
  // Resolve ARP first.
  s.sendTo(pattern(1), 0, 1, '192.0.2.2', 10, now);
  for (let t = 0; t < 20; t++, now++) (a.poll(now), b.poll(now));
  for (let i = 0; i < 5000; i++) assert.equal(s.sendTo(pattern(8), 0, 8, '192.0.2.2', 9, now), IpErr.Ok);
  assert.equal(s.sendTo(pattern(8), 0, 8, '192.0.2.2', 10, now), IpErr.Ok);
  for (let t = 0; t < 20; t++, now++) (a.poll(now), b.poll(now));
  assert.equal(rx.pending, 2);
  assert.equal(a.filter.list('OUTPUT')[0]!.rules[0]!.packets, 5000);
});

test('TCP: INPUT REJECT of SYNs to a port refuses the connection with the filter RST', () => {
  const p = tcpPair();
  const l = p.tb.socket();
  l.bind(0, 80);
  l.listen(4);
  p.b.filter.append('INPUT', { proto: 'tcp', dport: 80, tcpFlags: { mask: 'SYN,ACK,FIN,RST', comp: 'SYN' }, verdict: 'REJECT' });
  const c = p.ta.socket();
  c.connect(IP_B, 80, p.sim.now());
  p.sim.runFor(100);
  assert.equal(c.state, TcpState.Closed);
  assert.equal(l.acceptQueue.length, 0);
  assert.equal(p.b.filter.list('INPUT')[0]!.rules[0]!.packets, 1);
  void TcpErr;
});

test('TCP: OUTPUT REJECT on the client refuses locally; a later rule change lets a connection through', () => {
  const p = tcpPair();
  const l = p.tb.socket();
  l.bind(0, 80);
  l.listen(4);
  p.a.filter.append('OUTPUT', { proto: 'tcp', dst: '192.0.2.2', dport: 80, verdict: 'REJECT' });
  const c = p.ta.socket();
  c.connect(IP_B, 80, p.sim.now());
  p.sim.runFor(100);
  assert.equal(c.state, TcpState.Closed);
  assert.equal(p.b.counters.Ip.InReceives, 0, 'nothing reached b');
  p.a.filter.flush();
  const c2 = p.ta.socket();
  c2.connect(IP_B, 80, p.sim.now());
  assert.ok(p.sim.runUntil(() => c2.state === TcpState.Established, { maxTime: 1000 }));
  void IP_A;
});

test('TCP: a bulk transfer with 10 non-matching rules in every chain delivers every byte', () => {
  const p = tcpPair();
  for (const h of [p.a, p.b]) {
    for (const c of ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] as const) {
      for (let i = 0; i < 10; i++) h.filter.append(c, { proto: 'tcp', dport: 1000 + i, verdict: 'DROP' });
    }
  }
  const l = p.tb.socket();
  l.bind(0, 7);
  l.listen(4);
  const c = p.ta.socket();
  c.connect(IP_B, 7, p.sim.now());
  assert.ok(p.sim.runUntil(() => l.acceptQueue.length === 1, { maxTime: 1000 }));
  const srv = l.accept()!;
  const data = pattern(200_000, 3);
  let sent = 0;
  const got: number[] = [];
  const buf = new Uint8Array(65536);
  for (let i = 0; i < 10_000 && got.length < data.length; i++) {
    if (sent < data.length) {
      const n = c.send(data, sent, data.length - sent, p.sim.now());
      if (n > 0) sent += n;
    }
    p.sim.runFor(1);
    for (;;) {
      const n = srv.recv(buf, 0, buf.length, p.sim.now());
      if (n <= 0) break;
      for (let k = 0; k < n; k++) got.push(buf[k]!);
    }
  }
  assert.equal(got.length, data.length);
  assert.deepEqual(Uint8Array.from(got), data);
  const pre = p.b.filter.list('PREROUTING')[0]!;
  assert.ok(pre.packets > 100, 'every segment met the policy');
  assert.equal(pre.rules.reduce((a, r) => a + r.packets, 0), 0);
});
