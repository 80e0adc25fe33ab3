// Buffer auto-tuning. Receive (Linux's tcp_rcv_space_adjust): the buffer, and with it the
// advertised window, grows with what the application reads per RTT; SO_RCVBUF stops it.
// Send (Linux's tcp_sndbuf_expand): the buffer grows to twice the window the network
// allows when it is what holds the sender back; SO_SNDBUF stops it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_B, connectedPair, tcpPair } from './harness.js';
import { PEER_RTT_MAX, PeerRttTable, expandSendBuf, peerRttKey } from '../../src/transport/tcp/autotune.js';
import type { TcpOptionsInput } from '../../src/transport/tcp/config.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { seqDiff } from '../../src/wire/seq.js';

function transfer(p: ReturnType<typeof connectedPair>, bytes: number): number {
  const data = new Uint8Array(65536);
  const buf = new Uint8Array(1 << 20);
  let sent = 0;
  let got = 0;
  let maxWnd = 0;
  p.server.onReadiness = (s) => {
    for (let n; (n = s.recv(buf, 0, buf.length, p.sim.now())) > 0; ) got += n;
  };
  p.client.onReadiness = (c) => {
    while (sent < bytes) {
      const n = c.send(data, 0, Math.min(data.length, bytes - sent), p.sim.now());
      if (n <= 0) break;
      sent += n;
    }
    if (c.sndWnd > maxWnd) maxWnd = c.sndWnd;
  };
  p.client.onReadiness(p.client);
  assert.ok(p.sim.runUntil(() => got === bytes, { maxTime: 120_000 }), `got ${got} of ${bytes}`);
  return maxWnd;
}

test('the receive buffer grows past 64 KiB while the application keeps up, and the window follows', () => {
  // A send buffer large enough from the start not to be the limit.
  const p = connectedPair({ sendBufSize: 4 << 20 }, 10);
  const before = p.server.recvBuf.capacity;
  const wnd = transfer(p, 8 << 20);
  assert.ok(p.server.recvBuf.capacity > 4 * before, `capacity ${p.server.recvBuf.capacity}`);
  assert.ok(p.server.recvBuf.capacity <= 6 << 20);
  assert.ok(wnd > 65535 * 2, `largest window seen by the sender ${wnd}`);
  assert.ok(p.tb.counters.TcpExt.TCPRcvBufGrow > 0);
  assert.equal(p.server.recvBufSize, p.server.recvBuf.capacity, 'recvBufSize (SO_RCVBUF when never set) reports the tuned size');
});

test('recvBufMax bounds the growth, and a set recvBufSize turns it off', () => {
  const p = connectedPair({ recvBufMax: 200_000 }, 10);
  transfer(p, 4 << 20);
  assert.ok(p.server.recvBuf.capacity <= 200_000);
  const q = connectedPair({}, 10);
  // Set before the connection opens, as SO_RCVBUF is: the listener passes it on.
  const r = connectedPairLocked();
  transfer(r, 4 << 20);
  assert.equal(r.server.recvBuf.capacity, 100_000);
  assert.equal(r.tb.counters.TcpExt.TCPRcvBufGrow, 0);
  void q;
});

function connectedPairLocked(): ReturnType<typeof connectedPair> {
  // connectedPair's listener is made inside; build the same with a locked buffer size.
  const p = connectedPair({}, 10);
  p.listener.recvBufSize = 100_000;
  // A second connection through the same listener inherits the locked size.
  const c = p.ta.socket();
  c.connect(p.server.localAddr, 7, p.sim.now());
  let s = null as ReturnType<typeof p.listener.accept>;
  assert.ok(p.sim.runUntil(() => (s ??= p.listener.accept()) !== null, { maxTime: 10_000 }));
  return { ...p, client: c, server: s! };
}

/** A connection like connectedPair's, with the client's SO_SNDBUF set to `sndbuf` before connect() when given. */
function pairWithClientBuf(opts: TcpOptionsInput, delay: number, sndbuf?: number): ReturnType<typeof connectedPair> {
  const p = tcpPair(opts, delay);
  const listener = p.tb.socket();
  assert.equal(listener.bind(0, 7), 0);
  assert.equal(listener.listen(16), 0);
  const client = p.ta.socket();
  if (sndbuf !== undefined) client.sendBufSize = sndbuf;
  client.connect(IP_B, 7, p.sim.now());
  let server: TcpSocket | null = null;
  assert.ok(p.sim.runUntil(() => (server ??= listener.accept()) !== null && client.state === TcpState.Established, { maxTime: 10_000 }));
  return { ...p, client, server: server!, listener };
}

