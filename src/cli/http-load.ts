// The HTTP workload shared by `netch demo` and `npm run bench -- http`: the server (Node's
// own `http` module, the same code on the kernel's sockets and on ours) and a load generator
// (a small HTTP/1.1 client, keep-alive, one request in flight per connection, a fixed number
// of connections) that checks each response's status and body length and records latencies.
//
// The client is hand-rolled rather than http.Agent: on this workload Agent spends more time
// in its own bookkeeping than the stack under test does, which would hide the difference
// between the two stacks. It parses only what it needs: the status code and Content-Length
// (the server always sends one), and it fails a response that has neither.

import http from 'node:http';

/** Bytes of the response body. */
export const HTTP_BODY_LEN = 1024;
/** The path the load generator asks for. */
export const HTTP_PATH = '/';

/** A socket the load generator can drive: net.Socket or the adapters' Socket. */
export interface LoadSocket {
  write(data: Uint8Array): unknown;
  end(): unknown;
  destroy(): unknown;
  on(event: 'data', cb: (d: Buffer) => void): unknown;
  on(event: 'connect' | 'close', cb: () => void): unknown;
  on(event: 'error', cb: (e: Error) => void): unknown;
  setNoDelay?(noDelay?: boolean): unknown;
}

/** Return a handler that answers every request with `bodyLen` bytes (and a Content-Length). */
export function httpHandler(bodyLen = HTTP_BODY_LEN): http.RequestListener {
  const body = Buffer.alloc(bodyLen, 'x');
  const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bodyLen) };
  return (req, res) => {
    // Read the (empty) request body so the parser moves on to the next request.
    req.resume();
    res.writeHead(200, headers);
    res.end(body);
  };
}

/** Return Node's http server with the workload's handler; feed it connections or call listen(). */
export function createHttpApp(bodyLen = HTTP_BODY_LEN): http.Server {
  // Requests arrive back to back on every connection, so no idle or request timer is
  // needed: 0 disables each. (The keep-alive timer costs a socket.setTimeout per response.)
  const app = http.createServer({ keepAliveTimeout: 0, requestTimeout: 0 }, httpHandler(bodyLen));
  app.headersTimeout = 0;
  return app;
}

/** Latency percentiles, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** A growable list of latencies (ms) with percentiles on demand. */
export class LatencyRecorder {
  private xs = new Float64Array(1 << 16);
  count = 0;

  /** Record one latency. */
  add(ms: number): void {
    if (this.count === this.xs.length) {
      const bigger = new Float64Array(this.xs.length * 2);
      bigger.set(this.xs);
      this.xs = bigger;
    }
    this.xs[this.count++] = ms;
  }

  /** Return the percentiles (nearest rank) of what was recorded; zeros when empty. */
  summary(): LatencySummary {
    const n = this.count;
    if (n === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
    const s = this.xs.slice(0, n).sort();
    const at = (p: number): number => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += s[i]!;
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[n - 1]!, mean: sum / n };
  }
}

/** Options of one load run. */
export interface LoadOptions {
  /** Open a new connection to the server (it should emit 'connect'). */
  dial: () => LoadSocket;
  /** The Host header. */
  host: string;
  /** Connections, each with one request in flight. */
  conns: number;
  /** Measured time, after the warm-up. */
  durationMs: number;
  /** Time before measuring starts (requests run, are checked, but are not counted). */
  warmupMs: number;
  /** Expected body length of each response. */
  bodyLen?: number;
  /** How long to wait for the responses in flight at the end before giving up on them. */
  drainMs?: number;
  /** Shared progress words: [0] responses completed (warm-up included), [1] failures. */
  progress?: Int32Array;
}

