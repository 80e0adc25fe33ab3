// The apps of the channel-mode tests and benchmark (bench/channels.ts, test/channels): the
// same code runs in one-thread mode and in every process of channel mode (StackApp).
// Not a suite (the name starts with "_").
//
//   bulkServer  accepts every connection and checks each received byte against the pattern
//   bulkClient  opens `flows` connections and sends `bytesPerFlow` pattern bytes on each
//               (in channel mode, the processes share the flows out; rrClient too)
//   echoServer  sends back what it receives
//   rrClient    request/response on `flows` connections: `reqSize` bytes out, the same back,
//               checked, until `requests` per flow are done or `durationMs` has passed
//
// The byte at stream offset o of every connection is patternByte(o % PATTERN_PERIOD), so a
// lost, duplicated, reordered or misdelivered chunk fails the check.

import { createHash, type Hash } from 'node:crypto';
import type { AppStack, StackApp } from '../src/runtime/channel-mode/app.js';
import type { ZeroCopySocket } from '../src/runtime/channel-mode/zero-copy.js';
import { toIpv4 } from '../src/iface/cidr.js';
import type { Millis } from '../src/time.js';
import { TcpErr } from '../src/transport/tcp/errors.js';
import { SHUT_WR, type TcpSocket } from '../src/transport/tcp/socket.js';
import { TcpState } from '../src/transport/tcp/state.js';

/** Bytes of one read or write. */
export const CHUNK = 65536;
/** The period of the byte pattern (64 KiB + a prime, so no write size divides it). */
export const PATTERN_PERIOD = 65536 + 4099;

/** Return the pattern byte of `x` in [0, PATTERN_PERIOD). */
export function patternByte(x: number): number {
  return Math.imul(x, 0x9e3779b1) >>> 24;
}

/** Return one period of the pattern plus CHUNK bytes, so any chunk is contiguous. */
export function makePattern(): Buffer {
  const b = Buffer.alloc(PATTERN_PERIOD + CHUNK);
  for (let i = 0; i < b.length; i++) b[i] = patternByte(i % PATTERN_PERIOD);
  return b;
}

const pattern = makePattern();

interface Conn {
  s: TcpSocket;
  /** Bytes received (checked) and sent on this connection. */
  rcvd: number;
  sent: number;
  /** Echo: bytes received and not yet sent back, at `pend` of `buf`. */
  buf: Buffer | null;
  pend: number;
  pendLen: number;
  done: boolean;
  /** Request/response: the time the current request went out. */
  t0: Millis;
  shut: boolean;
  /** The zero-copy reader (bulkServer with zeroCopy), and the stream's SHA-256 (with hash). */
  z: ZeroCopySocket | null;
  h: Hash | null;
}

function newConn(s: TcpSocket): Conn {
  return { s, rcvd: 0, sent: 0, buf: null, pend: 0, pendLen: 0, done: false, t0: 0, shut: false, z: null, h: null };
}

abstract class Base implements StackApp {
  protected stack!: AppStack;
  readonly conns: Conn[] = [];
  protected readonly rbuf = Buffer.alloc(CHUNK);
  bytes = 0;
  errors = 0;
  firstError = '';
  protected fail(why: string): void {
    this.errors++;
    if (this.firstError === '') this.firstError = why;
  }
  abstract start(stack: AppStack, now: Millis): void;
  abstract step(now: Millis): number;
  stats(): Record<string, number | string> {
    return { bytes: this.bytes, errors: this.errors, firstError: this.firstError, conns: this.conns.length, done: this.conns.filter((c) => c.done).length };
  }

  /** Read what is there and check it against the pattern; return bytes read. */
  protected readChecked(c: Conn, now: Millis, max = CHUNK * 16): number {
    let got = 0;
    while (got < max) {
      const n = c.s.recv(this.rbuf, 0, CHUNK, now);
      if (n > 0) {
        const at = c.rcvd % PATTERN_PERIOD;
        if (pattern.compare(this.rbuf, 0, n, at, at + n) !== 0) {
          this.fail(`corrupt data at offset ${c.rcvd} of a connection of process ${this.stack.index}`);
          c.done = true;
          c.s.abort(now);
          return got;
        }
        c.rcvd += n;
        got += n;
        continue;
      }
      if (n === 0) {
        this.onEof(c, now);
      } else if (n !== -TcpErr.WouldBlock) {
        this.fail(`recv: error ${-n}`);
        c.done = true;
      }
      break;
    }
    this.bytes += got;
    return got;
  }

