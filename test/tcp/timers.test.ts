// Timers driven by the virtual clock: TIME-WAIT lasts 2 MSL (60 s by default, as Linux),
// a closed socket does not stay in FIN-WAIT-2 forever, and an idle connection arms nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness } from './harness.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { TCP_ACK, TCP_FIN } from '../../src/wire/tcp.js';

test('TIME-WAIT lasts 60 s by default', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  s.close(h.now());
  h.expectFrame({ flags: TCP_FIN | TCP_ACK });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 2, flags: TCP_FIN | TCP_ACK });
  assert.equal(s.state, TcpState.TimeWait);
  assert.equal(h.tcp.pollAt(), h.now() + 60_000);
  h.run(59_999);
  assert.equal(h.tcp.timeWaitCount, 1);
  h.run(1);
  assert.equal(h.tcp.timeWaitCount, 0);
  assert.equal(h.tcp.counters.TcpExt.TW, 1);
  assert.equal(h.tcp.timers.size, 0);
  assert.equal(h.tcp.pollAt(), Infinity);
});

test('a closed socket left in FIN-WAIT-2 by a silent peer is deleted after tcp_fin_timeout', () => {
  const h = new TcpHarness({ finTimeoutMs: 5000 });
  const { s, iss, peerNxt } = h.connect();
  s.close(h.now());
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 2, flags: TCP_ACK });
  assert.equal(s.state, TcpState.FinWait2);
  h.run(5000);
  assert.equal(s.state, TcpState.Closed);
  assert.equal(h.tcp.connectionCount, 0);
});

test('an idle established connection has no timer armed', () => {
  const h = new TcpHarness();
  h.connect();
  assert.equal(h.tcp.timers.size, 0);
  assert.equal(h.tcp.pollAt(), Infinity);
});
