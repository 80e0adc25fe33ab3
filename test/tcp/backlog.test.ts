// listen()'s backlog, one rule per test, each with the kernel source it comes from
// (docs/backlog.md explains them). A raw peer plays the clients, so every SYN, SYN-ACK
// and final ACK is visible; the last tests use two hosts to show what a client sees.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_A, IP_B, TcpHarness, connectedPair, tcpPair } from './harness.js';
import type { TcpOptionsInput } from '../../src/transport/tcp/config.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { acceptQueueFull, listenBacklog, synTableSize } from '../../src/transport/tcp/listen.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../src/wire/tcp.js';

const PORT = 80;

/** A host listening on port 80 with `backlog`, under `opts`. */
function listening(backlog: number, opts: TcpOptionsInput = {}): { h: TcpHarness; l: TcpSocket } {
  const h = new TcpHarness(opts);
  const l = h.tcp.socket();
  assert.equal(l.bind(0, PORT), 0);
  assert.equal(l.listen(backlog), 0);
  return { h, l };
}

/** Send a SYN from peer port `port`; return the SYN-ACK's ISS, or -1 when the host sent none. */
function syn(h: TcpHarness, port: number): number {
  h.inject({ srcPort: port, dstPort: PORT, seq: port * 1000, flags: TCP_SYN, mss: 1460 });
  const out = h.sent();
  if (out.length === 0) return -1;
  assert.equal(out.length, 1, 'one answer to a SYN');
  assert.equal(out[0]!.flags, TCP_SYN | TCP_ACK, out[0]!.text);
  assert.equal(out[0]!.ack, (port * 1000 + 1) >>> 0);
  return out[0]!.seq;
}

/** Send the final ACK of peer port `port`'s handshake (`iss`: our SYN-ACK's sequence number). */
function finalAck(h: TcpHarness, port: number, iss: number, payload?: Uint8Array): void {
  h.inject({ srcPort: port, dstPort: PORT, seq: port * 1000 + 1, ack: (iss + 1) >>> 0, flags: TCP_ACK, ...(payload ? { payload } : {}) });
}

/** Complete `n` handshakes from ports 40000.. and return how many reached the accept queue. */
function storm(h: TcpHarness, l: TcpSocket, n: number, first = 40000): number {
  for (let i = 0; i < n; i++) {
    const iss = syn(h, first + i);
    if (iss >= 0) finalAck(h, first + i, iss);
    h.sent();
  }
  h.sent();
  return l.acceptQueue.length;
}

// ---- what the backlog argument becomes ----

test('linux: the backlog is read as unsigned and clamped to somaxconn (net/socket.c __sys_listen)', () => {
  assert.equal(listenBacklog('linux', 511, 4096), 511);
  assert.equal(listenBacklog('linux', 100_000, 4096), 4096);
  assert.equal(listenBacklog('linux', -1, 4096), 4096, 'a negative backlog is a huge unsigned one');
  assert.equal(listenBacklog('linux', -1, 128), 128);
  assert.equal(listenBacklog('linux', 0, 4096), 0);
  const { l } = listening(-1);
  assert.equal(l.backlog, 4096);
});

test('linux-2.6: somaxconn defaults to 128, so listen(511) keeps 128', () => {
  const { l, h } = listening(511, { personality: 'linux-2.6' });
  assert.equal(h.tcp.config.somaxconn, 128);
  assert.equal(l.backlog, 128);
});

test('freebsd: a negative backlog, or one above soacceptqueue, requests the maximum (uipc_socket.c solisten_proto)', () => {
  assert.equal(listenBacklog('freebsd', -1, 128), 128);
  assert.equal(listenBacklog('freebsd', 1000, 128), 128);
  assert.equal(listenBacklog('freebsd', 0, 128), 0);
  const { l } = listening(-5, { personality: 'freebsd' });
  assert.equal(l.backlog, 128);
});

test('somaxconn changed at run time applies to the next listen()', () => {
  const { h, l } = listening(1000);
  assert.equal(l.backlog, 1000);
  h.tcp.config.somaxconn = 16;
  assert.equal(l.listen(1000), 0);
  assert.equal(l.backlog, 16);
});

// ---- the accept queue ----

test('linux: backlog N holds N + 1 established connections, the queue is full only past it (include/net/sock.h sk_acceptq_is_full)', () => {
  const { h, l } = listening(3);
  assert.equal(storm(h, l, 6), 4);
  assert.ok(acceptQueueFull(l));
});