  protected onEof(c: Conn, now: Millis): void {
    if (!c.done) {
      c.done = true;
      c.s.close(now);
    }
  }

  protected listenOn(port: number): TcpSocket {
    const l = this.stack.tcp.socket();
    l.reuseAddr = true;
    let r = l.bind(0, port);
    if (r === 0) r = l.listen(4096);
    if (r !== 0) throw new Error(`listen on ${port}: error ${-r}`);
    return l;
  }
}

/**
 * The clients' `control`: `{ op: 'again' }` starts another round of the same flows once the
 * last round's are all done (the old connections are forgotten; `bytes` and `errors` go on
 * counting). Answers `{ flows }` (this process's share), or `{ error }`.
 */
function againRound(app: Base, msg: Record<string, unknown>, open: () => void): Record<string, number | string> {
  if (msg['op'] !== 'again') return { error: `unknown op ${String(msg['op'])}` };
  if (app.conns.some((c) => !c.done)) return { error: 'the last round is still running' };
  app.conns.length = 0;
  open();
  return { flows: app.conns.length };
}

/** Options of bulkServer and echoServer. */
export interface ServerOptions {
  port: number;
  /** bulkServer: read through zero-copy views (AppStack.zeroCopy) instead of recv(). */
  zeroCopy?: boolean;
  /** bulkServer: also hash each stream (SHA-256; stats `hashes`). */
  hash?: boolean;
  /** bulkServer with zeroCopy: the process of this index reads views and never releases them (a stuck application). */
  hoardProc?: number;
  /** bulkServer: the process of this index throws (crashes) once it has read `crashAfter` bytes. */
  crashProc?: number;
  crashAfter?: number;
}

class BulkServer extends Base {
  private l!: TcpSocket;
  private hoard = false;
  private framed = 0;
  private copied = 0;
  private readonly hashes: string[] = [];
  constructor(private readonly o: ServerOptions) {
    super();
  }
  start(stack: AppStack): void {
    this.stack = stack;
    this.l = this.listenOn(this.o.port);
    this.hoard = this.o.zeroCopy === true && this.o.hoardProc === stack.index;
  }
  step(now: Millis): number {
    let work = 0;
    for (let s = this.l.accept(); s !== null; s = this.l.accept()) {
      const c = newConn(s);
      if (this.o.zeroCopy === true) c.z = this.stack.zeroCopy(s);
      if (this.o.hash === true) c.h = createHash('sha256');
      this.conns.push(c);
    }
    for (const c of this.conns) if (!c.done) work += c.z !== null ? this.readViews(c, now) : this.readChecked(c, now);
    if (this.o.crashProc === this.stack.index && this.bytes >= (this.o.crashAfter ?? 0)) throw new Error(`process ${this.stack.index} crashes (test)`);
    return work;
  }
  /** Read views, check them against the pattern (and hash them), release them; return bytes read. */
  private readViews(c: Conn, now: Millis, max = CHUNK * 16): number {
    const z = c.z!;
    const v = z.view;
    let got = 0;
    while (got < max) {
      const n = z.readView(now);
      if (n > 0) {
        const at = c.rcvd % PATTERN_PERIOD;
        if (pattern.compare(v.bytes, v.offset, v.offset + n, at, at + n) !== 0) {
          this.fail(`corrupt data at offset ${c.rcvd} of a connection of process ${this.stack.index}`);
          c.done = true;
          c.s.abort(now);
          return got;
        }
        if (c.h !== null) c.h.update(v.bytes.subarray(v.offset, v.offset + n));
        if (!this.hoard) z.release(now);
        c.rcvd += n;
        got += n;
        continue;
      }
      if (n === 0) {
        if (c.h !== null) this.hashes.push(c.h.digest('hex'));
        this.framed += z.framedBytes;
        this.copied += z.copiedBytes;
        this.onEof(c, now);
      } else if (n !== -TcpErr.WouldBlock) {
        this.fail(`readView: error ${-n}`);
        c.done = true;
      }
      break;
    }
    this.bytes += got;
    return got;
  }
  override stats(): Record<string, number | string> {
    const open = this.conns.filter((c) => c.z !== null && !c.done);
    return {
      ...super.stats(),
      framedBytes: this.framed + open.reduce((a, c) => a + c.z!.framedBytes, 0),
      copiedBytes: this.copied + open.reduce((a, c) => a + c.z!.copiedBytes, 0),
      heldFrames: open.reduce((a, c) => a + c.z!.heldFrames, 0),
      hashes: [...new Set(this.hashes)].join(','),
    };
  }
}

