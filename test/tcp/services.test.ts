// The TCP services of `netch up` (src/cli/services) between two of our hosts on a memory
// link, on the virtual clock: echo and discard close after the client's end of stream,
// HTTP answers /, /bytes/N (streamed, within the send buffer's room), keeps connections
// alive, and answers malformed requests with 400, unknown paths with 404.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServices, bytesPattern, type Services } from '../../src/cli/services/index.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { SHUT_WR, type TcpSocket } from '../../src/transport/tcp/socket.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { IP_B, concat, tcpPair } from './harness.js';

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

type Pair = ReturnType<typeof tcpPair>;

/** A client socket on host a with a send queue and a receive log, pumped by readiness. */
class Client {
  readonly got: Uint8Array[] = [];
  gotLen = 0;
  eof = false;
  /** The first error a call returned (a negated TcpErr), 0 while none. */
  error = 0;
  reading = true;
  private out: Uint8Array[] = [];
  private outOff = 0;
  private shutAfter = false;
  private readonly buf = new Uint8Array(65536);

  constructor(
    readonly p: Pair,
    readonly s: TcpSocket,
  ) {
    s.onReadiness = () => this.pump();
  }

  /** Queue bytes to send. */
  write(b: Uint8Array | string): void {
    this.out.push(typeof b === 'string' ? enc.encode(b) : b);
    this.pump();
  }

  /** Shut down writing once the queue is sent. */
  end(): void {
    this.shutAfter = true;
    this.pump();
  }

  /** Return everything received so far as one array. */
  bytes(): Uint8Array {
    return concat(this.got);
  }

  text(): string {
    return dec.decode(this.bytes());
  }

  pump(): void {
    const now = this.p.sim.now();
    for (let i = 0; i < 10_000 && this.out.length > 0; i++) {
      const b = this.out[0]!;
      const n = this.s.send(b, this.outOff, b.length - this.outOff, now);
      if (n < 0) {
        if (n !== -TcpErr.WouldBlock && this.error === 0) this.error = n;
        break;
      }
      this.outOff += n;
      if (this.outOff === b.length) {
        this.out.shift();
        this.outOff = 0;
      }
    }
    if (this.out.length === 0 && this.shutAfter) {
      this.shutAfter = false;
      this.s.shutdown(SHUT_WR, now);
    }
    for (let i = 0; i < 10_000 && this.reading; i++) {
      const n = this.s.recv(this.buf, 0, this.buf.length, now);
      if (n > 0) {
        this.got.push(this.buf.slice(0, n));
        this.gotLen += n;
      } else {
        if (n === 0) this.eof = true;
        else if (n !== -TcpErr.WouldBlock && this.error === 0) this.error = n;
        break;
      }
    }
  }

  /** Run the sim until `cond` holds (bounded: 60 s of virtual time). */
  until(cond: () => boolean, what: string, maxTime = 60_000): void {
    const ok = this.p.sim.runUntil(() => {
      this.pump();
      return cond();
    }, { maxTime });
    assert.ok(ok, `timed out waiting for ${what}`);
  }
}

/** Two hosts; services on b (192.0.2.2); a connected client on a to `port`. */
function setup(port: number, opts: Parameters<typeof startServices>[1] = {}, delay = 1): { p: Pair; svc: Services; c: Client } {
  const p = tcpPair({}, delay);
  const svc = startServices(p.tb, opts, p.sim.clock);
  const c = connect(p, port);
  return { p, svc, c };
}

function connect(p: Pair, port: number): Client {
  const s = p.ta.socket();
  assert.equal(s.connect(IP_B, port, p.sim.now()), -TcpErr.InProgress);
  const c = new Client(p, s);
  c.until(() => s.state === TcpState.Established, 'the connection');
  return c;
}

function randomBytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A parsed HTTP response. */
interface Resp {
  status: number;
  headers: Map<string, string>;
  body: Uint8Array;
  /** Bytes the response took in the stream. */
  size: number;
}