test('linux: backlog 0 holds one connection', () => {
  const { h, l } = listening(0);
  assert.equal(storm(h, l, 3), 1);
});

test('linux: a SYN that finds the accept queue full is dropped and counted (net/ipv4/tcp_input.c tcp_conn_request)', () => {
  const { h, l } = listening(1);
  assert.equal(storm(h, l, 2), 2);
  const x = h.tcp.counters.TcpExt;
  assert.equal(syn(h, 41000), -1, 'no SYN-ACK, no RST: the client will retry');
  assert.equal(x.ListenOverflows, 1);
  assert.equal(x.ListenDrops, 1);
  assert.equal(l.synQueueLen, 0, 'nothing was kept for it');
});

test('linux: a final ACK that finds the queue full is dropped; the SYN-ACK is retransmitted and a later ACK gets in (net/ipv4/tcp_minisocks.c tcp_check_req)', () => {
  const { h, l } = listening(1, { syncookies: 0 });
  const x = h.tcp.counters.TcpExt;
  const a = syn(h, 40000);
  const b = syn(h, 40001);
  finalAck(h, 40000, a);
  const c = syn(h, 40002);
  finalAck(h, 40001, b);
  assert.equal(l.acceptQueue.length, 2);
  finalAck(h, 40002, c);
  h.expectNoFrame();
  assert.equal(l.acceptQueue.length, 2, 'the third did not get in');
  assert.equal(x.ListenOverflows, 1);
  assert.equal(l.synQueueLen, 1, 'the half-open connection is kept');
  // The SYN-ACK's retransmission (RTO 1 s) asks the client for its ACK again.
  h.run(1100);
  h.expectFrame({ flags: TCP_SYN | TCP_ACK, seq: c, srcPort: PORT, dstPort: 40002 });
  assert.ok(l.accept() !== null);
  finalAck(h, 40002, c);
  assert.equal(l.acceptQueue.length, 2, 'room was made, the retried ACK completes the connection');
  assert.equal(l.synQueueLen, 0);
});

test('linux: with tcp_abort_on_overflow = 1 the final ACK that does not fit gets a RST', () => {
  const { h, l } = listening(1, { abortOnOverflow: true, syncookies: 0 });
  const a = syn(h, 40000);
  const b = syn(h, 40001);
  finalAck(h, 40000, a);
  const c = syn(h, 40002);
  finalAck(h, 40001, b);
  finalAck(h, 40002, c);
  h.expectFrame({ flags: TCP_RST, seq: (c + 1) >>> 0, dstPort: 40002 });
  assert.equal(l.acceptQueue.length, 2);
  assert.equal(l.synQueueLen, 0, 'the child is gone');
  assert.equal(h.tcp.counters.TcpExt.ListenOverflows, 1);
});

test('listen() again on a listening socket changes its backlog (net/ipv4/af_inet.c inet_listen)', () => {
  const { h, l } = listening(0);
  assert.equal(storm(h, l, 2), 1);
  assert.equal(l.listen(3), 0);
  assert.equal(l.backlog, 3);
  assert.equal(storm(h, l, 5, 42000), 4);
});

// ---- the SYN queue and cookies ----

test('a half-open connection holds no buffers until its handshake completes (a SYN flood costs a TCB each)', () => {
  const { h, l } = listening(8);
  const iss = syn(h, 40000);
  const c = h.tcp.lookup(IP_A, PORT, IP_B, 40000);
  assert.ok(c !== null && c.state === TcpState.SynReceived);
  assert.equal(c.recvBuf.capacity + c.sendBuf.capacity, 0);
  finalAck(h, 40000, iss, new Uint8Array([9]));
  assert.equal(l.accept(), c);
  assert.equal(c.recvBuf.capacity, h.tcp.config.recvBufSize);
  assert.equal(c.readable, 1, 'data on the final ACK is kept');
});

