// Data transfer (RFC 9293 §3.8-3.9): both directions, out-of-order segments reassembled,
// old data acknowledged and dropped, a larger transfer between two stacks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness, concat, connectedPair, drain } from './harness.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpEvent } from '../../src/transport/tcp/socket.js';
import { TCP_ACK, TCP_PSH } from '../../src/wire/tcp.js';

const enc = new TextEncoder();

test('data both ways with a raw peer: received bytes are read in order and acknowledged', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  const buf = new Uint8Array(100);
  assert.equal(s.recv(buf, 0, 100, h.now()), -TcpErr.WouldBlock);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK | TCP_PSH, payload: enc.encode('hello') });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 5 });
  assert.ok(s.readiness() & TcpEvent.Readable);
  assert.equal(s.recv(buf, 0, 100, h.now()), 5);
  assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), 'hello');
  assert.equal(s.send(enc.encode('world'), 0, 5, h.now()), 5);
  const d = h.expectFrame({ flags: TCP_ACK | TCP_PSH, seq: iss + 1, ack: peerNxt + 5, len: 5 });
  assert.equal(new TextDecoder().decode(d.payload), 'world');
  assert.equal(s.unacked, 5);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + 5, ack: iss + 6, flags: TCP_ACK });
  assert.equal(s.unacked, 0);
  assert.equal(h.tcp.timers.size, 0, 'nothing outstanding: no timer armed');
});

test('out-of-order segments are held and delivered in order once the hole fills', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  const port = s.localPort;
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt + 3, ack: iss + 1, flags: TCP_ACK, payload: enc.encode('def') });
  // A segment past a hole is acknowledged at once with the old RCV.NXT (a duplicate ACK).
  h.expectFrame({ ack: peerNxt });
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt + 9, ack: iss + 1, flags: TCP_ACK, payload: enc.encode('jkl') });
  h.expectFrame({ ack: peerNxt });
  assert.equal(s.readable, 0);
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: enc.encode('abc') });
  h.expectFrame({ ack: peerNxt + 6 });
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt + 6, ack: iss + 1, flags: TCP_ACK, payload: enc.encode('ghi') });
  h.expectFrame({ ack: peerNxt + 12 });
  assert.equal(new TextDecoder().decode(drain(s, h.now())), 'abcdefghijkl');
});

test('a segment overlapping RCV.NXT is trimmed; an old one is acknowledged and dropped', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  const port = s.localPort;
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: enc.encode('abcd') });
  h.expectFrame({ ack: peerNxt + 4 });
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt + 2, ack: iss + 1, flags: TCP_ACK, payload: enc.encode('cdef') });
  h.expectFrame({ ack: peerNxt + 6 });
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: enc.encode('abcd') });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 6 });
  assert.equal(new TextDecoder().decode(drain(s, h.now())), 'abcdef');
  assert.equal(h.tcp.counters.TcpExt.TCPOutOfWindow, 1);
});

test('two stacks exchange 1 MiB each way', () => {
  const p = connectedPair({ sendBufSize: 65536, recvBufSize: 65535 }, 1);
  const total = 1 << 20;
  const a = new Uint8Array(total).map((_, i) => (i * 7) & 0xff);
  const b = new Uint8Array(total).map((_, i) => (i * 13 + 5) & 0xff);
  let sentA = 0;
  let sentB = 0;
  const gotA: Uint8Array[] = [];
  const gotB: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  const pump = (): boolean => {
    const now = p.sim.now();
    if (sentA < total) { const n = p.client.send(a, sentA, total - sentA, now); if (n > 0) sentA += n; }
    if (sentB < total) { const n = p.server.send(b, sentB, total - sentB, now); if (n > 0) sentB += n; }
    for (let n; (n = p.server.recv(buf, 0, buf.length, now)) > 0; ) gotB.push(buf.slice(0, n));
    for (let n; (n = p.client.recv(buf, 0, buf.length, now)) > 0; ) gotA.push(buf.slice(0, n));
    return gotA.reduce((x, y) => x + y.length, 0) === total && gotB.reduce((x, y) => x + y.length, 0) === total;
  };
  p.client.onReadiness = pump;
  p.server.onReadiness = pump;
  pump();
  assert.ok(p.sim.runUntil(pump, { maxTime: 60_000 }), 'transfer did not finish');
  assert.deepEqual(concat(gotB), a);
  assert.deepEqual(concat(gotA), b);
  assert.equal(p.ta.counters.Tcp.RetransSegs, 0);
});
