// The services' connection limit (`netch up --max-connections N`, startServices'
// maxConnections): at the limit a service does what Node's server.maxConnections does, a
// connection accepted past it is closed at once and counted (`dropped`, Node's 'drop'
// event); the ones within it are served; the default is high enough that the stack is the
// limit. On the virtual clock between two of our hosts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CONNECTIONS_DEFAULT, startServices } from '../../src/cli/services/index.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { IP_B, tcpPair } from './harness.js';

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

/** Open `n` connections from host a to b:80 and wait until they are established. */
function open(p: ReturnType<typeof tcpPair>, n: number): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (let i = 0; i < n; i++) {
    const s = p.ta.socket();
    assert.equal(s.connect(IP_B, 80, p.sim.now()), -TcpErr.InProgress);
    out.push(s);
  }
  assert.ok(p.sim.runUntil(() => out.every((s) => s.state === TcpState.Established), { maxTime: 10_000 }));
  return out;
}

/** Send a GET / on `s`; return what came back within `ms` of virtual time and whether the stream ended. */
function get(p: ReturnType<typeof tcpPair>, s: TcpSocket, ms = 1000): { text: string; eof: boolean } {
  const req = enc.encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  s.send(req, 0, req.length, p.sim.now());
  p.sim.runFor(ms);
  const buf = new Uint8Array(65536);
  let text = '';
  let eof = false;
  for (;;) {
    const n = s.recv(buf, 0, buf.length, p.sim.now());
    if (n > 0) text += dec.decode(buf.subarray(0, n));
    else {
      eof = n === 0;
      break;
    }
  }
  return { text, eof };
}

test('at maxConnections a service closes what it accepts past the limit and counts it; the others are served', () => {
  const p = tcpPair({}, 1);
  const svc = startServices(p.tb, { echo: false, discard: false, maxConnections: 2 }, p.sim.clock);
  const [a, b, c] = open(p, 3) as [TcpSocket, TcpSocket, TcpSocket];
  p.sim.runFor(100);
  const cs = svc.counters().http;
  assert.equal(cs.accepted, 3);
  assert.equal(cs.active, 2);
  assert.equal(cs.dropped, 1);
  assert.match(svc.format(), /dropped 1/);
  // The third was closed at once: a FIN, not a reset (nothing was unread), as Node's close().
  assert.equal(c.state, TcpState.CloseWait);
  assert.equal(c.recv(new Uint8Array(16), 0, 16, p.sim.now()), 0, 'end of stream');
  assert.equal(p.tb.counters.Tcp.OutRsts, 0);
  for (const s of [a, b]) assert.match(get(p, s).text, /^HTTP\/1\.1 200 OK\r\n/);
  // A slot frees when a connection ends: the next one is served.
  a.close(p.sim.now());
  p.sim.runFor(200);
  const [d] = open(p, 1) as [TcpSocket];
  assert.match(get(p, d).text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.equal(svc.counters().http.dropped, 1);
  svc.stop();
});

test('the default limit is 2^20, and maxConnections 0 drops every connection', () => {
  assert.equal(MAX_CONNECTIONS_DEFAULT, 1 << 20);
  const p = tcpPair({}, 1);
  const svc = startServices(p.tb, { echo: false, discard: false, maxConnections: 0 }, p.sim.clock);
  const [s] = open(p, 1) as [TcpSocket];
  p.sim.runFor(100);
  assert.equal(svc.counters().http.dropped, 1);
  assert.equal(s.state, TcpState.CloseWait);
  svc.stop();
});

test('a bad maxConnections is a RangeError with code NETCH_ERR_MAX_CONNECTIONS', () => {
  const p = tcpPair({}, 1);
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 31]) {
    assert.throws(() => startServices(p.tb, { maxConnections: bad }, p.sim.clock), (e: Error & { code?: string }) => e instanceof RangeError && e.code === 'NETCH_ERR_MAX_CONNECTIONS');
  }
});
