// TIME-WAIT as a compact table (src/transport/tcp/time-wait.ts, Linux's inet_timewait_sock):
// the socket leaves the layer's tables and an entry answers for it; it expires after 2 MSL
// on the virtual clock, acknowledges the peer's FIN again, follows Linux's RST rules (RFC
// 1337's assassination unless tcp_rfc1337), and lets a new SYN or connect() take the 4-tuple
// by Linux's rules (tcp_timewait_state_process, tcp_twsk_unique; RFC 6191).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_B, TcpHarness } from './harness.js';
import type { TcpOptionsInput } from '../../src/transport/tcp/config.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../src/wire/tcp.js';

const PEER_PORT = 40000;
const PORT = 8080;
const PEER_ISS = 1000;
/** RCV.NXT of the entry: the peer's SYN, no data, its FIN. */
const RCV_NXT = PEER_ISS + 2;

/**
 * A connection the peer opened to our listener, which we close first: our side ends in
 * TIME-WAIT with RCV.NXT = 1002, SND.NXT = iss + 2, and TS.Recent = 103 when `ts`.
 */
function serverTimeWait(opts: TcpOptionsInput = {}, ts = false): { h: TcpHarness; l: TcpSocket; c: TcpSocket; iss: number; window: number } {
  const h = new TcpHarness(opts);
  const l = h.tcp.socket();
  assert.equal(l.bind(0, PORT), 0);
  assert.equal(l.listen(16), 0);
  const t = (v: number): { ts?: [number, number] } => (ts ? { ts: [v, 0] } : {});
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: PEER_ISS, flags: TCP_SYN, mss: 1460, ...t(100) });
  const synAck = h.expectFrame({ flags: TCP_SYN | TCP_ACK, ack: PEER_ISS + 1 });
  const iss = synAck.seq;
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: PEER_ISS + 1, ack: iss + 1, flags: TCP_ACK, ...t(101) });
  const c = l.accept();
  assert.ok(c !== null);
  c.close(h.now());
  h.expectFrame({ flags: TCP_FIN | TCP_ACK, seq: iss + 1 });
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: PEER_ISS + 1, ack: iss + 2, flags: TCP_ACK, ...t(102) });
  assert.equal(c.state, TcpState.FinWait2);
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: PEER_ISS + 1, ack: iss + 2, flags: TCP_FIN | TCP_ACK, ...t(103) });
  const ack = h.expectFrame({ flags: TCP_ACK, seq: iss + 2, ack: RCV_NXT });
  assert.equal(h.tcp.timeWaitCount, 1);
  return { h, l, c, iss, window: ack.window };
}

test('TIME-WAIT is an entry of its own table, not a socket: the 4-tuple table is empty, the entry counts as a connection', () => {
  const { h, c } = serverTimeWait();
  assert.equal(h.tcp.lookup(c.localAddr, PORT, IP_B, PEER_PORT), null);
  assert.equal(h.tcp.connectionCount, 1);
  assert.equal(c.hasRecvBuf, false);
  assert.equal(c.hasSendBuf, false);
  const seen: number[] = [];
  h.tcp.forEachTimeWait((_la, lp, ra, rp, expiry) => seen.push(lp, ra, rp, expiry));
  assert.deepEqual(seen, [PORT, IP_B, PEER_PORT, h.now() + 60_000]);
});

test('an entry expires 2 MSL after it began, on the virtual clock; the TW counter counts it', () => {
  const { h } = serverTimeWait({ timeWaitMs: 30_000 });
  const t0 = h.now();
  assert.equal(h.tcp.pollAt(), t0 + 30_000);
  h.run(29_999);
  assert.equal(h.tcp.timeWaitCount, 1);
  h.run(1);
  assert.equal(h.tcp.timeWaitCount, 0);
  assert.equal(h.tcp.connectionCount, 0);
  assert.equal(h.tcp.counters.TcpExt.TW, 1);
  assert.equal(h.tcp.pollAt(), Infinity);
  // The 4-tuple is gone: a segment to it now gets the RST of a closed port.
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: RCV_NXT, ack: 5, flags: TCP_ACK });
  h.expectFrame({ flags: TCP_RST, seq: 5 });
});

test("the peer's FIN again (our ACK was lost): the ACK is sent again with the window remembered, and 2 MSL start over", () => {
  const { h, iss, window } = serverTimeWait({}, true);
  h.run(20_000);
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: PEER_ISS + 1, ack: iss + 2, flags: TCP_FIN | TCP_ACK, ts: [110, 0] });
  const a = h.expectFrame({ flags: TCP_ACK, seq: iss + 2, ack: RCV_NXT, window });
  assert.deepEqual(a.ts?.[1], 103, 'TSecr is TS.Recent (the retransmitted FIN is out of window: it does not update it)');
  assert.equal(h.tcp.pollAt(), h.now() + 60_000);
  // A second copy within 500 ms gets no ACK (Linux's tcp_invalid_ratelimit), but rearms.
  h.run(100);
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: PEER_ISS + 1, ack: iss + 2, flags: TCP_FIN | TCP_ACK, ts: [111, 0] });
  h.expectNoFrame();
  assert.equal(h.tcp.counters.TcpExt.TCPACKSkippedTimeWait, 1);
  h.run(500);
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: PEER_ISS + 1, ack: iss + 2, flags: TCP_FIN | TCP_ACK, ts: [112, 0] });
  h.expectFrame({ flags: TCP_ACK, seq: iss + 2, ack: RCV_NXT });
  h.run(59_999);
  assert.equal(h.tcp.timeWaitCount, 1);
  h.run(1);
  assert.equal(h.tcp.timeWaitCount, 0);
});