test('linux: a full SYN queue answers with a SYN cookie when tcp_syncookies = 1, and keeps no state', () => {
  const { h, l } = listening(1);
  syn(h, 40000);
  syn(h, 40001);
  assert.equal(l.synQueueLen, 2);
  const iss = syn(h, 40002);
  assert.ok(iss >= 0, 'a SYN-ACK carrying a cookie');
  assert.equal(l.synQueueLen, 2, 'no half-open connection was made');
  const x = h.tcp.counters.TcpExt;
  assert.equal(x.SyncookiesSent, 1);
  assert.equal(x.TCPReqQFullDoCookies, 1);
  // The client's ACK brings the cookie back: the connection is rebuilt and queued, with its data.
  finalAck(h, 40002, iss, new Uint8Array([1, 2, 3]));
  assert.equal(x.SyncookiesRecv, 1);
  const c = l.accept();
  assert.ok(c !== null);
  assert.equal(c.state, TcpState.Established);
  assert.equal(c.remotePort, 40002);
  assert.equal(c.sendMss, 1460);
  const buf = new Uint8Array(8);
  assert.equal(c.recv(buf, 0, 8, h.now()), 3);
  assert.deepEqual([...buf.subarray(0, 3)], [1, 2, 3]);
});

test('linux: a full SYN queue drops the SYN when tcp_syncookies = 0', () => {
  const { h, l } = listening(1, { syncookies: 0 });
  syn(h, 40000);
  syn(h, 40001);
  assert.equal(syn(h, 40002), -1);
  assert.equal(h.tcp.counters.TcpExt.TCPReqQFullDrop, 1);
  assert.equal(h.tcp.counters.TcpExt.ListenDrops, 1);
  assert.equal(l.synQueueLen, 2);
});

test('a SYN with FIN is discarded: no SYN-ACK, no half-open connection (net/ipv4/tcp_input.c tcp_rcv_state_process)', () => {
  for (const syncookies of [1, 2] as const) {
    const { h, l } = listening(8, { syncookies });
    h.inject({ srcPort: 40000, dstPort: PORT, seq: 1000, flags: TCP_SYN | TCP_FIN, mss: 1460 });
    assert.equal(h.sent().length, 0, `syncookies=${syncookies}: no answer`);
    assert.equal(l.synQueueLen, 0);
    assert.ok(syn(h, 40001) >= 0, 'a plain SYN is still answered');
  }
});

test('tcp_syncookies = 2 answers every SYN with a cookie', () => {
  const { h, l } = listening(8, { syncookies: 2 });
  const iss = syn(h, 40000);
  assert.equal(l.synQueueLen, 0);
  finalAck(h, 40000, iss);
  assert.equal(l.acceptQueue.length, 1);
  assert.equal(h.tcp.counters.TcpExt.SyncookiesRecv, 1);
});

test('an ACK with a forged cookie gets a RST and counts SyncookiesFailed', () => {
  const { h } = listening(8, { syncookies: 2 });
  const iss = syn(h, 40000);
  finalAck(h, 40000, (iss + 12345) >>> 0);
  h.expectFrame({ flags: TCP_RST, dstPort: 40000 });
  assert.equal(h.tcp.counters.TcpExt.SyncookiesFailed, 1);
});

test('a cookie connection keeps window scaling and SACK when the SYN had timestamps: they ride in TSval (Linux cookie_init_timestamp)', () => {
  const { h, l } = listening(8, { syncookies: 2 });
  h.inject({ srcPort: 40000, dstPort: PORT, seq: 1000, flags: TCP_SYN, mss: 1460, wscale: 9, sackPermitted: true, ts: [777, 0] });
  const sa = h.expectFrame({ flags: TCP_SYN | TCP_ACK, ack: 1001 });
  assert.ok(sa.ts !== null);
  assert.equal(sa.ts[1], 777);
  assert.equal(sa.ts[0] & 0x3f, 9 | 0x10, 'the peer\'s shift and SACK-permitted in the low bits');
  assert.ok(sa.wscale >= 0 && sa.sackPermitted, 'offered, since the ACK will bring them back');
  h.inject({ srcPort: 40000, dstPort: PORT, seq: 1001, ack: sa.seq + 1, flags: TCP_ACK, window: 100, ts: [778, sa.ts[0]] });
  const c = l.accept();
  assert.ok(c !== null);
  assert.ok(c.wsOk && c.tsOk && c.sackOk);
  assert.equal(c.sndWscale, 9);
  assert.equal(c.sndWnd, 100 * 512, 'the ACK\'s window is scaled');
  assert.equal(c.rcvWscale, sa.wscale);
});

