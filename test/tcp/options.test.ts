// TCP options (RFC 7323, RFC 2018) on the wire: what the SYN offers, what the SYN-ACK
// echoes, window scaling both ways, timestamps (TSecr, RTTM during retransmission, PAWS,
// the TS.Recent update rule).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness } from './harness.js';
import { TCP_ACK, TCP_SYN } from '../../src/wire/tcp.js';

const PEER_TS = 1_000_000;

test('the SYN offers MSS, window scale 7 (6 MiB auto-tuning limit), SACK-permitted and timestamps with TSecr 0', () => {
  const h = new TcpHarness();
  const s = h.tcp.socket();
  s.connect(0xc0000202, 80, h.now());
  const syn = h.expectFrame({ flags: TCP_SYN, mss: 1460 });
  assert.equal(syn.wscale, 7);
  assert.equal(syn.sackPermitted, true);
  assert.ok(syn.ts !== null);
  assert.equal(syn.ts[1], 0);
  // RFC 7323 §2.2: the SYN's window is not scaled.
  assert.equal(syn.window, 65535);
});

test('options the layer turns off are not offered', () => {
  const h = new TcpHarness({ windowScaling: false, timestamps: false, sack: false });
  const s = h.tcp.socket();
  s.connect(0xc0000202, 80, h.now());
  const syn = h.expectFrame({ flags: TCP_SYN });
  assert.equal(syn.wscale, -1);
  assert.equal(syn.sackPermitted, false);
  assert.equal(syn.ts, null);
});

test('a SYN-ACK without options turns them off: no timestamps, an unscaled window', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect();
  assert.equal(s.wsOk, false);
  assert.equal(s.tsOk, false);
  assert.equal(s.sackOk, false);
  s.send(new Uint8Array(100), 0, 100, h.now());
  const d = h.expectFrame({ seq: iss + 1, len: 100, window: 65535 });
  assert.equal(d.ts, null);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 101, flags: TCP_ACK, window: 1000 });
  assert.equal(s.sndWnd, 1000);
});

test('window scaling: our window is shifted right by 7, the peer\'s left by its shift; no 65535 cap', () => {
  const h = new TcpHarness({ recvBufSize: 1 << 20 });
  const { s, iss, peerNxt } = h.connect(5000, 1460, 65535, { wscale: 2 });
  assert.equal(s.wsOk, true);
  assert.equal(s.rcvWscale, 7);
  assert.equal(s.sndWscale, 2);
  // RFC 7323 §2.2: the SYN-ACK's window is not scaled.
  assert.equal(s.sndWnd, 65535);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, window: 730 });
  assert.equal(s.sndWnd, 2920);
  s.noDelay = true;
  s.send(new Uint8Array(10000), 0, 10000, h.now());
  const out = h.sent();
  assert.equal(out.reduce((a, x) => a + x.len, 0), 2920, 'the scaled window (2920) limits what goes out');
  // 1 MiB of free buffer advertised as 1048576 >> 7 = 8192: far past 65535 bytes.
  assert.equal(out[0]!.window, 8192);
});

test('a passive open echoes what the SYN offered, and only that', () => {
  const h = new TcpHarness();
  const l = h.tcp.socket();
  l.bind(0, 80);
  l.listen(4);
  h.inject({ srcPort: 40000, dstPort: 80, seq: 100, flags: TCP_SYN, mss: 1460, wscale: 3, sackPermitted: true, ts: [PEER_TS, 0] });
  const sa = h.expectFrame({ flags: TCP_SYN | TCP_ACK, ack: 101 });
  assert.equal(sa.wscale, 7);
  assert.equal(sa.sackPermitted, true);
  assert.deepEqual(sa.ts?.[1], PEER_TS);
  h.inject({ srcPort: 40001, dstPort: 80, seq: 100, flags: TCP_SYN, mss: 1460 });
  const sb = h.expectFrame({ flags: TCP_SYN | TCP_ACK, ack: 101 });
  assert.equal(sb.wscale, -1);
  assert.equal(sb.sackPermitted, false);
  assert.equal(sb.ts, null);
});

test('timestamps: every segment carries TSval, TSecr echoes the peer, and data segments shrink by 12 bytes', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, 1460, 65535, { ts: [PEER_TS, 0] });
  assert.equal(s.tsOk, true);
  s.noDelay = true;
  s.send(new Uint8Array(3000), 0, 3000, h.now());
  const segs = h.sent();
  assert.deepEqual(segs.map((x) => x.len), [1448, 1448, 104]);
  for (const x of segs) assert.equal(x.ts?.[1], PEER_TS);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 3001, flags: TCP_ACK, ts: [PEER_TS + 5, segs[0]!.ts![0]] });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 3001, flags: TCP_ACK, payload: new Uint8Array(10), ts: [PEER_TS + 6, segs[0]!.ts![0]] });
  const ack = h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 10 });
  assert.equal(ack.ts?.[1], PEER_TS + 6);
});