test('a RST at RCV.NXT ends TIME-WAIT (RFC 1337 hazard H1, Linux by default); one elsewhere is ignored', () => {
  const { h } = serverTimeWait();
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: RCV_NXT - 100, flags: TCP_RST });
  h.expectNoFrame();
  assert.equal(h.tcp.timeWaitCount, 1);
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: RCV_NXT, flags: TCP_RST });
  h.expectNoFrame();
  assert.equal(h.tcp.timeWaitCount, 0);
  assert.equal(h.tcp.counters.TcpExt.TWKilled, 1);
});

test('with rfc1337 a RST does not end TIME-WAIT', () => {
  const { h } = serverTimeWait({ rfc1337: true });
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: RCV_NXT, flags: TCP_RST });
  h.expectNoFrame();
  assert.equal(h.tcp.timeWaitCount, 1);
  assert.equal(h.tcp.counters.TcpExt.TWKilled, 0);
});

test('a SYN past RCV.NXT reopens the connection with an ISN past the old SND.NXT (RFC 6191; Linux: snd_nxt + 65537)', () => {
  const { h, l, iss } = serverTimeWait();
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: 5000, flags: TCP_SYN, mss: 1460 });
  h.expectFrame({ flags: TCP_SYN | TCP_ACK, seq: (iss + 2 + 65537) >>> 0, ack: 5001 });
  assert.equal(h.tcp.timeWaitCount, 0);
  assert.equal(h.tcp.counters.TcpExt.TWRecycled, 1);
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: 5001, ack: (iss + 2 + 65538) >>> 0, flags: TCP_ACK });
  const c = l.accept();
  assert.ok(c !== null);
  assert.equal(c.state, TcpState.Established);
});

test('a SYN below RCV.NXT without timestamps may be an old duplicate: the TIME-WAIT ACK is sent again, the entry stays', () => {
  const { h, iss } = serverTimeWait();
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: 500, flags: TCP_SYN, mss: 1460 });
  h.expectFrame({ flags: TCP_ACK, seq: iss + 2, ack: RCV_NXT });
  assert.equal(h.tcp.timeWaitCount, 1);
  assert.equal(h.tcp.counters.TcpExt.TWRecycled, 0);
});

test('with timestamps, a SYN below RCV.NXT but with a newer TSval reopens; one with an older TSval fails PAWS and gets the ACK', () => {
  {
    const { h, iss } = serverTimeWait({}, true);
    h.run(600);
    h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: 6000, flags: TCP_SYN, mss: 1460, ts: [50, 0] });
    const a = h.expectFrame({ flags: TCP_ACK, seq: iss + 2, ack: RCV_NXT });
    assert.equal(a.ts?.[1], 103);
    assert.equal(h.tcp.timeWaitCount, 1);
    assert.equal(h.tcp.counters.TcpExt.PAWSEstab, 1);
  }
  {
    const { h, iss } = serverTimeWait({}, true);
    h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: 500, flags: TCP_SYN, mss: 1460, ts: [200, 0] });
    h.expectFrame({ flags: TCP_SYN | TCP_ACK, seq: (iss + 2 + 65537) >>> 0, ack: 501 });
    assert.equal(h.tcp.timeWaitCount, 0);
  }
});

test('a SYN that may reopen but finds no listener gets the TIME-WAIT ACK', () => {
  const { h, l, iss } = serverTimeWait();
  l.close(h.now());
  h.sent();
  h.inject({ srcPort: PEER_PORT, dstPort: PORT, seq: 5000, flags: TCP_SYN, mss: 1460 });
  h.expectFrame({ flags: TCP_ACK, seq: iss + 2, ack: RCV_NXT });
  assert.equal(h.tcp.timeWaitCount, 1);
});