/** Parse the responses in `b`, in order (bodies by Content-Length, none for the indexes in `head`). */
function responses(b: Uint8Array, head: readonly number[] = []): Resp[] {
  const out: Resp[] = [];
  let at = 0;
  for (let k = 0; k < 100 && at < b.length; k++) {
    const text = dec.decode(b.subarray(at, Math.min(b.length, at + 4096)));
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) break;
    const lines = text.slice(0, end).split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(lines[0]!);
    assert.ok(m, `status line: ${lines[0]}`);
    const headers = new Map<string, string>();
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
    }
    const len = head.includes(k) ? 0 : Number(headers.get('content-length'));
    const start = at + end + 4;
    if (b.length < start + len) break;
    out.push({ status: Number(m[1]), headers, body: b.subarray(start, start + len), size: start + len - at });
    at = start + len;
  }
  return out;
}

test('bytes pattern: 16-byte records of the offset in hex, from any position', () => {
  assert.equal(dec.decode(bytesPattern(40)), '000000000000000\n000000000000010\n00000000');
  const whole = bytesPattern(100_000);
  for (const [pos, len] of [[0, 1], [5, 11], [7, 33], [16, 16], [99_990, 10], [12345, 54321]] as const) {
    assert.deepEqual(bytesPattern(len, pos), whole.subarray(pos, pos + len), `pos ${pos} len ${len}`);
  }
});

test('echo: 1 MiB comes back intact, then the service closes after the client did', () => {
  const { p, svc, c } = setup(7);
  const data = randomBytes(1 << 20, 7);
  c.write(data);
  c.end();
  c.until(() => c.eof, 'the echo of 1 MiB and the end of stream');
  assert.equal(c.gotLen, data.length);
  assert.equal(sha256(c.bytes()), sha256(data));
  c.until(() => c.s.state === TcpState.TimeWait && p.tb.connectionCount === 0, 'both sides closed');
  const k = svc.counters().echo;
  assert.deepEqual([k.accepted, k.active, k.errors, k.bytesIn, k.bytesOut], [1, 0, 0, data.length, data.length]);
});

/**
 * The most the service's send buffer may hold against a client that does not read: its
 * configured size, or what auto-tuning grows it to, twice the largest window the client
 * offered (its receive buffer, which does not grow unread) or the initial window.
 */
function sendBufBound(p: Pair): number {
  return Math.max(p.tb.config.sendBufSize, 2 * Math.max(p.ta.config.recvBufSize, p.tb.config.initCwnd * 1460));
}

test('echo: a client that does not read is not read either (flow control), and loses nothing', () => {
  const { p, svc, c } = setup(7);
  const data = randomBytes(1 << 20, 9);
  c.reading = false;
  c.write(data);
  p.sim.runFor(5_000);
  const k = svc.counters().echo;
  // What the service took is bounded by what it could put in its send buffer plus the
  // client's receive buffer, plus one chunk: nowhere near 1 MiB.
  const bound = sendBufBound(p) + p.ta.config.recvBufSize + 16384;
  assert.ok(k.bytesIn <= bound, `the service read ${k.bytesIn} bytes while the client read none (bound ${bound})`);
  assert.ok(k.bytesIn > 0);
  c.reading = true;
  c.end();
  c.until(() => c.eof, 'the echo');
  assert.equal(sha256(c.bytes()), sha256(data));
});

test('discard: 4 MiB counted and dropped; the service closes after the client', () => {
  const { p, svc, c } = setup(9);
  const data = randomBytes(4 << 20, 11);
  c.write(data);
  c.end();
  c.until(() => c.eof, 'the end of stream from discard');
  assert.equal(c.gotLen, 0);
  const k = svc.counters().discard;
  assert.deepEqual([k.accepted, k.active, k.bytesIn, k.bytesOut], [1, 0, data.length, 0]);
  c.until(() => c.s.state === TcpState.TimeWait && p.tb.connectionCount === 0, 'both sides closed');
});

