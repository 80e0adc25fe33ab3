// Delayed ACKs (RFC 1122 §4.2.3.2, RFC 5681 §4.2), Nagle's algorithm (RFC 896, RFC 9293
// §3.7.4) with TCP_NODELAY, and TCP_CORK (Linux: at most 200 ms).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness } from './harness.js';
import { TCP_ACK } from '../../src/wire/tcp.js';

function pastQuickAck(h: TcpHarness, port: number, iss: number, peerNxt: number): number {
  // Quick-ACK mode acknowledges the first 16 segments at once; use them up.
  let seq = peerNxt;
  for (let i = 0; i < 16; i++) {
    h.inject({ srcPort: 80, dstPort: port, seq, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(100) });
    seq += 100;
  }
  assert.equal(h.sent().length, 16);
  return seq;
}

test('after quick-ACK mode, a lone segment is acknowledged by the delayed-ACK timer (40 ms)', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  let seq = pastQuickAck(h, s.localPort, iss, peerNxt);
  const t0 = h.now();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(100) });
  seq += 100;
  h.expectNoFrame();
  h.run(100);
  const a = h.expectFrame({ flags: TCP_ACK, ack: seq });
  assert.equal(a.time - t0, 40);
  assert.equal(h.tcp.counters.TcpExt.DelayedACKs, 1);
});

test('an ACK goes out at once for every second full-sized segment', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  let seq = pastQuickAck(h, s.localPort, iss, peerNxt);
  for (let i = 0; i < 2; i++) {
    h.inject({ srcPort: 80, dstPort: s.localPort, seq, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(1460) });
    seq += 1460;
  }
  h.expectFrame({ flags: TCP_ACK, ack: seq });
  assert.equal(h.tcp.counters.TcpExt.DelayedACKs, 0);
});

test('out-of-order data is acknowledged at once, and so is the segment that fills the hole', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  const seq = pastQuickAck(h, s.localPort, iss, peerNxt);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: seq + 100, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(100) });
  h.expectFrame({ flags: TCP_ACK, ack: seq });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(100) });
  h.expectFrame({ flags: TCP_ACK, ack: seq + 200 });
});

test('delAckMs 0 acknowledges every segment at once', () => {
  const h = new TcpHarness({ delAckMs: 0 });
  const { s, iss, peerNxt } = h.connect();
  const seq = pastQuickAck(h, s.localPort, iss, peerNxt);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(100) });
  h.expectFrame({ flags: TCP_ACK, ack: seq + 100 });
});

test('Nagle: a small segment waits while data is unacknowledged; TCP_NODELAY sends it', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  s.send(new Uint8Array(10), 0, 10, h.now());
  h.expectFrame({ seq: iss + 1, len: 10 });
  s.send(new Uint8Array(10), 0, 10, h.now());
  h.expectNoFrame();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 11, flags: TCP_ACK });
  h.expectFrame({ seq: iss + 11, len: 10 });
  s.noDelay = true;
  s.send(new Uint8Array(10), 0, 10, h.now());
  h.expectFrame({ seq: iss + 21, len: 10 });
});

test('cork holds a partial segment until uncorked, or at most 200 ms; a full segment goes at once', () => {
  const h = new TcpHarness();
  const { s, iss } = h.connect();
  s.cork = true;
  const t0 = h.now();
  s.send(new Uint8Array(100), 0, 100, h.now());
  h.expectNoFrame();
  h.run(300);
  const a = h.expectFrame({ seq: iss + 1, len: 100 });
  assert.equal(a.time - t0, 200);
  s.send(new Uint8Array(1500), 0, 1500, h.now());
  h.expectFrame({ seq: iss + 101, len: 1460 });
  h.expectNoFrame();
  // Uncorking pushes, Nagle permitting (Linux); TCP_NODELAY with TCP_CORK is the usual pair.
  s.noDelay = true;
  s.setCork(false, h.now());
  h.expectFrame({ seq: iss + 1561, len: 40 });
});
