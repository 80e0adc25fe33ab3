// Flow control (RFC 9293 §3.8.6): the advertised window follows the reader, a zero window
// is probed by the persist timer, silly-window avoidance on both sides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness } from './harness.js';
import { TCP_ACK } from '../../src/wire/tcp.js';

test('the advertised window shrinks as data waits unread and reopens once it is read', () => {
  const h = new TcpHarness({ recvBufSize: 4000 });
  const { s, iss, peerNxt } = h.connect();
  const port = s.localPort;
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(1460) });
  h.expectFrame({ ack: peerNxt + 1460, window: 4000 - 1460 });
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt + 1460, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(1460) });
  h.expectFrame({ ack: peerNxt + 2920, window: 4000 - 2920 });
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt + 2920, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(1080) });
  h.expectFrame({ ack: peerNxt + 4000, window: 0 });
  // A byte past a zero window is not accepted; the ACK repeats the zero window.
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt + 4000, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(1) });
  h.expectFrame({ ack: peerNxt + 4000, window: 0 });
  // Reading a little does not reopen the window (receiver SWS avoidance, RFC 9293 §3.8.6.2.2).
  s.recv(new Uint8Array(100), 0, 100, h.now());
  h.expectNoFrame();
  // Reading at least half the buffer sends a window update.
  s.recv(new Uint8Array(3000), 0, 3000, h.now());
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 4000, window: 3100 });
});

test('a zero window is probed by the persist timer with growing intervals until it opens', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, 1460, 1000);
  const port = s.localPort;
  s.noDelay = true;
  s.send(new Uint8Array(3000), 0, 3000, h.now());
  h.expectFrame({ seq: iss + 1, len: 1000 });
  h.expectNoFrame();
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt, ack: iss + 1001, flags: TCP_ACK, window: 0 });
  h.expectNoFrame();
  const t0 = h.now();
  h.run(10_000);
  const probes = h.sent();
  assert.ok(probes.length >= 3, `probes: ${probes.length}`);
  for (const p of probes) {
    assert.equal(p.seq, iss + 1001);
    assert.equal(p.len, 1);
  }
  const gaps = probes.map((p, i) => p.time - (i === 0 ? t0 : probes[i - 1]!.time));
  for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! > gaps[i - 1]!, `persist intervals grow: ${gaps.join(', ')}`);
  assert.equal(h.tcp.counters.TcpExt.TCPWinProbe, probes.length);
  // The window opens: the rest goes out.
  h.inject({ srcPort: 80, dstPort: port, seq: peerNxt, ack: iss + 1001, flags: TCP_ACK, window: 4000 });
  const rest = h.sent();
  assert.equal(rest.reduce((a, x) => a + x.len, 0), 2000);
  assert.equal(rest[0]!.seq, iss + 1001);
});

test('sender SWS avoidance: a small window is not filled with a tiny segment while data is in flight', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, 1000, 2100);
  s.send(new Uint8Array(5000), 0, 5000, h.now());
  assert.deepEqual(h.sent().map((x) => x.len), [1000, 1000]);
  // 100 bytes of window are left: less than an MSS and less than half the largest window.
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, window: 2100 });
  h.expectNoFrame();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 2001, flags: TCP_ACK, window: 2100 });
  assert.deepEqual(h.sent().map((x) => x.len), [1000, 1000]);
});