test('discard and echo: a client reset is counted as an error and frees the connection', () => {
  const { p, svc, c } = setup(9);
  c.write(randomBytes(1000, 3));
  c.until(() => svc.counters().discard.bytesIn === 1000, 'the bytes counted');
  c.s.abort(p.sim.now());
  c.until(() => svc.counters().discard.active === 0, 'the connection forgotten');
  assert.equal(svc.counters().discard.errors, 1);
  assert.equal(p.tb.connectionCount, 0);
});

test('http: GET / then GET /bytes/N on one kept-alive connection', () => {
  const { svc, c } = setup(80);
  c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  c.until(() => responses(c.bytes()).length === 1, 'the first response');
  c.write('GET /bytes/100000 HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n');
  c.until(() => responses(c.bytes()).length === 2, 'the second response');
  const [a, b] = responses(c.bytes()) as [Resp, Resp];
  assert.equal(a.status, 200);
  assert.match(dec.decode(a.body), /^netchannels/);
  assert.equal(a.headers.get('connection'), undefined);
  assert.equal(b.status, 200);
  assert.equal(b.headers.get('content-length'), '100000');
  assert.equal(b.headers.get('content-type'), 'application/octet-stream');
  assert.deepEqual(b.body, bytesPattern(100_000));
  assert.ok(c.s.state === TcpState.Established && !c.eof, 'the connection stays open');
  const k = svc.counters().http;
  assert.equal(k.requests, 2);
  assert.deepEqual(k.byStatus, { 200: 2 });
  // The client closes: the responder closes its side too.
  c.end();
  c.until(() => c.eof && svc.counters().http.active === 0, 'the close');
});

test('http: Connection: close and HTTP/1.0 close after the response; HTTP/1.0 keep-alive persists', () => {
  const cases: [string, boolean][] = [
    ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', true],
    ['GET / HTTP/1.0\r\n\r\n', true],
    ['GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', false],
  ];
  for (const [req, closes] of cases) {
    const { c } = setup(80);
    c.write(req);
    c.until(() => responses(c.bytes()).length === 1, 'the response');
    const r = responses(c.bytes())[0]!;
    assert.equal(r.status, 200);
    if (closes) {
      assert.equal(r.headers.get('connection'), 'close', req);
      c.until(() => c.eof, `the server's FIN after ${JSON.stringify(req)}`);
    } else {
      assert.equal(r.headers.get('connection'), 'keep-alive', req);
      c.p.sim.runFor(1000);
      assert.equal(c.eof, false, req);
    }
  }
});

test('http: /bytes/N streams within the send buffer while the client does not read, then completes', () => {
  const n = 8 << 20;
  const { p, svc, c } = setup(80);
  c.reading = false;
  c.write('GET /bytes/' + n + ' HTTP/1.1\r\nHost: x\r\n\r\n');
  p.sim.runFor(5_000);
  const queued = svc.counters().http.bodyBytes;
  const bound = sendBufBound(p) + p.ta.config.recvBufSize;
  assert.ok(queued > 0 && queued <= bound, `the responder queued ${queued} body bytes of ${n} with nobody reading (bound ${bound})`);
  c.reading = true;
  c.until(() => responses(c.bytes()).length === 1, 'the whole body', 120_000);
  const r = responses(c.bytes())[0]!;
  assert.equal(r.body.length, n);
  assert.equal(sha256(r.body), sha256(bytesPattern(n)));
  assert.equal(svc.counters().http.bodyBytes, n);
});

