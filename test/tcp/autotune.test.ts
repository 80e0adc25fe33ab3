// Receive-buffer auto-tuning (Linux's tcp_rcv_space_adjust): the buffer, and with it the
// advertised window, grows with what the application reads per RTT; SO_RCVBUF stops it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedPair } from './harness.js';

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
  // A send buffer large enough not to be the limit (we have no send-buffer auto-tuning).
  const p = connectedPair({ sendBufSize: 4 << 20 }, 10);
  const before = p.server.recvBuf.capacity;
  const wnd = transfer(p, 8 << 20);
  assert.ok(p.server.recvBuf.capacity > 4 * before, `capacity ${p.server.recvBuf.capacity}`);
  assert.ok(p.server.recvBuf.capacity <= 6 << 20);
  assert.ok(wnd > 65535 * 2, `largest window seen by the sender ${wnd}`);
  assert.ok(p.tb.counters.TcpExt.TCPRcvBufGrow > 0);
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
