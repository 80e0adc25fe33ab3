// SACK (RFC 2018) and SACK-based loss recovery (RFC 6675): the blocks our ACKs carry, and
// how the sender uses the peer's blocks (IsLost, pipe, NextSeg).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness } from './harness.js';
import { TCP_ACK } from '../../src/wire/tcp.js';

const MSS = 1460;

test('out-of-order data is reported in SACK blocks, most recent first, 3 beside timestamps', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, MSS, 65535, { sackPermitted: true, ts: [1, 0] });
  assert.equal(s.sackOk, true);
  const seg = (off: number): void => h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + off, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(100), ts: [2, 0] });
  seg(1000);
  assert.deepEqual(h.expectFrame({ ack: peerNxt }).sack, [[peerNxt + 1000, peerNxt + 1100]]);
  seg(3000);
  seg(2000);
  h.sent();
  seg(4000);
  const a = h.expectFrame({ ack: peerNxt });
  assert.deepEqual(a.sack, [[peerNxt + 4000, peerNxt + 4100], [peerNxt + 2000, peerNxt + 2100], [peerNxt + 3000, peerNxt + 3100]]);
  // Growing an old block makes it the first one (RFC 2018 §4).
  seg(1100);
  assert.deepEqual(h.expectFrame({ ack: peerNxt }).sack[0], [peerNxt + 1000, peerNxt + 1200]);
  // The hole at RCV.NXT fills: the ACK moves, and the block it swallowed is gone.
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(1000), ts: [3, 0] });
  const b = h.expectFrame({ ack: peerNxt + 1200 });
  assert.deepEqual(b.sack.map((x) => x[0] - peerNxt), [4000, 2000, 3000]);
});

test('without timestamps an ACK carries up to 4 SACK blocks; without SACK-permitted none', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, MSS, 65535, { sackPermitted: true });
  for (const off of [1000, 2000, 3000, 4000, 5000]) {
    h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + off, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(100) });
  }
  const acks = h.sent();
  assert.equal(acks.at(-1)!.sack.length, 4);
  const h2 = new TcpHarness();
  const c = h2.connect();
  h2.inject({ srcPort: 80, dstPort: c.s.localPort, seq: c.peerNxt + 1000, ack: c.iss + 1, flags: TCP_ACK, payload: new Uint8Array(100) });
  assert.deepEqual(h2.expectFrame({ ack: c.peerNxt }).sack, []);
});

test('RFC 6675: one ACK SACKing three segments starts recovery; two holes are both sent again before any partial ACK', () => {
  const h = new TcpHarness({ congestion: 'newreno' });
  const { s, iss, peerNxt } = h.connect(5000, MSS, 65535, { sackPermitted: true });
  const at = (i: number): number => iss + 1 + i * MSS;
  s.send(new Uint8Array(MSS * 20), 0, MSS * 20, h.now());
  assert.equal(h.sent().length, 10); // RFC 6928 initial window
  // Segments 0 and 2 are lost; the peer SACKs 1 and 3..9 in one duplicate ACK.
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: at(0), flags: TCP_ACK, sack: [[at(3), at(10)], [at(1), at(2)]] });
  const out = h.sent();
  assert.equal(h.tcp.counters.TcpExt.TCPSackRecovery, 1);
  assert.ok(s.cc.inRecovery);
  // cwnd = ssthresh = half of 10 segments; pipe = the two retransmissions; so three new ones.
  assert.equal(s.cc.cwnd, 5 * MSS);
  assert.deepEqual(out.map((x) => (x.seq - iss - 1) / MSS), [0, 2, 10, 11, 12]);
  // A partial ACK (up to 2) sends nothing more under NewReno's rule; here pipe decides.
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: at(2), flags: TCP_ACK, sack: [[at(3), at(10)]] });
  assert.ok(s.cc.inRecovery);
  // The ACK covering RecoveryPoint (segment 10 sent when recovery began) ends it.
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: at(10), flags: TCP_ACK });
  assert.ok(!s.cc.inRecovery);
});

test('without SACK the same losses need a partial ACK for the second hole (RFC 6582)', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, MSS, 65535);
  const at = (i: number): number => iss + 1 + i * MSS;
  s.send(new Uint8Array(MSS * 20), 0, MSS * 20, h.now());
  h.sent();
  for (let i = 0; i < 3; i++) h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: at(0), flags: TCP_ACK });
  const out = h.sent().map((x) => (x.seq - iss - 1) / MSS);
  assert.deepEqual(out, [10, 11, 0]); // two limited-transmit segments, then the fast retransmit
  assert.equal(h.tcp.counters.TcpExt.TCPRenoRecovery, 1);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: at(2), flags: TCP_ACK });
  assert.equal(h.sent()[0]!.seq, at(2));
});

test('SACK information is cleared by a retransmission timeout (RFC 2018 §8)', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, MSS, 65535, { sackPermitted: true });
  const at = (i: number): number => iss + 1 + i * MSS;
  s.send(new Uint8Array(MSS * 4), 0, MSS * 4, h.now());
  h.sent();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: at(0), flags: TCP_ACK, sack: [[at(2), at(3)]] });
  assert.equal(s.sb.count, 1);
  h.run(1000);
  assert.equal(s.sb.count, 0);
  assert.equal(h.sent()[0]!.seq, at(0));
});
