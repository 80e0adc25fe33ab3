// Shared pieces of the TCP benchmark (bench/tcp.ts), and its worker: one host with a TCP
// layer on one end of a shared memory link, run in a worker thread so that the two hosts of
// `netch.bulk_gbps_2threads` each have a thread. Not a suite (the name starts with "_").
//
// The byte stream every bulk run sends is a fixed pattern of period PATTERN_PERIOD (not a
// divisor of any write size), so the receiver checks each chunk against the pattern at its
// stream offset with one memcmp, and a lost, duplicated, reordered or corrupted chunk fails
// the run instead of posting a figure. The byte at stream offset o is
// patternByte(o % PATTERN_PERIOD); the Python sink and source on the TAP bench compute the
// same formula.
//
// The worker is driven by messages: {cmd: 'bulk', role: 'server' | 'client', ...} runs one
// transfer in a tight synchronous loop (poll the host, pump the socket) and answers with a
// BulkReport; {cmd: 'exit'} ends it. The two workers meet through an Int32Array control
// block: the server raises CTL_LISTENING, the client connects, the server raises CTL_DONE
// once every byte arrived intact (or CTL_FAILED), and the client stops polling then.

import { parentPort } from 'node:worker_threads';
import { Host } from '../src/iface/host.js';
import { openMemoryLink, type MemoryLinkSpec } from '../src/link/memory.js';
import { TcpErr } from '../src/transport/tcp/errors.js';
import { TcpLayer } from '../src/transport/tcp/layer.js';
import type { TcpOptionsInput } from '../src/transport/tcp/config.js';
import { SHUT_WR, type TcpSocket } from '../src/transport/tcp/socket.js';
import { TcpState } from '../src/transport/tcp/state.js';
import { parseIpv4 } from '../src/wire/ipv4.js';

/** Bytes of one application write (and of the receiver's read buffer). */
export const CHUNK = 65536;
/** The period of the byte pattern: 64 KiB + 4099 (a prime), so no write size divides it. */
export const PATTERN_PERIOD = 65536 + 4099;
/** The port bulk receivers listen on. */
export const BULK_PORT = 5001;
/** The sending host's address on a memory link. */
export const ADDR_A = '198.51.100.1';
/** The receiving host's address on a memory link. */
export const ADDR_B = '198.51.100.2';
/** The sending host's MAC. */
export const MAC_A = 0x02_00_00_00_01_01;
/** The receiving host's MAC. */
export const MAC_B = 0x02_00_00_00_01_02;

/** Control word: the server listens. */
export const CTL_LISTENING = 0;
/** Control word: the server received every byte intact. */
export const CTL_DONE = 1;
/** Control word: a side failed; both stop. */
export const CTL_FAILED = 2;
/** Words in the control block. */
export const CTL_WORDS = 4;

/** Return the pattern byte of `x` in [0, PATTERN_PERIOD): the top byte of x * 2654435761 mod 2^32. */
export function patternByte(x: number): number {
  return Math.imul(x, 0x9e3779b1) >>> 24;
}

/** Return the pattern, one period plus CHUNK bytes, so any chunk at `o % PATTERN_PERIOD` is contiguous. */
export function makePattern(): Buffer {
  const b = Buffer.alloc(PATTERN_PERIOD + CHUNK);
  for (let i = 0; i < b.length; i++) b[i] = patternByte(i % PATTERN_PERIOD);
  return b;
}

/** What one side of a bulk transfer saw; times are absolute (performance.timeOrigin + now). */
export interface BulkReport {
  role: 'server' | 'client';
  /** Bytes received (server) or handed to send (client). */
  bytes: number;
  /** Client: when connect was called; server: when the connection was accepted. */
  t0: number;
  /** Server: when the last byte arrived; client: when it stopped. */
  t1: number;
  /** A reason when the run failed (corrupt data, a socket error, no connection), else ''. */
  error: string;
  /** The time limit ended the run first: `bytes` (all checked) is what arrived by then. */
  timedOut: boolean;
  /** Segments sent and retransmitted by this side's TCP layer. */
  outSegs: number;
  retransSegs: number;
  /** The MSS this side's connection sends with. */
  sendMss: number;
}

/** Options of one bulk transfer. */
export interface BulkJob {
  cmd: 'bulk';
  role: 'server' | 'client';
  spec: MemoryLinkSpec;
  ctl: Int32Array;
  bytes: number;
  /** Give up after this many ms (the report then carries an error). */
  limitMs: number;
  tcp: TcpOptionsInput;
}

/** Return a host on `dev` with address `addr`, and a TCP layer on it. */
export function tcpHost(name: string, dev: Parameters<Host['addInterface']>[0], mac: number | string, addr: string, tcp: TcpOptionsInput): { host: Host; tcp: TcpLayer } {
  const host = new Host({ name });
  host.addInterface(dev, { mac, address: `${addr}/24` });
  return { host, tcp: new TcpLayer(host, tcp) };
}

/** The receiving side of a bulk transfer: reads and checks every byte against the pattern. */
export class PatternSink {
  received = 0;
  error = '';
  eof = false;
  private readonly buf = Buffer.alloc(CHUNK);

  constructor(
    readonly s: TcpSocket,
    private readonly pattern: Buffer,
  ) {}