test('http: pipelined requests are answered in order; HEAD has no body', () => {
  const { c } = setup(80);
  c.write('GET /bytes/5 HTTP/1.1\r\nHost: x\r\n\r\nHEAD /bytes/70000 HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
  c.until(() => responses(c.bytes(), [1]).length === 4, 'four responses');
  const rs = responses(c.bytes(), [1]);
  assert.equal(rs.reduce((a, r) => a + r.size, 0), c.gotLen, 'nothing but the four responses');
  assert.deepEqual(rs.map((r) => r.status), [200, 200, 404, 200]);
  assert.equal(dec.decode(rs[0]!.body), '000000000000000\n'.slice(0, 5));
  // HEAD: the length of the GET body, and none follows (the parse would be off otherwise).
  assert.equal(rs[1]!.headers.get('content-length'), '70000');
  assert.equal(rs[2]!.headers.get('connection'), undefined, 'a 404 keeps the connection');
});

test('http: bad requests get 400 (or 405, 431, 501, 505) and the connection closes', () => {
  const cases: [string, number, boolean][] = [
    ['GARBAGE\r\n\r\n', 400, true],
    ['GET /\r\n\r\n', 400, true],
    ['GET / HTTP/1.1\r\n\r\n', 400, true], // no Host
    ['GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, true],
    ['GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400, true],
    ['GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n', 400, true],
    ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n', 400, true],
    ['GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505, true],
    ['GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', 501, true],
    ['GET /bytes/1073741825 HTTP/1.1\r\nHost: x\r\n\r\n', 400, false],
    ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc', 405, false],
    ['GET / HTTP/1.1\r\nHost: x\r\nX: ' + 'a'.repeat(9000) + '\r\n\r\n', 431, true],
  ];
  for (const [req, status, closes] of cases) {
    const { c } = setup(80);
    c.write(req);
    c.until(() => responses(c.bytes()).length === 1, `a response to ${JSON.stringify(req.slice(0, 40))}`);
    const r = responses(c.bytes())[0]!;
    assert.equal(r.status, status, JSON.stringify(req.slice(0, 60)));
    if (closes) {
      assert.equal(r.headers.get('connection'), 'close');
      c.until(() => c.eof || c.error !== 0, 'the close');
    } else {
      // The connection stays usable: the request content was skipped.
      c.write('GET /bytes/3 HTTP/1.1\r\nHost: x\r\n\r\n');
      c.until(() => responses(c.bytes()).length === 2, 'the next response');
      assert.equal(dec.decode(responses(c.bytes())[1]!.body), '000');
    }
  }
});

test('http: a bare LF ends lines, leading empty lines are skipped, absolute-form targets work', () => {
  const { c } = setup(80);
  c.write('\r\nGET http://192.0.2.2/bytes/4?x=1 HTTP/1.1\nHost: x\n\n');
  c.until(() => responses(c.bytes()).length === 1, 'the response');
  const r = responses(c.bytes())[0]!;
  assert.equal(r.status, 200);
  assert.equal(dec.decode(r.body), '0000');
});

test('stop(): listeners close (a new connection is refused) and open connections are reset', () => {
  const { p, svc, c } = setup(7);
  svc.stop();
  c.until(() => c.error === -TcpErr.Reset, 'the reset');
  const s = p.ta.socket();
  s.connect(IP_B, 7, p.sim.now());
  const c2 = new Client(p, s);
  c2.until(() => c2.error !== 0, 'the refusal');
  assert.equal(c2.error, -TcpErr.Refused);
  assert.equal(s.state, TcpState.Closed);
  assert.equal(p.tb.connectionCount, 0);
});

test('a port in use is reported with EADDRINUSE and nothing stays bound', () => {
  const p = tcpPair();
  const l = p.tb.socket();
  assert.equal(l.bind(0, 80), 0);
  assert.throws(() => startServices(p.tb, {}, p.sim.clock), (e: Error & { code?: string; port?: number }) => e.code === 'EADDRINUSE' && e.port === 80);
  // echo and discard were started first and stopped again: their ports are free.
  const again = startServices(p.tb, { http: false }, p.sim.clock);
  assert.ok(again.echo !== null && again.discard !== null && again.http === null);
  again.stop();
});