/** Return a server that checks every byte it receives. */
export function bulkServer(o: ServerOptions): StackApp {
  return new BulkServer(o);
}

class EchoServer extends Base {
  private l!: TcpSocket;
  constructor(private readonly o: ServerOptions) {
    super();
  }
  start(stack: AppStack): void {
    this.stack = stack;
    this.l = this.listenOn(this.o.port);
  }
  step(now: Millis): number {
    let work = 0;
    for (let s = this.l.accept(); s !== null; s = this.l.accept()) {
      const c = newConn(s);
      c.buf = Buffer.alloc(CHUNK);
      this.conns.push(c);
    }
    for (const c of this.conns) {
      if (c.done) continue;
      for (let round = 0; round < 16; round++) {
        if (c.pendLen > 0) {
          const n = c.s.send(c.buf!, c.pend, c.pendLen, now);
          if (n > 0) {
            c.pend += n;
            c.pendLen -= n;
            c.sent += n;
            work += n;
          } else if (n !== -TcpErr.WouldBlock) {
            this.fail(`send: error ${-n}`);
            c.done = true;
          }
          if (c.pendLen > 0) break;
        }
        const n = c.s.recv(c.buf!, 0, CHUNK, now);
        if (n > 0) {
          c.pend = 0;
          c.pendLen = n;
          c.rcvd += n;
          this.bytes += n;
          work += n;
          continue;
        }
        if (n === 0) this.onEof(c, now);
        else if (n !== -TcpErr.WouldBlock) {
          this.fail(`recv: error ${-n}`);
          c.done = true;
        }
        break;
      }
    }
    return work;
  }
}

/** Return a server that sends back what it receives. */
export function echoServer(o: ServerOptions): StackApp {
  return new EchoServer(o);
}

/** Options of bulkClient. */
export interface BulkClientOptions {
  address: string;
  /** Server ports; flow i goes to ports[i % ports.length]. */
  ports: number[];
  flows: number;
  bytesPerFlow: number;
}

class BulkClient extends Base {
  constructor(private readonly o: BulkClientOptions) {
    super();
  }
  start(stack: AppStack, now: Millis): void {
    this.stack = stack;
    this.openFlows(now);
  }
  /** Open this process's share of the flows (in channel mode every process runs this app). */
  private openFlows(now: Millis): void {
    const dst = toIpv4(this.o.address);
    const stack = this.stack;
    for (let i = stack.index; i < this.o.flows; i += stack.procs) {
      const s = stack.tcp.socket();
      const r = s.connect(dst, this.o.ports[i % this.o.ports.length]!, now);
      if (r !== -TcpErr.InProgress) this.fail(`connect: error ${-r}`);
      this.conns.push(newConn(s));
    }
  }
  /** `{ op: 'again' }`: once every flow is done, open the same flows again (another round on warm threads). */
  control(msg: Record<string, unknown>, now: Millis): Record<string, number | string> | null {
    return againRound(this, msg, () => this.openFlows(now));
  }
  step(now: Millis): number {
    let work = 0;
    const total = this.o.bytesPerFlow;
    for (const c of this.conns) {
      if (c.done) continue;
      const st = c.s.state;
      if (st === TcpState.Closed) {
        if (c.sent < total || !c.shut) this.fail(`connection closed after ${c.sent} bytes (error ${c.s.takeError()})`);
        c.done = true;
        continue;
      }
      if (st !== TcpState.Established && st !== TcpState.CloseWait) {
        if (c.shut) work += this.drain(c, now);
        continue;
      }
      for (let round = 0; round < 16 && c.sent < total; round++) {
        const at = c.sent % PATTERN_PERIOD;
        const n = c.s.send(pattern, at, Math.min(CHUNK, total - c.sent), now);
        if (n > 0) {
          c.sent += n;
          this.bytes += n;
          work += n;
          continue;
        }
        if (n !== -TcpErr.WouldBlock) {
          this.fail(`send: error ${-n}`);
          c.done = true;
        }
        break;
      }
      if (c.sent >= total && !c.shut) {
        c.s.shutdown(SHUT_WR, now);
        c.shut = true;
      }
      if (c.shut) work += this.drain(c, now);
    }
    return work;
  }
  /** After our FIN: wait for the server's (it closes once it has read everything). */
  private drain(c: Conn, now: Millis): number {
    const n = c.s.recv(this.rbuf, 0, CHUNK, now);
    if (n === 0) {
      c.done = true;
      c.s.close(now);
      return 1;
    }
    return 0;
  }
  override stats(): Record<string, number | string> {
    return { ...super.stats(), sentTotal: this.conns.reduce((a, c) => a + c.sent, 0) };
  }
}

