// Retransmission (RFC 6298, RFC 5681): timeouts with exponential backoff, Karn's rule, the
// SYN retry limit, fast retransmit on three duplicate ACKs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_B, TcpHarness } from './harness.js';
import { synTimeLimit } from '../../src/transport/tcp/timers.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpEvent } from '../../src/transport/tcp/socket.js';
import { TCP_ACK, TCP_SYN } from '../../src/wire/tcp.js';

test('lost data is sent again after the RTO, and the RTO doubles each time', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  const sentAt = h.now();
  s.send(new Uint8Array(100), 0, 100, h.now());
  h.expectFrame({ seq: iss + 1, len: 100 });
  h.run(20_000);
  const again = h.sent();
  assert.ok(again.length >= 3);
  for (const a of again) assert.equal(a.seq, iss + 1);
  const gaps = again.map((a, i) => a.time - (i === 0 ? sentAt : again[i - 1]!.time));
  // The handshake took no time, so the RTT sample is 0 and the RTO its 200 ms floor.
  assert.deepEqual(gaps.slice(0, 4), [200, 400, 800, 1600]);
  assert.equal(h.tcp.counters.Tcp.RetransSegs, again.length);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 101, flags: TCP_ACK });
  h.run(20_000);
  h.expectNoFrame();
  assert.equal(s.state, TcpState.Established);
});

test('linux-2.6: the SYN is retried synRetries times with backoff, then connect times out', () => {
  const h = new TcpHarness({ synRetries: 3, synLinearTimeouts: 0 });
  const s = h.tcp.socket();
  let events = 0;
  s.onReadiness = () => events++;
  s.connect(IP_B, 80, h.now());
  h.run(60_000);
  const syns = h.sent();
  assert.equal(syns.length, 4);
  for (const x of syns) assert.equal(x.flags, TCP_SYN);
  assert.deepEqual(syns.slice(1).map((x, i) => x.time - syns[i]!.time), [1000, 2000, 4000]);
  assert.equal(s.state, TcpState.Closed);
  assert.ok(events > 0 && (s.readiness() & TcpEvent.Error) !== 0);
  assert.equal(s.takeError(), TcpErr.TimedOut);
  assert.equal(h.tcp.counters.Tcp.AttemptFails, 1);
});

test('linux >= 6.5: the first tcp_syn_linear_timeouts SYN retries come 1 s apart; connect fails when the doubling schedule would have ended', () => {
  const h = new TcpHarness({ synRetries: 3 });
  const s = h.tcp.socket();
  s.connect(IP_B, 80, h.now());
  const t0 = h.now();
  h.run(60_000);
  const syns = h.sent();
  assert.deepEqual(syns.map((x) => x.time - t0), [0, 1000, 2000, 3000, 4000, 5000, 7000, 11_000]);
  assert.equal(s.state, TcpState.Closed);
  assert.equal(s.takeError(), TcpErr.TimedOut);
});

test('synTimeLimit is (2^(retries+1) - 1) x the initial RTO until a wait reaches the cap (tcp_model_timeout)', () => {
  assert.equal(synTimeLimit(6, 1000, 120_000), 127_000);
  assert.equal(synTimeLimit(3, 1000, 120_000), 15_000);
  assert.equal(synTimeLimit(10, 1000, 120_000), 1000 + 2000 + 4000 + 8000 + 16_000 + 32_000 + 64_000 + 4 * 120_000);
});

test('a SYN-ACK is retried synAckRetries times, then the half-open connection is dropped', () => {
  const h = new TcpHarness({ synAckRetries: 2 });
  const l = h.tcp.socket();
  l.bind(0, 80);
  l.listen(4);
  h.inject({ srcPort: 40000, dstPort: 80, seq: 1, flags: TCP_SYN });
  h.run(60_000);
  assert.equal(h.sent().filter((x) => x.flags === (TCP_SYN | TCP_ACK)).length, 3);
  assert.equal(h.tcp.connectionCount, 0);
  assert.equal(l.synQueueLen, 0);
});

test('three duplicate ACKs trigger a fast retransmit before the RTO', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  const port = s.localPort;
  s.send(new Uint8Array(1460 * 13), 0, 1460 * 13, h.now());
  // The initial window is ten segments of 1460 (RFC 6928 §2).
  assert.equal(h.sent().length, 10);
  // The first two duplicate ACKs each send one new segment (limited transmit, RFC 3042).
  for (let i = 0; i < 2; i++) {
    h.inject({ srcPort: 80, dstPort: port, seq: peerNxt, ack: iss + 1, flags: TCP_ACK });
    h.expectFrame({ seq: iss + 1 + 1460 * (10 + i), len: 1460 });
  }
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt, ack: iss + 1, flags: TCP_ACK });
  h.expectFrame({ seq: iss + 1, len: 1460 });
  assert.equal(h.tcp.counters.TcpExt.TCPFastRetrans, 1);
  assert.equal(h.tcp.counters.TcpExt.TCPRenoRecovery, 1);
  assert.equal(h.tcp.counters.TcpExt.TCPTimeouts, 0);
  assert.ok(s.cc.inRecovery);
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt, ack: iss + 1 + 1460 * 12, flags: TCP_ACK });
  assert.ok(!s.cc.inRecovery);
  h.expectFrame({ seq: iss + 1 + 1460 * 12, len: 1460 });
});

test('data retries run out: the connection is aborted with TimedOut', () => {
  const h = new TcpHarness({ maxRetries: 3 });
  const { s } = h.connect();
  s.send(new Uint8Array(10), 0, 10, h.now());
  h.run(60_000);
  assert.equal(s.state, TcpState.Closed);
  assert.equal(s.takeError(), TcpErr.TimedOut);
  assert.equal(h.tcp.counters.TcpExt.TCPAbortOnTimeout, 1);
  assert.equal(h.tcp.counters.Tcp.EstabResets, 1);
});