test('RTTM (RFC 7323 §4): an ACK of a retransmitted segment gives an RTT sample from its TSecr', () => {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, 1460, 65535, { ts: [PEER_TS, 0] });
  assert.equal(s.rtt.srtt, 0); // the SYN-ACK's TSecr gave the first sample: 0 ms
  s.send(new Uint8Array(100), 0, 100, h.now());
  h.expectFrame({ seq: iss + 1, len: 100 });
  h.run(200);
  const rtx = h.expectFrame({ seq: iss + 1, len: 100 });
  assert.equal(s.rtt.backoff, 1);
  h.run(50);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 101, flags: TCP_ACK, ts: [PEER_TS + 1, rtx.ts![0]] });
  // RFC 6298 §2.3 with R = 50: SRTT = 7/8 × 0 + 1/8 × 50. Karn's rule alone would take no sample.
  assert.equal(s.rtt.srtt, 6.25);
  assert.equal(s.rtt.backoff, 0);
});

test('PAWS (RFC 7323 §5): a segment with an older TSval is dropped and acknowledged; a newer one is taken', () => {
  const h = new TcpHarness();
  const { s, peerNxt, iss } = h.connect(5000, 1460, 65535, { ts: [PEER_TS, 0] });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(10), ts: [PEER_TS - 1, 0] });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt });
  assert.equal(s.readable, 0);
  assert.equal(h.tcp.counters.TcpExt.PAWSEstab, 1);
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(10), ts: [PEER_TS + 1, 0] });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 10 });
  assert.equal(s.readable, 10);
  // A RST is not subject to PAWS (§5.3 R1).
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + 10, flags: 0x04, ts: [PEER_TS - 100, 0] });
  assert.equal(s.state, 0);
});

test('TS.Recent (RFC 7323 §4.3): a segment past Last.ACK.sent does not update it, so the ACK echoes the earlier time', () => {
  const h = new TcpHarness();
  const { s, peerNxt, iss } = h.connect(5000, 1460, 65535, { ts: [PEER_TS, 0] });
  // Out of order: starts past Last.ACK.sent (= RCV.NXT).
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt + 100, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(10), ts: [PEER_TS + 50, 0] });
  const a1 = h.expectFrame({ flags: TCP_ACK, ack: peerNxt });
  assert.equal(a1.ts?.[1], PEER_TS);
  // The hole fills: this segment starts at Last.ACK.sent, so its TSval is taken.
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1, flags: TCP_ACK, payload: new Uint8Array(100), ts: [PEER_TS + 60, 0] });
  const a2 = h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 110 });
  assert.equal(a2.ts?.[1], PEER_TS + 60);
});

// Linux's tcp_parse_options (net/ipv4/tcp_input.c) never drops a segment for its options:
// a length of 0 or 1, or one past the header, ends the parse ("silly options", "don't
// parse partial options"); a known option of the wrong size is not used. RFC 9293's MUST-7
// only asks that such lengths be handled; we do what a Linux peer does.

test('a SYN with a malformed option length is answered: the options before it count, none after it', () => {
  const h = new TcpHarness();
  const l = h.tcp.socket();
  l.bind(0, 80);
  l.listen(4);
  // MSS 536, window scale 3, an unknown option of length 0, SACK-permitted (not seen).
  h.inject({ srcPort: 40000, dstPort: 80, seq: 100, flags: TCP_SYN, rawOptions: [2, 4, 0x02, 0x18, 3, 3, 3, 30, 0, 4, 2] });
  const sa = h.expectFrame({ flags: TCP_SYN | TCP_ACK, ack: 101 });
  assert.equal(sa.wscale, 7, 'window scale was offered before the bad option');
  assert.equal(sa.sackPermitted, false, 'SACK-permitted came after it');
  assert.equal(h.tcp.counters.Tcp.InErrs, 0);
  h.inject({ srcPort: 40000, dstPort: 80, seq: 101, ack: sa.seq + 1, flags: TCP_ACK });
  const s = l.accept();
  assert.ok(s !== null, 'the connection was established');
  // The MSS taken from the SYN: a 2000-byte write leaves in 536-byte segments.
  s.send(new Uint8Array(2000), 0, 2000, h.now());
  assert.equal(h.expectFrame({ flags: TCP_ACK }).len, 536);
});

test('a known option of the wrong size is skipped and the ones after it count; an established connection takes data whose options run past the header', () => {
  const h = new TcpHarness();
  const l = h.tcp.socket();
  l.bind(0, 80);
  l.listen(4);
  // A window scale of length 4, then SACK-permitted.
  h.inject({ srcPort: 40001, dstPort: 80, seq: 100, flags: TCP_SYN, mss: 1460, rawOptions: [2, 4, 0x05, 0xb4, 3, 4, 7, 0, 4, 2] });
  const sa = h.expectFrame({ flags: TCP_SYN | TCP_ACK, ack: 101 });
  assert.equal(sa.wscale, -1, 'no window scale was offered');
  assert.equal(sa.sackPermitted, true);
  h.inject({ srcPort: 40001, dstPort: 80, seq: 101, ack: sa.seq + 1, flags: TCP_ACK });
  const s = l.accept();
  assert.ok(s !== null);
  // Data whose last option claims 8 bytes where 2 remain: the options end, the data stands.
  h.inject({ srcPort: 40001, dstPort: 80, seq: 101, ack: sa.seq + 1, flags: TCP_ACK, payload: new Uint8Array([1, 2, 3]), rawOptions: [1, 1, 30, 8] });
  const got = new Uint8Array(8);
  assert.equal(s.recv(got, 0, 8, h.now()), 3);
  assert.deepEqual([...got.subarray(0, 3)], [1, 2, 3]);
  assert.equal(h.tcp.counters.Tcp.InErrs, 0);
});