/** What a load run measured. */
export interface LoadResult {
  /** Responses completed inside the measured window. */
  requests: number;
  /** Requests per second over the measured window. */
  rps: number;
  /** Responses completed in all (warm-up and drain included), each checked. */
  completed: number;
  /** Requests that failed: wrong status or body length, or a connection that broke. */
  failed: number;
  /** Requests still unanswered when the drain time ran out. */
  unfinished: number;
  /** Response bytes (headers and body) received in the measured window. */
  bytesIn: number;
  /** Response bytes per second over the measured window. */
  bytesPerSec: number;
  /** Connections opened (conns plus reconnections after a failure). */
  connections: number;
  /** Latencies of the requests sent inside the measured window. */
  latency: LatencySummary;
  /** The first failure, for the report ('' when none). */
  firstError: string;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
/** Reconnections allowed after failures, so a broken server cannot make the run spin. */
const MAX_RECONNECTS = 1000;

/** One connection of the load generator. */
class Conn {
  sock: LoadSocket | null = null;
  /** Bytes received that do not yet make a whole response. */
  pending: Buffer | null = null;
  /** Length of the response being read (headers + body), -1 before its headers arrived. */
  expect = -1;
  status = 0;
  bodyLen = 0;
  sentAt = 0;
  busy = false;
  done = false;
}

/** Run keep-alive GETs over `opts.conns` connections for warm-up + duration; return the figures. */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const bodyLen = opts.bodyLen ?? HTTP_BODY_LEN;
  const request = Buffer.from(`GET ${HTTP_PATH} HTTP/1.1\r\nHost: ${opts.host}\r\n\r\n`, 'latin1');
  const lat = new LatencyRecorder();
  const progress = opts.progress ?? new Int32Array(2);
  const t0 = performance.now();
  const measureFrom = t0 + opts.warmupMs;
  const stopAt = measureFrom + opts.durationMs;
  const drainMs = opts.drainMs ?? 2000;
  let requests = 0;
  let completed = 0;
  let failed = 0;
  let bytesIn = 0;
  let connections = 0;
  let reconnects = 0;
  let firstError = '';
  let open = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));

  const fail = (why: string): void => {
    failed++;
    Atomics.store(progress, 1, failed);
    if (firstError === '') firstError = why;
  };

  const send = (c: Conn): void => {
    c.busy = true;
    c.sentAt = performance.now();
    c.sock!.write(request);
  };

  const complete = (c: Conn, now: number): void => {
    c.busy = false;
    completed++;
    Atomics.store(progress, 0, completed);
    if (c.status !== 200 || c.bodyLen !== bodyLen) {
      fail(`response ${c.status} with a ${c.bodyLen}-byte body (expected 200, ${bodyLen})`);
    } else if (now >= measureFrom && now <= stopAt) {
      requests++;
      bytesIn += c.expect;
      if (c.sentAt >= measureFrom) lat.add(now - c.sentAt);
    }
  };

  /** Parse what arrived; return false when the stream cannot be parsed (the connection is dropped). */
  const onData = (c: Conn, d: Buffer): boolean => {
    let data = c.pending === null ? d : Buffer.concat([c.pending, d]);
    c.pending = null;
    for (;;) {
      if (c.expect < 0) {
        const h = data.indexOf(CRLFCRLF);
        if (h < 0) {
          if (data.length > 16384) return false;
          c.pending = data;
          return true;
        }
        const head = data.toString('latin1', 0, h);
        const m = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
        if (!head.startsWith('HTTP/1.1 ') || m === null) return false;
        c.status = Number(head.slice(9, 12));
        c.bodyLen = Number(m[1]);
        c.expect = h + 4 + c.bodyLen;
      }
      if (data.length < c.expect) {
        c.pending = data;
        return true;
      }
      if (!c.busy) return false; // a response nobody asked for
      const now = performance.now();
      complete(c, now);
      const rest = data.length - c.expect;
      c.expect = -1;
      if (now < stopAt) send(c);
      else retire(c);
      if (rest === 0) return true;
      data = data.subarray(data.length - rest);
    }
  };

  const retire = (c: Conn): void => {
    if (c.done) return;
    c.done = true;
    if (c.sock === null) return; // never dialled (the run ended before it opened)
    c.sock.destroy();
    if (--open === 0) finish();
  };

  const dial = (c: Conn): void => {
    connections++;
    c.pending = null;
    c.expect = -1;
    c.busy = false;
    const s = opts.dial();
    c.sock = s;
    s.setNoDelay?.(true);
    let broken = false;
    const broke = (why: string): void => {
      if (broken || c.done) return;
      broken = true;
      if (c.busy) fail(why);
      s.destroy();
      if (c === first) openRest();
      if (performance.now() < stopAt && reconnects < MAX_RECONNECTS) {
        reconnects++;
        dial(c);
      } else {
        retire(c);
      }
    };
    s.on('connect', () => {
      if (!broken && !c.done) send(c);
      if (c === first) openRest();
    });
    s.on('data', (d: Buffer) => {
      if (broken || c.done) return;
      if (!onData(c, d)) broke('unparsable response');
    });
    s.on('error', (e: Error) => broke(`${(e as NodeJS.ErrnoException).code ?? 'error'}: ${e.message}`));
    s.on('close', () => broke('connection closed by the server'));
  };

  // One connection first, the others once it is up: its handshake resolves the server's
  // link-layer address, so the rest do not pile up behind ARP (a host holds only a few
  // frames per unresolved neighbour, and a dropped SYN waits a whole second to be resent).
  const conns: Conn[] = [];
  for (let i = 0; i < opts.conns; i++) conns.push(new Conn());
  const first = conns[0]!;
  let restOpened = false;
  const openRest = (): void => {
    if (restOpened) return;
    restOpened = true;
    for (let i = 1; i < conns.length; i++) {
      if (conns[i]!.done) continue;
      open++;
      dial(conns[i]!);
    }
  };
  open++;
  dial(first);
  // Connections that are idle at the stop (still connecting) retire then; the others after
  // their last response, or at the drain deadline.
  const stopTimer = setTimeout(() => {
    for (const c of conns) if (!c.busy) retire(c);
  }, stopAt - performance.now());
  const drainTimer = setTimeout(() => {
    for (const c of conns) retire(c);
  }, stopAt + drainMs - performance.now());

  return finished.then(() => {
    clearTimeout(stopTimer);
    clearTimeout(drainTimer);
    let unfinished = 0;
    for (const c of conns) if (c.busy) unfinished++;
    const secs = opts.durationMs / 1000;
    return {
      requests,
      rps: requests / secs,
      completed,
      failed,
      unfinished,
      bytesIn,
      bytesPerSec: bytesIn / secs,
      connections,
      latency: lat.summary(),
      firstError,
    };
  });
}
