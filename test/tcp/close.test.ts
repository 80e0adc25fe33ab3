// Connection termination (RFC 9293 §3.6): active close through FIN-WAIT-1/2 and TIME-WAIT,
// passive close through CLOSE-WAIT and LAST-ACK, half-close, simultaneous close, and close
// between two stacks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness, connectedPair, drain } from './harness.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { SHUT_WR } from '../../src/transport/tcp/socket.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TCP_ACK, TCP_FIN, TCP_PSH } from '../../src/wire/tcp.js';

const enc = new TextEncoder();

test('active close: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT, then CLOSED after 2 MSL', () => {
  const h = new TcpHarness({ timeWaitMs: 1000 });
  const { s, iss, peerNxt } = h.connect();
  s.close(h.now());
  assert.equal(s.state, TcpState.FinWait1);
  h.expectFrame({ flags: TCP_FIN | TCP_ACK, seq: iss + 1, ack: peerNxt });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 2, flags: TCP_ACK });
  assert.equal(s.state, TcpState.FinWait2);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 2, flags: TCP_FIN | TCP_ACK });
  assert.equal(s.state, TcpState.TimeWait);
  h.expectFrame({ flags: TCP_ACK, seq: iss + 2, ack: peerNxt + 1 });
  // The peer's FIN again (our ACK was lost): acknowledged, and TIME-WAIT starts over.
  h.run(600);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 2, flags: TCP_FIN | TCP_ACK });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 1 });
  h.run(600);
  assert.equal(h.tcp.timeWaitCount, 1);
  h.run(500);
  // The closed socket was handed over to the TIME-WAIT table (time-wait.ts); the entry ends.
  assert.equal(h.tcp.timeWaitCount, 0);
  assert.equal(h.tcp.counters.TcpExt.TW, 1);
  assert.equal(h.tcp.connectionCount, 0);
});

test('passive close: CLOSE-WAIT, then LAST-ACK, then CLOSED', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_FIN | TCP_ACK | TCP_PSH, payload: enc.encode('bye') });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 4 });
  assert.equal(s.state, TcpState.CloseWait);
  const buf = new Uint8Array(10);
  assert.equal(s.recv(buf, 0, 10, h.now()), 3);
  assert.equal(s.recv(buf, 0, 10, h.now()), 0, 'end of stream');
  s.close(h.now());
  assert.equal(s.state, TcpState.LastAck);
  h.expectFrame({ flags: TCP_FIN | TCP_ACK, seq: iss + 1 });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + 4, ack: iss + 2, flags: TCP_ACK });
  assert.equal(s.state, TcpState.Closed);
  assert.equal(h.tcp.counters.Tcp.CurrEstab, 0);
  assert.equal(h.tcp.counters.Tcp.EstabResets, 0);
});

test('half-close: after shutdown(SHUT_WR) data still flows in', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  s.send(enc.encode('req'), 0, 3, h.now());
  assert.equal(s.shutdown(SHUT_WR, h.now()), 0);
  assert.equal(s.send(enc.encode('x'), 0, 1, h.now()), -TcpErr.Pipe);
  h.expectFrame({ len: 3 });
  h.expectFrame({ flags: TCP_FIN | TCP_ACK, seq: iss + 4 });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 5, flags: TCP_ACK | TCP_PSH, payload: enc.encode('response') });
  assert.equal(s.state, TcpState.FinWait2);
  h.expectFrame({ ack: peerNxt + 8 });
  assert.equal(new TextDecoder().decode(drain(s, h.now())), 'response');
});

test('simultaneous close: FIN crosses FIN, CLOSING, then TIME-WAIT', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  s.close(h.now());
  h.expectFrame({ flags: TCP_FIN | TCP_ACK, seq: iss + 1 });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_FIN | TCP_ACK });
  assert.equal(s.state, TcpState.Closing);
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 1 });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + 1, ack: iss + 2, flags: TCP_ACK });
  assert.equal(s.state, TcpState.TimeWait);
});

test('two stacks: the client closes, the server reads end of stream and closes; both end CLOSED', () => {
  const p = connectedPair({ timeWaitMs: 2000 });
  p.client.send(enc.encode('last words'), 0, 10, p.sim.now());
  p.client.close(p.sim.now());
  assert.ok(p.sim.runUntil(() => p.server.state === TcpState.CloseWait, { maxTime: 5000 }));
  assert.equal(new TextDecoder().decode(drain(p.server, p.sim.now())), 'last words');
  p.server.close(p.sim.now());
  assert.ok(p.sim.runUntil(() => p.server.state === TcpState.Closed && p.client.state === TcpState.TimeWait, { maxTime: 5000 }));
  assert.equal(p.ta.timeWaitCount, 1);
  p.sim.runFor(2500);
  assert.equal(p.ta.timeWaitCount, 0);
  assert.equal(p.ta.connectionCount + p.tb.connectionCount, 0);
});

test('closed connections give their rings back: TIME-WAIT its send ring, CLOSED both unless bytes wait unread', () => {
  const p = connectedPair({ timeWaitMs: 2000 });
  p.client.send(enc.encode('bye'), 0, 3, p.sim.now());
  p.client.close(p.sim.now());
  assert.ok(p.sim.runUntil(() => p.server.state === TcpState.CloseWait, { maxTime: 5000 }));
  drain(p.server, p.sim.now());
  p.server.close(p.sim.now());
  assert.ok(p.sim.runUntil(() => p.server.state === TcpState.Closed && p.client.state === TcpState.TimeWait, { maxTime: 5000 }));
  assert.equal(p.client.hasSendBuf, false, 'TIME-WAIT: nothing more to send');
  assert.equal(p.client.hasRecvBuf, false, 'TIME-WAIT: the entry remembers the window its ACKs advertise, not the ring');
  assert.equal(p.server.hasSendBuf, false);
  assert.equal(p.server.hasRecvBuf, false);
  p.sim.runFor(2500);
  assert.equal(p.ta.timeWaitCount, 0);
  assert.equal(p.client.hasRecvBuf, false);

  // Reset with bytes unread: they stay readable, then the end.
  const q = connectedPair();
  q.server.send(enc.encode('unread'), 0, 6, q.sim.now());
  assert.ok(q.sim.runUntil(() => q.client.readable === 6, { maxTime: 5000 }));
  q.server.abort(q.sim.now());
  assert.ok(q.sim.runUntil(() => q.client.state === TcpState.Closed, { maxTime: 5000 }));
  assert.equal(q.client.hasSendBuf, false);
  assert.equal(q.client.hasRecvBuf, true);
  const buf = new Uint8Array(16);
  assert.equal(q.client.recv(buf, 0, 16, q.sim.now()), 6);
  assert.equal(new TextDecoder().decode(buf.subarray(0, 6)), 'unread');
});

test('close() with unread data resets the connection, as Linux does', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: enc.encode('unread') });
  h.expectFrame({ ack: peerNxt + 6 });
  s.close(h.now());
  h.expectFrame({ flags: 0x04 | TCP_ACK, seq: iss + 1, ack: peerNxt + 6 });
  assert.equal(s.state, TcpState.Closed);
  assert.equal(h.tcp.counters.TcpExt.TCPAbortOnClose, 1);
});
