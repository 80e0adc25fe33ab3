// Connection establishment (RFC 9293 §3.5): active and passive open, simultaneous open,
// MSS negotiation, a lost SYN-ACK.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_B, TcpHarness, connectedPair } from './harness.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpEvent } from '../../src/transport/tcp/socket.js';
import { TCP_ACK, TCP_SYN } from '../../src/wire/tcp.js';

test('active open: SYN with our MSS, SYN-ACK, ACK, ESTABLISHED', () => {
  const h = new TcpHarness();
  const s = h.tcp.socket();
  assert.equal(s.connect(IP_B, 80, h.now()), -TcpErr.InProgress);
  assert.equal(s.state, TcpState.SynSent);
  assert.equal(s.stateName(), 'SYN-SENT');
  const syn = h.expectFrame({ flags: TCP_SYN, dstPort: 80, mss: 1460, len: 0 });
  assert.ok(syn.srcPort >= 32768 && syn.srcPort <= 60999);
  h.inject({ srcPort: 80, dstPort: syn.srcPort, seq: 1000, ack: syn.seq + 1, flags: TCP_SYN | TCP_ACK, mss: 1460 });
  h.expectFrame({ flags: TCP_ACK, seq: syn.seq + 1, ack: 1001 });
  assert.equal(s.state, TcpState.Established);
  assert.ok(s.readiness() & TcpEvent.Writable);
  assert.equal(h.tcp.counters.Tcp.ActiveOpens, 1);
  assert.equal(h.tcp.counters.Tcp.CurrEstab, 1);
});

test('passive open: SYN to a listener gets a SYN-ACK; the ACK puts the connection on the accept queue', () => {
  const h = new TcpHarness();
  const l = h.tcp.socket();
  assert.equal(l.bind(0, 80), 0);
  assert.equal(l.listen(8), 0);
  let woke = 0;
  l.onReadiness = () => woke++;
  h.inject({ srcPort: 40000, dstPort: 80, seq: 7000, flags: TCP_SYN, mss: 1200 });
  const sa = h.expectFrame({ flags: TCP_SYN | TCP_ACK, ack: 7001, srcPort: 80, dstPort: 40000, mss: 1460 });
  assert.equal(l.accept(), null);
  h.inject({ srcPort: 40000, dstPort: 80, seq: 7001, ack: sa.seq + 1, flags: TCP_ACK });
  h.expectNoFrame();
  assert.ok(woke > 0);
  assert.ok(l.readiness() & TcpEvent.Readable);
  const c = l.accept();
  assert.ok(c !== null);
  assert.equal(c.state, TcpState.Established);
  assert.equal(c.sendMss, 1200);
  assert.equal(h.tcp.counters.Tcp.PassiveOpens, 1);
});

test('a repeated SYN in SYN-RECEIVED gets the SYN-ACK again', () => {
  const h = new TcpHarness();
  const l = h.tcp.socket();
  l.bind(0, 80);
  l.listen(8);
  h.inject({ srcPort: 40000, dstPort: 80, seq: 7000, flags: TCP_SYN });
  const first = h.expectFrame({ flags: TCP_SYN | TCP_ACK });
  h.inject({ srcPort: 40000, dstPort: 80, seq: 7000, flags: TCP_SYN });
  h.expectFrame({ flags: TCP_SYN | TCP_ACK, seq: first.seq, ack: 7001 });
});

test('simultaneous open: SYN crosses SYN, both sides reach ESTABLISHED (RFC 9293 Figure 8)', () => {
  const h = new TcpHarness();
  const s = h.tcp.socket();
  s.bind(0, 5555);
  s.connect(IP_B, 6666, h.now());
  const syn = h.expectFrame({ flags: TCP_SYN });
  h.inject({ srcPort: 6666, dstPort: 5555, seq: 300, flags: TCP_SYN, mss: 1000 });
  assert.equal(s.state, TcpState.SynReceived);
  h.expectFrame({ flags: TCP_SYN | TCP_ACK, seq: syn.seq, ack: 301 });
  h.inject({ srcPort: 6666, dstPort: 5555, seq: 300, ack: syn.seq + 1, flags: TCP_SYN | TCP_ACK, mss: 1000 });
  assert.equal(s.state, TcpState.Established);
  h.expectFrame({ flags: TCP_ACK, seq: syn.seq + 1, ack: 301 });
  assert.equal(s.sendMss, 1000);
});

test('MSS: the peer\'s option is honoured, 536 is assumed without one', () => {
  const h = new TcpHarness();
  const a = h.connect(5000, 1000);
  const data = new Uint8Array(3000);
  a.s.noDelay = true;
  a.s.send(data, 0, data.length, h.now());
  const lens = h.sent().map((x) => x.len);
  assert.deepEqual(lens, [1000, 1000, 1000]);

  const h2 = new TcpHarness();
  const s = h2.tcp.socket();
  s.connect(IP_B, 80, h2.now());
  const syn = h2.expectFrame({ flags: TCP_SYN });
  h2.inject({ srcPort: 80, dstPort: syn.srcPort, seq: 1, ack: syn.seq + 1, flags: TCP_SYN | TCP_ACK });
  h2.expectFrame({ flags: TCP_ACK });
  assert.equal(s.sendMss, 536);
  s.send(new Uint8Array(1000), 0, 1000, h2.now());
  // Nagle (RFC 1122 §4.2.3.4) holds the short remainder until the first segment is acknowledged.
  assert.deepEqual(h2.sent().map((x) => x.len), [536]);
  h2.inject({ srcPort: 80, dstPort: syn.srcPort, seq: 2, ack: syn.seq + 1 + 536, flags: TCP_ACK });
  h2.expectFrame({ len: 464, seq: syn.seq + 1 + 536 });
});

test('two stacks connect over a memory link', () => {
  const p = connectedPair();
  assert.equal(p.client.state, TcpState.Established);
  assert.equal(p.server.state, TcpState.Established);
  assert.equal(p.client.remotePort, 7);
  assert.equal(p.server.remotePort, p.client.localPort);
  assert.equal(p.client.sendMss, 1460);
});

test('data sent right after a passive open arrives at once: the SYN-ACK opened the window', () => {
  const p = connectedPair();
  assert.equal(p.client.send(new Uint8Array(10), 0, 10, p.sim.now()), 10);
  p.sim.runFor(1);
  assert.equal(p.server.readable, 10);
  assert.equal(p.ta.counters.Tcp.RetransSegs, 0);
});