test('between two of our hosts, a cookie connection negotiates every option and moves data', () => {
  const p = connectedPair({ syncookies: 2 });
  assert.equal(p.tb.counters.TcpExt.SyncookiesRecv, 1);
  assert.ok(p.server.wsOk && p.server.tsOk && p.server.sackOk);
  const data = new Uint8Array(200_000).map((_, i) => i * 13);
  let sent = 0;
  const got: number[] = [];
  const buf = new Uint8Array(65536);
  p.sim.runUntil(() => {
    if (sent < data.length) sent += Math.max(0, p.client.send(data, sent, data.length - sent, p.sim.now()));
    for (let n; (n = p.server.recv(buf, 0, buf.length, p.sim.now())) > 0; ) got.push(...buf.subarray(0, n));
    return got.length === data.length;
  }, { maxTime: 10_000 });
  assert.deepEqual(Uint8Array.from(got), data);
});

test('a cookie older than two 64-second periods is refused', () => {
  const { h } = listening(8, { syncookies: 2 });
  const iss = syn(h, 40000);
  h.run(200_000);
  h.sent();
  finalAck(h, 40000, iss);
  h.expectFrame({ flags: TCP_RST, dstPort: 40000 });
});

test('an ACK to a listener that sent no cookie recently gets a RST (Linux tcp_synq_no_recent_overflow)', () => {
  const { h } = listening(8);
  h.inject({ srcPort: 40000, dstPort: PORT, seq: 1, ack: 999, flags: TCP_ACK });
  h.expectFrame({ flags: TCP_RST, seq: 999 });
  assert.equal(h.tcp.counters.TcpExt.SyncookiesFailed, 0);
});

test('a full accept queue drops the SYN even when cookies are on', () => {
  const { h, l } = listening(0, { syncookies: 2 });
  assert.equal(storm(h, l, 1), 1);
  assert.equal(syn(h, 41000), -1);
  assert.equal(h.tcp.counters.TcpExt.ListenOverflows, 1);
});

// ---- the other personalities ----

test('linux-2.6: the SYN table holds roundup_pow_of_two(max(8, min(backlog, tcp_max_syn_backlog)) + 1) (net/core/request_sock.c)', () => {
  assert.equal(synTableSize(0, 1024), 16);
  assert.equal(synTableSize(128, 1024), 256);
  assert.equal(synTableSize(511, 256), 512);
  const { h, l } = listening(0, { personality: 'linux-2.6', syncookies: 0 });
  for (let i = 0; i < 20; i++) syn(h, 40000 + i);
  assert.equal(l.synQueueLen, 16);
});

test('linux-2.6: a full accept queue drops a SYN only while more than one young request waits (tcp_v4_conn_request)', () => {
  const { h, l } = listening(0, { personality: 'linux-2.6', syncookies: 0 });
  assert.equal(storm(h, l, 1), 1);
  assert.ok(acceptQueueFull(l));
  assert.ok(syn(h, 41000) >= 0, 'no young request yet: answered');
  assert.ok(syn(h, 41001) >= 0, 'one young request: answered');
  assert.equal(l.synQueueYoung, 2);
  assert.equal(syn(h, 41002), -1, 'two young requests: dropped');
  assert.equal(h.tcp.counters.TcpExt.ListenOverflows, 1);
  // Their SYN-ACKs are retransmitted after 1 s: no longer young, so SYNs are answered again.
  h.run(1100);
  h.sent();
  assert.equal(l.synQueueYoung, 0);
  assert.ok(syn(h, 41003) >= 0);
  // The modern rule drops the first SYN already.
  const now = listening(0, { syncookies: 0 });
  assert.equal(storm(now.h, now.l, 1), 1);
  assert.equal(syn(now.h, 41000), -1);
});

test('freebsd: the queue is over its limit only past 3/2 of the backlog (uipc_socket.c sonewconn)', () => {
  const { h, l } = listening(4, { personality: 'freebsd' });
  assert.equal(storm(h, l, 10), 7);
  const { h: h0, l: l0 } = listening(0, { personality: 'freebsd' });
  assert.equal(storm(h0, l0, 3), 1);
});

test('freebsd: a handshake that does not fit is reset (net.inet.tcp.sc_rst_sock_fail = 1)', () => {
  const { h, l } = listening(0, { personality: 'freebsd' });
  const a = syn(h, 40000);
  const b = syn(h, 40001);
  assert.ok(a >= 0 && b >= 0, 'the SYN cache answers every SYN');
  finalAck(h, 40000, a);
  finalAck(h, 40001, b);
  h.expectFrame({ flags: TCP_RST, dstPort: 40001 });
  assert.equal(l.acceptQueue.length, 1);
});

