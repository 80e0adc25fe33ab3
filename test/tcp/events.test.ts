// Readiness callbacks (TcpLayer's flush of marked sockets): a callback may call into the
// layer in ways that flush again (connect: openActive), and no socket's event may be lost.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IP_B, tcpPair } from './harness.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';

test('callbacks that open the next connection (a flush inside a flush): 300 one-byte exchanges, 8 at a time, none stalls', () => {
  const { ta, tb, sim } = tcpPair({ sendBufSize: 4096, recvBufSize: 4096 });
  const l = tb.socket();
  assert.equal(l.bind(0, 80), 0);
  assert.equal(l.listen(64), 0);
  const byte = new Uint8Array([7]);
  const buf = new Uint8Array(16);
  const count = 300;
  let started = 0;
  let completed = 0;
  let failed = '';
  const live = new Set<TcpSocket>();
  const open = (): void => {
    if (started >= count) return;
    started++;
    const s = ta.socket();
    live.add(s);
    let asked = false;
    s.onReadiness = () => {
      const now = sim.now();
      if (!asked) {
        if (s.state === TcpState.Established) {
          s.send(byte, 0, 1, now);
          asked = true;
        } else if (s.state === TcpState.Closed) {
          failed = `connect failed (error ${s.takeError()})`;
        }
        return;
      }
      const n = s.recv(buf, 0, buf.length, now);
      if (n === 1) {
        s.close(now);
        live.delete(s);
        completed++;
        open(); // connect from inside the flush
      } else if (n !== -TcpErr.WouldBlock) {
        failed = `recv: ${n}`;
      }
    };
    const r = s.connect(IP_B, 80, sim.now());
    if (r !== -TcpErr.InProgress) failed = `connect: ${r}`;
  };
  l.onReadiness = () => {
    for (let c = l.accept(); c !== null; c = l.accept()) {
      const s = c;
      let replied = false;
      s.onReadiness = () => {
        const now = sim.now();
        const n = s.recv(buf, 0, buf.length, now);
        if (n > 0 && !replied) {
          s.send(byte, 0, 1, now);
          replied = true;
        } else if (n === 0 || (n < 0 && n !== -TcpErr.WouldBlock)) {
          s.close(now);
        }
      };
    }
  };
  for (let i = 0; i < 8; i++) open();
  sim.runUntil(() => completed === count || failed !== '', { maxTime: 60_000 });
  assert.equal(failed, '');
  const stuck = [...live].map((s) => `${s.localPort}: state ${s.state}, readable ${s.recvBuf.length}`);
  assert.equal(completed, count, `stalled with ${live.size} open: ${stuck.slice(0, 4).join('; ')}`);
});
