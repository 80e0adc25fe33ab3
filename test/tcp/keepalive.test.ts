// Keepalive (RFC 1122 §4.2.3.6, Linux's semantics) and the user timeout (RFC 5482, Linux
// TCP_USER_TIMEOUT).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness } from './harness.js';
import { TCP_ACK, TCP_RST } from '../../src/wire/tcp.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpState } from '../../src/transport/tcp/state.js';

test('defaults are Linux\'s: 7200 s idle, 75 s interval, 9 probes, keepalive off', () => {
  const h = new TcpHarness();
  const s = h.tcp.socket();
  assert.deepEqual([s.keepAlive, s.keepIdleMs, s.keepIntvlMs, s.keepCnt, s.userTimeoutMs], [false, 7_200_000, 75_000, 9, 0]);
});

test('an idle connection is probed at SND.UNA − 1; an answer keeps it; keepCnt unanswered probes reset it with TimedOut', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  s.keepIdleMs = 1000;
  s.keepIntvlMs = 100;
  s.keepCnt = 3;
  s.setKeepAlive(true, h.now());
  h.run(999);
  h.expectNoFrame();
  h.run(1);
  h.expectFrame({ flags: TCP_ACK, seq: iss, ack: peerNxt, len: 0 });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK });
  h.run(500);
  h.expectNoFrame(); // the answer restarted the idle time
  h.run(500);
  h.expectFrame({ seq: iss, len: 0 });
  h.run(350);
  const rest = h.sent();
  assert.deepEqual(rest.map((x) => x.flags & TCP_RST ? 'rst' : 'probe'), ['probe', 'probe', 'rst']);
  assert.equal(s.state, TcpState.Closed);
  assert.equal(s.takeError(), TcpErr.TimedOut);
  assert.equal(h.tcp.counters.TcpExt.TCPKeepAlive, 4);
});

test('keepalive off sends nothing; turning it off disarms the timer', () => {
  const h = new TcpHarness();
  const { s } = h.connect();
  s.keepIdleMs = 1000;
  s.setKeepAlive(true, h.now());
  s.setKeepAlive(false, h.now());
  h.run(10_000);
  h.expectNoFrame();
});

test('user timeout: data unacknowledged for userTimeoutMs ends the connection before the retries run out', () => {
  const h = new TcpHarness();
  const { s } = h.connect();
  s.userTimeoutMs = 3000;
  const t0 = h.now();
  s.send(new Uint8Array(10), 0, 10, h.now());
  let end = -1;
  s.onReadiness = () => {
    if (end < 0 && s.state === TcpState.Closed) end = h.now();
  };
  h.run(10_000);
  assert.equal(s.state, TcpState.Closed);
  assert.equal(s.takeError(), TcpErr.TimedOut);
  assert.equal(end - t0, 3000); // the RTO was clamped to the deadline
});
