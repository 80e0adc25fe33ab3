// A device that runs out of transmit frames is local congestion, not loss: TCP stops its
// output without moving SND.NXT and the layer sends again once frames come back (Linux's
// tcp_write_xmit stops at a qdisc/driver refusal the same way). Before this was so, every
// refused segment counted as sent, was "lost", and cost a retransmission and a cwnd cut.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { memoryLinkPair } from '../../src/link/memory.js';
import { Host } from '../../src/iface/host.js';
import { Sim } from '../../src/runtime/sim.js';
import { Prng } from '../../src/storage/prng.js';
import type { TcpOptionsInput } from '../../src/transport/tcp/config.js';
import { TcpLayer } from '../../src/transport/tcp/layer.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { IP_B, TEST_ISN_KEY } from './harness.js';

const FLOWS = 4;
const BYTES = 256 << 10;

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Hosts a (192.0.2.1, TCP options `opts`) and b (192.0.2.2, listening on 9) on a memory link of 8 frames each way. */
function rig(opts: TcpOptionsInput) {
  const [la, lb] = memoryLinkPair({ frames: 8 });
  const a = new Host({ name: 'a' });
  const b = new Host({ name: 'b' });
  a.addInterface(la, { mac: 0x020000000001, address: '192.0.2.1/24' });
  b.addInterface(lb, { mac: 0x020000000002, address: '192.0.2.2/24' });
  const sim = new Sim().add(a, b);
  const ta = new TcpLayer(a, { isnKey: TEST_ISN_KEY, ...opts });
  const tb = new TcpLayer(b, { isnKey: TEST_ISN_KEY.map((x) => x ^ 1) });
  const l = tb.socket();
  l.bind(0, 9);
  l.listen(8);
  return { la, a, b, sim, ta, tb, l };
}

test('a link with 8 frames and 4 bulk flows: every byte arrives, no retransmission, no timer waited for', () => {
  const { la, a, sim, ta, l } = rig({});
  const rng = new Prng(7);
  const data = Array.from({ length: FLOWS }, () => Uint8Array.from({ length: BYTES }, () => rng.nextU32() & 0xff));
  const got: { hash: ReturnType<typeof createHash>; n: number; eof: boolean }[] = [];
  const buf = new Uint8Array(65536);
  l.onReadiness = () => {
    for (let c = l.accept(); c !== null; c = l.accept()) {
      const r = { hash: createHash('sha256'), n: 0, eof: false, port: c.remotePort };
      got.push(r);
      const s = c;
      s.onReadiness = () => {
        for (;;) {
          const n = s.recv(buf, 0, buf.length, sim.now());
          if (n === 0) r.eof = true;
          if (n <= 0) break;
          r.hash.update(buf.subarray(0, n));
          r.n += n;
        }
      };
    }
  };
  const clients: TcpSocket[] = [];
  for (let i = 0; i < FLOWS; i++) {
    const s = ta.socket();
    const d = data[i]!;
    let sent = 0;
    s.onReadiness = () => {
      while (sent < d.length) {
        const n = s.send(d, sent, d.length - sent, sim.now());
        if (n <= 0) return;
        sent += n;
      }
      s.shutdown(1, sim.now());
    };
    s.connect(IP_B, 9, sim.now());
    clients.push(s);
  }
  const done = (): boolean => got.length === FLOWS && got.every((r) => r.eof);
  assert.ok(sim.runUntil(done, { maxTime: 600_000 }), `stalled: ${got.map((r) => r.n).join(', ')} of ${BYTES} each`);
  // Streams are matched to their data by the order the clients connected (local ports ascend).
  const byPort = clients.map((s) => s.localPort);
  for (const r of got) {
    const i = byPort.indexOf((r as unknown as { port: number }).port);
    assert.equal(r.n, BYTES);
    assert.equal(r.hash.digest('hex'), sha256(data[i]!), `flow ${i} intact`);
  }
  assert.ok(a.counters.Link.OutNoBufs > 0, 'the device refused frames (the path under test was taken)');
  assert.equal(la.stats.txDropped, 0, 'a refusal is not a drop');
  assert.equal(ta.counters.Tcp.RetransSegs, 0, 'a full device is not loss');
  assert.ok(sim.now() < ta.config.rtoMinMs, `done at ${sim.now()} ms: no sender waited for a retransmission or persist timer`);
});

test('a device that stays full: the retransmission timer keeps counting, and the connection times out as with lost segments', () => {
  const { a, b, sim, ta, l } = rig({ maxRetries: 3 });
  const c = ta.socket();
  c.connect(IP_B, 9, sim.now());
  assert.ok(sim.runUntil(() => c.state === TcpState.Established && l.accept() !== null), 'connected');
  // The peer stops taking frames (its host is no longer polled): a's 8 frames fill up and stay full.
  sim.remove(b);
  const data = new Uint8Array(256 << 10);
  const t0 = sim.now();
  c.send(data, 0, data.length, sim.now());
  const ok = sim.runUntil(() => c.state === TcpState.Closed, { maxTime: 600_000 });
  assert.ok(a.counters.Link.OutNoBufs > 0, 'the device refused frames');
  assert.ok(ok, `still ${c.stateName()} after 600 s of a full device`);
  assert.equal(c.takeError(), TcpErr.TimedOut);
  assert.equal(ta.counters.TcpExt.TCPAbortOnTimeout, 1);
  assert.equal(ta.counters.TcpExt.TCPTimeouts, 3);
  // Three timeouts from a 200 ms RTO, doubling: about 3 s. (Had the timer stopped while the
  // output was blocked, only the persist timer's probing would have moved it on, far later.)
  assert.ok(sim.now() - t0 < 10_000, `closed after ${sim.now() - t0} ms: the retransmission timer did not keep running`);
});