// ---- what the client sees ----

/** Return when a listener that never makes room sees a client's SYNs, and when connect() fails (ms after connect). */
function synSchedule(opts: TcpOptionsInput): { drops: number[]; failedAt: number; err: number } {
  const { ta, tb, sim } = tcpPair(opts);
  const l = tb.socket();
  l.bind(0, PORT);
  l.listen(0);
  const first = ta.socket();
  first.connect(IP_B, PORT, sim.now());
  assert.ok(sim.runUntil(() => l.acceptQueue.length === 1, { maxTime: 5000 }));
  const t0 = sim.now();
  const s = ta.socket();
  s.connect(IP_B, PORT, sim.now());
  const drops: number[] = [];
  let seen = 0;
  sim.runUntil(
    () => {
      const d = tb.counters.TcpExt.ListenDrops;
      if (d !== seen) {
        seen = d;
        drops.push(Math.round(sim.now() - t0));
      }
      return s.state === TcpState.Closed;
    },
    { maxTime: 60_000 },
  );
  return { drops, failedAt: Math.round(sim.now() - t0), err: s.takeError() };
}

test('client, tcp_syn_linear_timeouts = 0 (Linux before 6.5): a SYN dropped by a full listener is retransmitted after 1, 2, 4, ... s, then ETIMEDOUT (net/ipv4/tcp_timer.c)', () => {
  const r = synSchedule({ synLinearTimeouts: 0, synRetries: 3 });
  assert.deepEqual(r.drops, [0, 1000, 3000, 7000], 'SYNs at 0, 1, 3 and 7 s');
  assert.equal(r.failedAt, 15_000, 'the last wait is 8 s');
  assert.equal(r.err, TcpErr.TimedOut);
});

test('client, linux: the first tcp_syn_linear_timeouts retransmissions are 1 s apart (Linux >= 6.5), the time limit is the same', () => {
  const r = synSchedule({ synRetries: 3 });
  assert.deepEqual(r.drops, [0, 1000, 2000, 3000, 4000, 5000, 7000, 11_000]);
  assert.equal(r.failedAt, 19_000, 'the first timer past the 15 s limit');
  assert.equal(r.err, TcpErr.TimedOut);
});

test('client: a SYN dropped while the queue is full gets in once accept() makes room', () => {
  const { ta, tb, sim } = tcpPair();
  const l = tb.socket();
  l.bind(0, PORT);
  l.listen(0);
  const first = ta.socket();
  first.connect(IP_B, PORT, sim.now());
  assert.ok(sim.runUntil(() => l.acceptQueue.length === 1, { maxTime: 5000 }));
  const s = ta.socket();
  s.connect(IP_B, PORT, sim.now());
  sim.runFor(500);
  assert.equal(s.state, TcpState.SynSent);
  assert.ok(l.accept() !== null);
  assert.ok(sim.runUntil(() => l.acceptQueue.length === 1, { maxTime: 5000 }));
  assert.equal(s.state, TcpState.Established);
});

test('client: a connection reset by tcp_abort_on_overflow reads ECONNRESET', () => {
  const { ta, tb, sim } = tcpPair({ abortOnOverflow: true });
  const l = tb.socket();
  l.bind(0, PORT);
  l.listen(1);
  const first = ta.socket();
  first.connect(IP_B, PORT, sim.now());
  assert.ok(sim.runUntil(() => l.acceptQueue.length === 1, { maxTime: 5000 }));
  // Two SYNs at once both find room in the SYN queue; only one ACK finds room after them.
  const b = ta.socket();
  const c = ta.socket();
  b.connect(IP_B, PORT, sim.now());
  c.connect(IP_B, PORT, sim.now());
  sim.runFor(100);
  assert.equal(l.acceptQueue.length, 2);
  assert.equal(tb.counters.TcpExt.ListenOverflows, 1);
  assert.equal(c.state, TcpState.Closed, 'the second was reset');
  assert.equal(c.recv(new Uint8Array(4), 0, 4, sim.now()), -TcpErr.Reset);
});

test('client: a RST to the SYN is ECONNREFUSED', () => {
  const { ta, sim } = tcpPair();
  const s = ta.socket();
  s.connect(IP_B, 81, sim.now());
  sim.runFor(100);
  assert.equal(s.state, TcpState.Closed);
  assert.equal(s.takeError(), TcpErr.Refused);
});
