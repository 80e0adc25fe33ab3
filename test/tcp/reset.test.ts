// Resets (RFC 9293 §3.5.2, §3.10.7): RST for segments to closed ports, RST in SYN-SENT
// (refused) and ESTABLISHED (reset), RST checks of RFC 5961, abort.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_B, TcpHarness, connectedPair } from './harness.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpEvent } from '../../src/transport/tcp/socket.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../../src/wire/tcp.js';

test('a SYN to a closed port gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>', () => {
  const h = new TcpHarness();
  h.inject({ srcPort: 40000, dstPort: 81, seq: 1234, flags: TCP_SYN });
  h.expectFrame({ flags: TCP_RST | TCP_ACK, seq: 0, ack: 1235, srcPort: 81, dstPort: 40000, window: 0 });
  h.inject({ srcPort: 40000, dstPort: 81, seq: 1234, flags: 0, payload: new Uint8Array(10) });
  h.expectFrame({ flags: TCP_RST | TCP_ACK, seq: 0, ack: 1244 });
  assert.equal(h.tcp.counters.Tcp.OutRsts, 2);
});

test('an ACK to a closed port gets <SEQ=SEG.ACK><CTL=RST>; a RST gets nothing', () => {
  const h = new TcpHarness();
  h.inject({ srcPort: 40000, dstPort: 81, seq: 1234, ack: 999, flags: TCP_ACK });
  h.expectFrame({ flags: TCP_RST, seq: 999 });
  h.inject({ srcPort: 40000, dstPort: 81, seq: 1234, flags: TCP_RST });
  h.expectNoFrame();
});

test('an ACK to a listener gets a RST; a RST to a listener is ignored', () => {
  const h = new TcpHarness();
  const l = h.tcp.socket();
  l.bind(0, 80);
  l.listen(4);
  h.inject({ srcPort: 40000, dstPort: 80, seq: 5, ack: 77, flags: TCP_ACK });
  h.expectFrame({ flags: TCP_RST, seq: 77 });
  h.inject({ srcPort: 40000, dstPort: 80, seq: 5, flags: TCP_RST });
  h.expectNoFrame();
  assert.equal(l.state, TcpState.Listen);
});

test('RST in SYN-SENT with an acceptable ACK: connection refused', () => {
  const h = new TcpHarness();
  const s = h.tcp.socket();
  s.connect(IP_B, 80, h.now());
  const syn = h.expectFrame({ flags: TCP_SYN });
  // A RST whose ACK does not cover our SYN is not believed.
  h.inject({ srcPort: 80, dstPort: syn.srcPort, seq: 0, ack: syn.seq, flags: TCP_RST | TCP_ACK });
  assert.equal(s.state, TcpState.SynSent);
  h.inject({ srcPort: 80, dstPort: syn.srcPort, seq: 0, ack: syn.seq + 1, flags: TCP_RST | TCP_ACK });
  assert.equal(s.state, TcpState.Closed);
  assert.ok(s.readiness() & TcpEvent.Error);
  assert.equal(s.recv(new Uint8Array(1), 0, 1, h.now()), -TcpErr.Refused);
  assert.equal(h.tcp.counters.Tcp.AttemptFails, 1);
  assert.equal(h.tcp.timers.size, 0);
});

test('two stacks: connect to a port nobody listens on is refused', () => {
  const p = connectedPair();
  const s = p.ta.socket();
  let err = 0;
  s.onReadiness = (x) => { if (x.readiness() & TcpEvent.Error) err = x.takeError(); };
  s.connect(IP_B, 9999, p.sim.now());
  assert.ok(p.sim.runUntil(() => err !== 0, { maxTime: 5000 }));
  assert.equal(err, TcpErr.Refused);
});

test('RST in ESTABLISHED at RCV.NXT resets; elsewhere in the window it gets a challenge ACK', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + 100, flags: TCP_RST });
  assert.equal(s.state, TcpState.Established);
  h.expectFrame({ flags: TCP_ACK, seq: iss + 1, ack: peerNxt });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + 1_000_000, flags: TCP_RST });
  h.expectNoFrame();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, flags: TCP_RST });
  assert.equal(s.state, TcpState.Closed);
  assert.equal(s.recv(new Uint8Array(1), 0, 1, h.now()), -TcpErr.Reset);
  assert.equal(h.tcp.counters.Tcp.EstabResets, 1);
  assert.equal(h.tcp.counters.Tcp.CurrEstab, 0);
  assert.equal(h.tcp.counters.TcpExt.TCPChallengeACK, 1);
});

test('a SYN in ESTABLISHED gets a challenge ACK (RFC 5961 §4)', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + 10, flags: TCP_SYN });
  h.expectFrame({ flags: TCP_ACK, seq: iss + 1, ack: peerNxt });
  assert.equal(s.state, TcpState.Established);
});

test('abort sends a RST and the peer stack reports a reset', () => {
  const p = connectedPair();
  p.client.abort(p.sim.now());
  assert.equal(p.client.state, TcpState.Closed);
  assert.ok(p.sim.runUntil(() => p.server.state === TcpState.Closed, { maxTime: 1000 }));
  assert.equal(p.server.recv(new Uint8Array(1), 0, 1, p.sim.now()), -TcpErr.Reset);
});