/** Return a client that sends `bytesPerFlow` pattern bytes on each of `flows` connections. */
export function bulkClient(o: BulkClientOptions): StackApp {
  return new BulkClient(o);
}

/** Options of rrClient. */
export interface RrClientOptions {
  address: string;
  ports: number[];
  flows: number;
  reqSize: number;
  /** Requests per flow (0: unbounded, until durationMs). */
  requests: number;
  /** Stop issuing requests after this long (0: no limit). */
  durationMs: number;
  /** Count only requests that complete this long after the start, once the JIT has warmed up (default 0). */
  warmupMs?: number;
}

class RrClient extends Base {
  requests = 0;
  latencyMs = 0;
  private stopAt = Infinity;
  private countFrom = 0;
  private firstAt = 0;
  private lastAt = 0;
  constructor(private readonly o: RrClientOptions) {
    super();
  }
  start(stack: AppStack, now: Millis): void {
    this.stack = stack;
    this.openFlows(now);
  }
  /** `{ op: 'again' }`: once every flow is done, run another round (counters start again). */
  control(msg: Record<string, unknown>, now: Millis): Record<string, number | string> | null {
    return againRound(this, msg, () => {
      this.requests = 0;
      this.latencyMs = 0;
      this.firstAt = 0;
      this.lastAt = 0;
      this.openFlows(now);
    });
  }
  private openFlows(now: Millis): void {
    const stack = this.stack;
    this.countFrom = now + (this.o.warmupMs ?? 0);
    this.stopAt = this.o.durationMs > 0 ? this.countFrom + this.o.durationMs : Infinity;
    const dst = toIpv4(this.o.address);
    // In channel mode every process runs this app: each opens its share of the flows.
    for (let i = stack.index; i < this.o.flows; i += stack.procs) {
      const s = stack.tcp.socket();
      s.noDelay = true;
      const r = s.connect(dst, this.o.ports[i % this.o.ports.length]!, now);
      if (r !== -TcpErr.InProgress) this.fail(`connect: error ${-r}`);
      this.conns.push(newConn(s));
    }
  }
  step(now: Millis): number {
    let work = 0;
    const q = this.o.reqSize;
    for (const c of this.conns) {
      if (c.done) continue;
      const st = c.s.state;
      if (st === TcpState.Closed) {
        this.fail(`connection closed (error ${c.s.takeError()})`);
        c.done = true;
        continue;
      }
      if (st !== TcpState.Established) continue;
      // One request in flight: sent - rcvd is what is outstanding.
      if (c.sent === c.rcvd) {
        const perFlow = c.sent / q;
        if ((this.o.requests > 0 && perFlow >= this.o.requests) || now >= this.stopAt) {
          c.done = true;
          c.s.close(now);
          continue;
        }
        const at = c.sent % PATTERN_PERIOD;
        const n = c.s.send(pattern, at, q, now);
        if (n !== q) {
          if (n !== -TcpErr.WouldBlock) this.fail(`send: ${n}`);
          continue;
        }
        if (this.firstAt === 0 && now >= this.countFrom) this.firstAt = now;
        c.sent += q;
        c.t0 = now;
        work++;
      }
      const before = c.rcvd;
      work += this.readChecked(c, now, q);
      if (c.rcvd > before && c.rcvd === c.sent && this.firstAt !== 0 && c.t0 >= this.firstAt) {
        this.requests++;
        this.latencyMs += now - c.t0;
        this.lastAt = now;
      }
    }
    return work;
  }
  protected override onEof(c: Conn): void {
    if (!c.done) this.fail('the server closed early');
    c.done = true;
  }
  override stats(): Record<string, number | string> {
    return { ...super.stats(), requests: this.requests, meanLatencyMs: this.requests > 0 ? this.latencyMs / this.requests : 0, spanMs: this.lastAt - this.firstAt };
  }
}

/** Return a request/response client. */
export function rrClient(o: RrClientOptions): StackApp {
  return new RrClient(o);
}
