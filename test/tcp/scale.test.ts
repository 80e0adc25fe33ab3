// Scale on the virtual clock (issue #23): 100 000 connections between two of our hosts,
// opened, each with a request and a response, closed by the client; every table of both
// layers is back to its size before once TIME-WAIT has expired, and the entries expire 2
// MSL after each connection's close. NETCH_TCP_QUICK=1 runs 10 000; NETCH_TCP_SCALE_N sets
// the count. The client binds each socket to an address and port of its own (four
// addresses), so ports never run out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../../src/iface/host.js';
import { memoryLinkPair } from '../../src/link/memory.js';
import { Sim } from '../../src/runtime/sim.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpLayer } from '../../src/transport/tcp/layer.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';

const N = Number(process.env.NETCH_TCP_SCALE_N ?? (process.env.NETCH_TCP_QUICK === '1' ? 10_000 : 100_000));
const SERVER = parseIpv4('198.51.100.1');
const CLIENT0 = parseIpv4('198.51.100.11');
const PER_ADDR = 30_000;
const REQ = new TextEncoder().encode('ping');

/** The sizes of every table of a layer. */
function tables(t: TcpLayer): Record<string, number> {
  return {
    connections: t.connectionCount,
    timeWait: t.timeWaitCount,
    timers: t.timers.size,
    ports: t.boundPortCount,
    oooBytes: t.oooBytes,
    currEstab: t.counters.Tcp.CurrEstab,
  };
}

test(`${N} connections opened, used and closed leave no state behind; TIME-WAIT expires on time`, () => {
  const [la, lb] = memoryLinkPair({ frames: 4096 });
  const a = new Host({ name: 'client' });
  const b = new Host({ name: 'server' });
  const addrs = Math.ceil(N / PER_ADDR);
  a.addInterface(la, { mac: 0x020000000001, address: Array.from({ length: addrs }, (_, i) => `198.51.100.${11 + i}/24`) });
  b.addInterface(lb, { mac: 0x020000000002, address: '198.51.100.1/24' });
  const sim = new Sim().add(a, b);
  const ta = new TcpLayer(a, { timeWaitMs: 60_000 });
  const tb = new TcpLayer(b, { timeWaitMs: 60_000 });
  const l = tb.socket();
  assert.equal(l.bind(0, 80), 0);
  assert.equal(l.listen(4096), 0);
  let accepted = 0;
  let answered = 0;
  let serverClosed = 0;
  const buf = new Uint8Array(64);
  const onServer = (s: TcpSocket): void => {
    const n = s.recv(buf, 0, buf.length, sim.now());
    if (n > 0) s.send(buf, 0, n, sim.now());
    else if (n === 0) {
      s.close(sim.now());
      serverClosed++;
    }
  };
  l.onReadiness = () => {
    for (let s = l.accept(); s !== null; s = l.accept()) {
      accepted++;
      s.onReadiness = onServer;
    }
  };
  const onClient = (s: TcpSocket): void => {
    if (s.state !== TcpState.Closed && s.recv(buf, 0, buf.length, sim.now()) > 0) answered++;
  };
  const before = { a: tables(ta), b: tables(tb) };
  const socks: TcpSocket[] = [];
  for (let i = 0; i < N; ) {
    const end = Math.min(N, i + 1000);
    for (; i < end; i++) {
      const s = ta.socket();
      assert.equal(s.bind(CLIENT0 + Math.floor(i / PER_ADDR), 20000 + (i % PER_ADDR)), 0);
      s.onReadiness = onClient;
      assert.equal(s.connect(SERVER, 80, sim.now()), -TcpErr.InProgress);
      socks.push(s);
    }
    assert.ok(sim.runUntil(() => accepted >= end, { maxTime: 30_000 }), `accepted ${accepted} of ${end}`);
  }
  assert.equal(tb.counters.Tcp.CurrEstab, N);
  for (const s of socks) s.send(REQ, 0, REQ.length, sim.now());
  assert.ok(sim.runUntil(() => answered >= N, { maxTime: 30_000 }), `answered ${answered} of ${N}`);
  for (const s of socks) s.close(sim.now());
  socks.length = 0;
  assert.ok(sim.runUntil(() => serverClosed >= N && tb.connectionCount === 0, { maxTime: 30_000 }));
  assert.equal(ta.timeWaitCount, N);
  let first = Infinity;
  let last = -Infinity;
  ta.forEachTimeWait((_la, _lp, _ra, _rp, expiry) => {
    first = Math.min(first, expiry);
    last = Math.max(last, expiry);
  });
  sim.runFor(first - 1 - sim.now());
  assert.equal(ta.timeWaitCount, N, 'none before its 2 MSL');
  sim.runFor(last - sim.now());
  assert.equal(ta.timeWaitCount, 0, 'all at their 2 MSL');
  assert.equal(ta.counters.TcpExt.TW, N);
  assert.deepEqual({ a: tables(ta), b: tables(tb) }, { a: before.a, b: { ...before.b } });
  assert.equal(l.acceptQueue.length, 0);
  assert.equal(l.synQueueLen, 0);
  assert.equal(ta.pollAt(), Infinity);
  assert.equal(tb.pollAt(), Infinity);
});
