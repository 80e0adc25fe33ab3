// RFC 5961 completion: the ACK-value check (§5.2), the challenge-ACK rate limit (§7) and
// the bounded memory for out-of-order data (a per-layer budget, Linux's TCPOFODrop).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness } from './harness.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../../src/wire/tcp.js';
import { TcpState } from '../../src/transport/tcp/state.js';

test('an ACK below SND.UNA − MAX.SND.WND gets a challenge ACK and its data is dropped (§5.2)', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, 1460, 1000);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1 - 2000, flags: TCP_ACK, payload: new Uint8Array(10) });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt });
  assert.equal(s.readable, 0);
  assert.equal(h.tcp.counters.TcpExt.TCPChallengeACK, 1);
  // Within MAX.SND.WND below SND.UNA: an old ACK, but the data is taken.
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1 - 500, flags: TCP_ACK, payload: new Uint8Array(10) });
  assert.equal(s.readable, 10);
});

test('challenge ACKs are limited per second for the layer (§7, tcp_challenge_ack_limit)', () => {
  const h = new TcpHarness({ challengeAckLimit: 2 });
  const { s, iss, peerNxt } = h.connect();
  for (let i = 0; i < 4; i++) h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + 100 + i, flags: TCP_RST });
  assert.equal(h.sent().length, 2);
  assert.equal(h.tcp.counters.TcpExt.TCPChallengeACK, 2);
  assert.equal(h.tcp.counters.TcpExt.TCPChallengeACKLimited, 2);
  h.run(1000);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_SYN });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt });
  assert.equal(s.state, TcpState.Established);
});

test('out-of-order data over the layer budget is dropped and counted (TCPOFODrop)', () => {
  const h = new TcpHarness({ oooHostBudget: 3000 });
  const { s, iss, peerNxt } = h.connect();
  const ooo = (off: number): void => h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + off, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(1000) });
  ooo(1000);
  ooo(3000);
  ooo(5000);
  assert.equal(h.tcp.oooBytes, 3000);
  ooo(7000);
  assert.equal(h.tcp.counters.TcpExt.TCPOFODrop, 1);
  assert.equal(h.tcp.oooBytes, 3000);
  // Filling the first hole moves bytes out of the out-of-order count.
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(1000) });
  assert.equal(s.readable, 2000);
  assert.equal(h.tcp.oooBytes, 2000);
  s.abort(h.now());
  assert.equal(h.tcp.oooBytes, 0);
});