test('the send buffer grows when it holds the sender back, and the transfer takes a fraction of the time', () => {
  // 20 ms round trips: a fixed 64 KiB buffer allows about 3.3 MB/s.
  const fixed = pairWithClientBuf({}, 10, 65536);
  const t0 = fixed.sim.now();
  transfer(fixed, 4 << 20);
  const fixedMs = fixed.sim.now() - t0;
  assert.equal(fixed.client.sendBuf.capacity, 65536, 'SO_SNDBUF turns the tuning off');
  assert.equal(fixed.ta.counters.TcpExt.TCPSndBufGrow, 0);

  const tuned = pairWithClientBuf({}, 10);
  assert.equal(tuned.client.sendBuf.capacity, 65536, 'starts at sendBufSize: 2 x 10 x 1460 is less');
  const t1 = tuned.sim.now();
  transfer(tuned, 4 << 20);
  const tunedMs = tuned.sim.now() - t1;
  const c = tuned.client;
  assert.ok(c.sendBuf.capacity > 4 * 65536, `capacity ${c.sendBuf.capacity}`);
  assert.ok(c.sendBuf.capacity <= 2 * Math.max(c.maxSndWnd, 10 * c.sendMss), `capacity ${c.sendBuf.capacity} against the peer's window ${c.maxSndWnd}`);
  assert.equal(c.sendBufSize, c.sendBuf.capacity, 'sendBufSize reports the tuned size');
  assert.ok(tuned.ta.counters.TcpExt.TCPSndBufGrow > 0);
  assert.ok(tunedMs * 3 < fixedMs, `tuned ${tunedMs} ms, fixed 64 KiB ${fixedMs} ms`);
});

test('sendBufMax bounds the send buffer, and ESTABLISHED gives room for twice the initial window', () => {
  const p = pairWithClientBuf({ sendBufMax: 300_000 }, 10);
  transfer(p, 4 << 20);
  assert.equal(p.client.sendBuf.capacity, 300_000);
  // A small configured start (tcp_wmem[1]) is raised at once to 2 x initCwnd x MSS.
  const q = pairWithClientBuf({ sendBufSize: 4096 }, 1);
  assert.equal(q.client.sendBuf.capacity, 2 * 10 * q.client.sendMss);
  assert.equal(q.server.sendBuf.capacity, 2 * 10 * q.server.sendMss, 'the accepted side too');
  const r = pairWithClientBuf({ sendBufSize: 4096 }, 1, 4096);
  assert.equal(r.client.sendBuf.capacity, 4096, 'but not a size the application set');
});

test('growth needs nothing waiting unsent and round trips within twice the peer\'s shortest', () => {
  const p = connectedPair({}, 10);
  const c = p.client;
  const cap = c.sendBuf.capacity;
  c.cc.cwnd = 1 << 30; // let the peer's window be the bound
  const bound = 2 * c.maxSndWnd;
  assert.ok(bound > cap, `the peer's window ${c.maxSndWnd} leaves room to grow from ${cap}`);
  c.sendRttMin = 20;
  c.sendRttLast = 41;
  expandSendBuf(c, p.ta);
  assert.equal(c.sendBuf.capacity, cap, 'a round trip over twice the shortest: a queue, not the buffer, limits');
  c.sendRttLast = 40;
  expandSendBuf(c, p.ta);
  assert.equal(c.sendBuf.capacity, Math.min(2 * cap, bound), 'doubles');
  // Bytes waiting unsent (cwnd holds them back): no growth.
  const q = connectedPair({}, 10);
  const data = new Uint8Array(40_000);
  assert.equal(q.client.send(data, 0, data.length, q.sim.now()), data.length);
  const unsent = q.client.sendBuf.length - seqDiff(q.client.sndMax, q.client.sndBufSeq);
  assert.ok(unsent >= q.client.sendMss, `unsent ${unsent}`);
  const before = q.client.sendBuf.capacity;
  expandSendBuf(q.client, q.ta);
  assert.equal(q.client.sendBuf.capacity, before);
});

test('PeerRttTable: the smallest round trip per peer (address and port), replaced by a larger one only after 10 s, bounded', () => {
  const t = new PeerRttTable();
  assert.equal(t.note(1, 5, 0), 5);
  assert.equal(t.note(1, 9, 1000), 5, 'a larger sample within the window keeps the minimum');
  assert.equal(t.note(2, 7, 1000), 7, 'peers are separate');
  assert.equal(t.note(1, 0.25, 2000), 0.25, 'a smaller one replaces it, at µs resolution');
  assert.equal(t.note(1, 3, 11_999), 0.25);
  assert.equal(t.note(1, 3, 13_000), 3, 'after 10 s a larger one replaces it');
  for (let a = 3; t.size < PEER_RTT_MAX; a++) t.note(a, 1, 13_000);
  t.note(1, 2, 13_000);
  assert.equal(t.size, PEER_RTT_MAX, 'a known peer does not clear the table');
  t.note(1 << 20, 1, 13_000);
  assert.equal(t.size, 1, 'a new peer past the bound starts the table over');
  // Keys: one service (address, port) is one peer; ports of one address are different peers.
  assert.equal(peerRttKey(0xc0000202, 80), peerRttKey(0xc0000202, 80));
  assert.notEqual(peerRttKey(0xc0000202, 80), peerRttKey(0xc0000202, 81));
  assert.notEqual(peerRttKey(0xc0000202, 80), peerRttKey(0xc0000203, 80));
  assert.notEqual(peerRttKey(0xffffffff, 0), peerRttKey(0xfffffffe, 65535), 'no overlap between addresses');
});