  /** Read what is there (bounded: `rounds` reads); return the bytes read. */
  step(now: number, rounds = 64): number {
    let got = 0;
    for (let i = 0; i < rounds; i++) {
      const n = this.s.recv(this.buf, 0, CHUNK, now);
      if (n > 0) {
        const at = this.received % PATTERN_PERIOD;
        if (this.pattern.compare(this.buf, 0, n, at, at + n) !== 0) {
          this.error = `corrupt data in the ${n} bytes at stream offset ${this.received}`;
          return got;
        }
        this.received += n;
        got += n;
        continue;
      }
      if (n === 0) this.eof = true;
      else if (n !== -TcpErr.WouldBlock) this.error = `recv: error ${-n}`;
      return got;
    }
    return got;
  }
}

/** The sending side of a bulk transfer: writes `total` bytes of the pattern, then shuts down writing. */
export class PatternSource {
  sent = 0;
  error = '';
  shut = false;

  constructor(
    readonly s: TcpSocket,
    readonly total: number,
    private readonly pattern: Buffer,
  ) {}

  /** Send what the send buffer takes (bounded: `rounds` writes); return the bytes taken. */
  step(now: number, rounds = 64): number {
    let took = 0;
    for (let i = 0; i < rounds && this.sent < this.total; i++) {
      const at = this.sent % PATTERN_PERIOD;
      const n = this.s.send(this.pattern, at, Math.min(CHUNK, this.total - this.sent), now);
      if (n > 0) {
        this.sent += n;
        took += n;
        continue;
      }
      if (n !== -TcpErr.WouldBlock) this.error = `send: error ${-n}`;
      return took;
    }
    if (this.sent === this.total && !this.shut && this.s.state === TcpState.Established) {
      this.s.shutdown(SHUT_WR, now);
      this.shut = true;
    }
    return took;
  }
}

/** Run one side of a bulk transfer over a shared memory link in this thread; return its report. */
export function runBulkSide(job: BulkJob, pattern: Buffer): BulkReport {
  const dev = openMemoryLink(job.spec);
  const server = job.role === 'server';
  const { host, tcp } = tcpHost(job.role, dev, server ? MAC_B : MAC_A, server ? ADDR_B : ADDR_A, job.tcp);
  const ctl = job.ctl;
  const origin = performance.timeOrigin;
  const start = performance.now();
  const end = start + job.limitMs;
  const report: BulkReport = { role: job.role, bytes: 0, t0: 0, t1: 0, error: '', timedOut: false, outSegs: 0, retransSegs: 0, sendMss: 0 };
  let now = start;
  try {
    if (server) {
      const l = tcp.socket();
      l.bind(0, BULK_PORT);
      l.listen(4);
      Atomics.store(ctl, CTL_LISTENING, 1);
      let sink: PatternSink | null = null;
      for (let i = 0; now < end; i++) {
        host.poll(now);
        if (sink === null) {
          const c = l.accept();
          if (c !== null) {
            sink = new PatternSink(c, pattern);
            report.t0 = origin + now;
            report.sendMss = c.sendMss;
          }
        }
        if (sink !== null) {
          sink.step(now);
          if (sink.error !== '' || sink.received >= job.bytes) break;
        }
        if ((i & 63) === 0 && Atomics.load(ctl, CTL_FAILED) !== 0) break;
        now = performance.now();
      }
      report.bytes = sink?.received ?? 0;
      report.t1 = origin + now;
      report.error = sink === null ? 'no connection' : sink.error;
      report.timedOut = sink !== null && sink.error === '' && sink.received < job.bytes;
      Atomics.store(ctl, report.error === '' ? CTL_DONE : CTL_FAILED, 1);
    } else {
      for (let i = 0; Atomics.load(ctl, CTL_LISTENING) === 0; i++) {
        if (performance.now() > end) throw new Error('the server did not listen');
      }
      const s = tcp.socket();
      now = performance.now();
      report.t0 = origin + now;
      s.connect(parseIpv4(ADDR_B), BULK_PORT, now);
      const src = new PatternSource(s, job.bytes, pattern);
      for (let i = 0; now < end; i++) {
        host.poll(now);
        src.step(now);
        if (src.error !== '') break;
        if ((i & 15) === 0 && (Atomics.load(ctl, CTL_DONE) !== 0 || Atomics.load(ctl, CTL_FAILED) !== 0)) break;
        now = performance.now();
      }
      report.bytes = src.sent;
      report.t1 = origin + now;
      report.sendMss = s.sendMss;
      report.error = src.error;
      if (src.error !== '') Atomics.store(ctl, CTL_FAILED, 1);
    }
  } catch (err) {
    report.error = String(err);
    Atomics.store(ctl, CTL_FAILED, 1);
  } finally {
    report.outSegs = tcp.counters.Tcp.OutSegs;
    report.retransSegs = tcp.counters.Tcp.RetransSegs;
    host.close();
    dev.close();
  }
  return report;
}

if (parentPort !== null) {
  const port = parentPort;
  const pattern = makePattern();
  port.on('message', (m: BulkJob | { cmd: 'exit' }) => {
    if (m.cmd === 'exit') {
      port.close();
      return;
    }
    port.postMessage(runBulkSide(m, pattern));
  });
}