test('the entry holds its port: bind() fails without SO_REUSEADDR on both; connect() from a port bound with it takes the 4-tuple only when the old connection had timestamps', () => {
  for (const ts of [false, true]) {
    const h = new TcpHarness();
    const a = h.tcp.socket();
    a.reuseAddr = true;
    assert.equal(a.bind(0, 45000), 0);
    const { s, iss, peerNxt } = connectOn(h, a, ts);
    s.close(h.now());
    h.expectFrame({ flags: TCP_FIN | TCP_ACK });
    h.inject({ srcPort: 80, dstPort: 45000, seq: peerNxt, ack: iss + 2, flags: TCP_FIN | TCP_ACK, ...(ts ? { ts: [7, 0] as [number, number] } : {}) });
    h.expectFrame({ flags: TCP_ACK });
    assert.equal(h.tcp.timeWaitCount, 1);
    const b = h.tcp.socket();
    assert.equal(b.bind(0, 45000), -TcpErr.AddrInUse, 'no SO_REUSEADDR');
    const c = h.tcp.socket();
    c.reuseAddr = true;
    assert.equal(c.bind(0, 45000), 0);
    const r = c.connect(IP_B, 80, h.now());
    if (!ts) {
      assert.equal(r, -TcpErr.AddrInUse);
      assert.equal(h.tcp.timeWaitCount, 1);
      continue;
    }
    assert.equal(r, -TcpErr.InProgress);
    h.expectFrame({ flags: TCP_SYN, seq: (iss + 2 + 65537) >>> 0 });
    assert.equal(h.tcp.timeWaitCount, 0);
    assert.equal(h.tcp.counters.TcpExt.TWRecycled, 1);
  }
});

test('tcp_tw_reuse: an ephemeral connect() takes a TIME-WAIT 4-tuple with timestamps a second old (1), loopback only (2, the default), never (0)', () => {
  for (const twReuse of [0, 1, 2] as const) {
    const h = new TcpHarness({ twReuse });
    const cfg = h.host.config as { ephemeralLow: number; ephemeralHigh: number };
    cfg.ephemeralLow = 50000;
    cfg.ephemeralHigh = 50000;
    const { s, iss, peerNxt } = h.connect(5000, 1460, 65535, { ts: [5, 0] });
    s.close(h.now());
    h.expectFrame({ flags: TCP_FIN | TCP_ACK });
    h.inject({ srcPort: 80, dstPort: 50000, seq: peerNxt, ack: iss + 2, flags: TCP_FIN | TCP_ACK, ts: [7, 0] });
    h.expectFrame({ flags: TCP_ACK });
    const c = h.tcp.socket();
    // Within the second after its last timestamp: not yet.
    assert.equal(c.connect(IP_B, 80, h.now()), -TcpErr.AddrNotAvail);
    h.run(1000);
    const r = c.connect(IP_B, 80, h.now());
    if (twReuse === 1) {
      assert.equal(r, -TcpErr.InProgress);
      assert.equal(c.localPort, 50000);
      h.expectFrame({ flags: TCP_SYN, seq: (iss + 2 + 65537) >>> 0 });
      assert.equal(h.tcp.timeWaitCount, 0);
    } else {
      assert.equal(r, -TcpErr.AddrNotAvail, `twReuse ${twReuse}: the peer is not a loopback address`);
      assert.equal(h.tcp.timeWaitCount, 1);
    }
  }
});

test('a full table (maxTwBuckets) closes the connection without TIME-WAIT and counts it', () => {
  const h = serverTimeWaitOverflow();
  assert.equal(h.tcp.timeWaitCount, 0);
  assert.equal(h.tcp.counters.TcpExt.TCPTimeWaitOverflow, 1);
  assert.equal(h.tcp.connectionCount, 0);
});

test('an application that has not closed its socket sees it CLOSED when the entry ends; unread bytes stay readable', () => {
  const h = new TcpHarness({ timeWaitMs: 1000 });
  const { s, iss, peerNxt } = h.connect();
  assert.equal(s.shutdown(1, h.now()), 0);
  h.expectFrame({ flags: TCP_FIN | TCP_ACK });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 2, flags: TCP_FIN | TCP_ACK, payload: new TextEncoder().encode('tail') });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 5 });
  assert.equal(s.state, TcpState.TimeWait);
  assert.equal(s.readable, 4);
  h.run(1000);
  assert.equal(s.state, TcpState.Closed);
  const buf = new Uint8Array(8);
  assert.equal(s.recv(buf, 0, 8, h.now()), 4);
  assert.equal(s.recv(buf, 0, 8, h.now()), 0);
});

/** A connection from `s` (already bound) to the peer's port 80, played by the test. */
function connectOn(h: TcpHarness, s: TcpSocket, ts: boolean): { s: TcpSocket; iss: number; peerNxt: number } {
  s.connect(IP_B, 80, h.now());
  const syn = h.expectFrame({ flags: TCP_SYN, dstPort: 80 });
  h.inject({ srcPort: 80, dstPort: syn.srcPort, seq: 5000, ack: syn.seq + 1, flags: TCP_SYN | TCP_ACK, mss: 1460, ...(ts ? { ts: [5, syn.ts?.[0] ?? 0] as [number, number] } : {}) });
  h.expectFrame({ flags: TCP_ACK });
  assert.equal(s.state, TcpState.Established);
  return { s, iss: syn.seq, peerNxt: 5001 };
}

/** A connection closed by us with a table that holds nothing. */
function serverTimeWaitOverflow(): TcpHarness {
  const h = new TcpHarness({ maxTwBuckets: 0 });
  const { s, iss, peerNxt } = h.connect();
  s.close(h.now());
  h.expectFrame({ flags: TCP_FIN | TCP_ACK });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 2, flags: TCP_FIN | TCP_ACK });
  h.expectFrame({ flags: TCP_ACK, ack: peerNxt + 1 });
  return h;
}
