// Congestion control: CUBIC (RFC 9438) as the default, NewReno selectable per socket and
// per layer, the initial window of RFC 6928.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness, connectedPair } from './harness.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { Cubic } from '../../src/transport/tcp/congestion/cubic.js';
import { NewReno } from '../../src/transport/tcp/congestion/newreno.js';
import { initialWindow } from '../../src/transport/tcp/congestion/congestion.js';

const MSS = 1000;

test('CUBIC is the default; setCongestion chooses by name and refuses unknown names', () => {
  const h = new TcpHarness();
  const s = h.tcp.socket();
  assert.equal(s.cc.name, 'cubic');
  assert.equal(s.setCongestion('newreno'), 0);
  assert.equal(s.cc.name, 'newreno');
  assert.equal(s.setCongestion('bbr'), -TcpErr.Invalid);
  assert.equal(s.cc.name, 'newreno');
  const h2 = new TcpHarness({ congestion: 'newreno' });
  assert.equal(h2.tcp.socket().cc.name, 'newreno');
  assert.throws(() => new TcpHarness({ congestion: 'vegas' as 'cubic' }), RangeError);
});

test('switching a live connection keeps cwnd and ssthresh', () => {
  const h = new TcpHarness();
  const { s } = h.connect();
  s.cc.ssthresh = 12345;
  const cwnd = s.cc.cwnd;
  assert.equal(s.setCongestion('newreno'), 0);
  assert.equal(s.cc.cwnd, cwnd);
  assert.equal(s.cc.ssthresh, 12345);
});

test('the initial window is 10 segments within 14600 bytes (RFC 6928 §2)', () => {
  assert.equal(initialWindow(1460, 10), 14600);
  assert.equal(initialWindow(536, 10), 5360);
  assert.equal(initialWindow(8960, 10), 17920); // max(2 × MSS, 14600)
  assert.equal(initialWindow(1460, 3), 3 * 1460);
});

test('CUBIC: ssthresh = 0.7 × flight; W_max shrinks by fast convergence on a loss below it', () => {
  const c = new Cubic();
  c.init(MSS, 10, 0);
  c.cwnd = 100 * MSS;
  c.onLoss(100 * MSS, MSS, 0);
  assert.equal(c.ssthresh, 70 * MSS);
  assert.equal(c.wMax, 100);
  c.cwnd = 80 * MSS;
  c.onLoss(80 * MSS, MSS, 1000);
  assert.equal(c.wMax, (80 * 1.7) / 2); // RFC 9438 §4.7
  c.onTimeout(50 * MSS, MSS, 2000);
  assert.equal(c.cwnd, MSS);
});

/** Drive `cc` in congestion avoidance with a full window acknowledged every `rtt` ms; return cwnd in segments per RTT. */
function run(cc: Cubic | NewReno, rtt: number, rounds: number): number[] {
  const out: number[] = [];
  let now = 0;
  for (let r = 0; r < rounds; r++) {
    const acks = Math.floor(cc.cwnd / MSS);
    for (let i = 0; i < acks; i++) cc.onAck(MSS, cc.cwnd, MSS, now + (rtt * i) / acks, rtt);
    now += rtt;
    out.push(cc.cwnd / MSS);
  }
  return out;
}

test('CUBIC: concave up to W_max at t = K, a plateau there, then convex growth (RFC 9438 §4.2)', () => {
  const c = new Cubic();
  c.init(MSS, 10, 0);
  c.cwnd = 100 * MSS;
  c.onLoss(100 * MSS, MSS, 0);
  c.cwnd = c.ssthresh;
  const rtt = 100;
  const w = run(c, rtt, 80);
  const k = Math.cbrt((100 * 0.3) / 0.4); // 4.22 s: 42 rounds
  const atK = w[Math.round((k * 1000) / rtt) - 1]!;
  assert.ok(atK > 97 && atK < 104, `cwnd at K: ${atK}`);
  // Concave: the 10 rounds after the loss grow more than the 10 before K.
  assert.ok(w[9]! - 70 > atK - w[31]!, `${w[9]} ${w[31]} ${atK}`);
  // Convex past the plateau: well above W_max 3 s later.
  assert.ok(w[72]! > 110, `cwnd at K + 3 s: ${w[72]}`);
});

test('CUBIC grows faster than NewReno far from the last loss on a long RTT (the point of RFC 9438)', () => {
  const mk = <T extends Cubic | NewReno>(c: T): T => {
    c.init(MSS, 10, 0);
    c.cwnd = 100 * MSS;
    c.onLoss(100 * MSS, MSS, 0);
    c.cwnd = c.ssthresh;
    return c;
  };
  const cubic = run(mk(new Cubic()), 200, 60);
  const reno = run(mk(new NewReno()), 200, 60);
  assert.ok(cubic[59]! > reno[59]!, `cubic ${cubic[59]} reno ${reno[59]}`);
});

test('a transfer between two of our hosts works with either algorithm', () => {
  for (const name of ['cubic', 'newreno'] as const) {
    const p = connectedPair({ congestion: name });
    assert.equal(p.client.cc.name, name);
    assert.equal(p.server.cc.name, name);
    const data = new Uint8Array(300_000).map((_, i) => i * 7);
    let sent = 0;
    const got: number[] = [];
    const buf = new Uint8Array(65536);
    p.sim.runUntil(() => {
      if (sent < data.length) {
        const n = p.client.send(data, sent, data.length - sent, p.sim.now());
        if (n > 0) sent += n;
      }
      for (let n; (n = p.server.recv(buf, 0, buf.length, p.sim.now())) > 0; ) for (let i = 0; i < n; i++) got.push(buf[i]!);
      return got.length === data.length;
    }, { maxTime: 60_000 });
    assert.equal(got.length, data.length);
    assert.ok(got.every((v, i) => v === data[i]));
  }
});

test('cwnd grows only when it is used: an application-limited flow keeps its window, a bulk one grows (Linux\'s tcp_is_cwnd_limited)', () => {
  // 1000 bytes per 20 ms round trip for 100 round trips: never more than one segment out.
  const p = connectedPair({}, 10);
  const iw = p.client.cc.cwnd;
  const small = new Uint8Array(1000);
  for (let i = 0; i < 100; i++) {
    assert.equal(p.client.send(small, 0, small.length, p.sim.now()), small.length);
    p.sim.runFor(25);
    const buf = new Uint8Array(4096);
    while (p.server.recv(buf, 0, buf.length, p.sim.now()) > 0);
  }
  assert.equal(p.client.cc.cwnd, iw, `cwnd ${p.client.cc.cwnd} after 100 KB sent one segment at a time (initial ${iw})`);
  assert.ok(p.client.maxFlight <= 1000 && !p.client.cwndLimited);
  // A bulk flow fills its window and slow start doubles it.
  const data = new Uint8Array(1 << 20);
  let sent = 0;
  const buf = new Uint8Array(65536);
  p.sim.runUntil(() => {
    if (sent < data.length) {
      const n = p.client.send(data, sent, data.length - sent, p.sim.now());
      if (n > 0) sent += n;
    }
    while (p.server.recv(buf, 0, buf.length, p.sim.now()) > 0);
    return sent === data.length && p.client.unacked === 0;
  }, { maxTime: 60_000 });
  assert.ok(p.client.cc.cwnd >= 4 * iw, `cwnd ${p.client.cc.cwnd} after 1 MiB in bulk (initial ${iw})`);
});
