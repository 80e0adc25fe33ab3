// The gateway's DNS forwarder: guests ask the DNS address (UDP, and TCP with each message
// after its 2-byte length, RFC 1035 §4.2.2 and RFC 7766); each query goes to the host's
// resolvers through Node's own sockets, in order: the next one is tried when one does not
// answer in time or answers SERVFAIL or REFUSED, and when every one failed the guest hears
// SERVFAIL at once instead of waiting out its own timeouts. Query ids are remapped (a fresh
// random id per upstream attempt, RFC 5452 §9.2) and a response is taken only from the
// upstream asked, with the id and question asked. A truncated answer (TC) is asked again
// over TCP from the same upstream; a UDP guest gets the full answer when it fits its
// buffer (512 bytes, or what its EDNS OPT record announces, and the link's MTU), else the
// truncated one, so it comes back over TCP itself.
//
// Bad input: a query that does not parse, is a response, has no single question or is not
// a standard query is counted (`Malformed`) and dropped. Limits bound what a guest can
// hold: pending queries, TCP connections, queries in flight per connection.
//
// Upstream I/O runs on Node's event loop and its timers (the gateway's host side, like the
// NAT's sockets); replies into the guest network are sent at the time `now()` gives.

import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { newUdpPeerInfo } from '../iface/datagram-queue.js';
import type { Host } from '../iface/host.js';
import type { UdpSocket } from '../iface/udp-socket.js';
import type { Millis } from '../time.js';
import type { TcpLayer } from '../transport/tcp/layer.js';
import { SHUT_WR, TcpEvent, type TcpSocket } from '../transport/tcp/socket.js';
import { TcpErr } from '../transport/tcp/errors.js';
import {
  DNS_FLAG_QR,
  DNS_FLAG_RA,
  DNS_FLAG_RD,
  DNS_FLAG_TC,
  DNS_HEADER_LEN,
  DNS_OPCODE_QUERY,
  DNS_PORT,
  DNS_UDP_MAX,
  DnsRcode,
  type DnsRepr,
  DnsView,
  newDnsRepr,
  parseDnsInto,
} from '../wire/dns.js';
import { WireErr } from '../wire/errors.js';
import { ipv4ToString, parseIpv4 } from '../wire/ipv4.js';
import { gatewayError } from './errors.js';

/** Bad DNS forwarder options (an upstream that is not IP[:PORT], no upstream at all, a bad limit). */
export const NETCH_ERR_DNS_CONFIG = 'NETCH_ERR_DNS_CONFIG';

/** Options of `new DnsForwarder()`. */
export interface DnsForwarderOptions {
  /** The address guests ask (one of the host's). */
  address: string;
  /** Upstreams `IP[:PORT]`, asked in order (default: the nameservers of `resolvConf`). */
  upstreams?: readonly string[];
  /** Where to read nameservers when `upstreams` is not given (default /etc/resolv.conf). */
  resolvConf?: string;
  /** The TCP layer of the host, to serve DNS over TCP (without it, UDP only). */
  tcp?: TcpLayer;
  /** How long to wait for one upstream before the next (ms; default 2000). */
  timeoutMs?: number;
  /** Queries waiting for upstreams at once (default 512); more are dropped and counted. */
  maxPending?: number;
  /** Guest TCP connections at once (default 64). */
  maxTcpConnections?: number;
  /** A guest TCP connection idle this long is closed (ms; default 10 000, RFC 7766 §6.2.3). */
  tcpIdleMs?: number;
  /** The time for sends into the guest network (default: the host's lastPollTime). */
  now?: () => Millis;
}

/** An upstream resolver. */
export interface DnsUpstream {
  address: string;
  port: number;
}

/** The forwarder's counters. */
export interface DnsCounters {
  /** Queries from guests over UDP, and over TCP. */
  UdpQueries: number;
  TcpQueries: number;
  /** Queries that did not parse or were not a standard query with one question. */
  Malformed: number;
  /** Queries dropped over maxPending or a connection's in-flight limit. */
  Dropped: number;
  /** Queries sent upstream over UDP, and over TCP (after TC, or for nothing else). */
  UpstreamUdp: number;
  UpstreamTcp: number;
  /** Upstream attempts that timed out, answered SERVFAIL/REFUSED, or failed over TCP. */
  UpstreamTimeouts: number;
  UpstreamServFails: number;
  UpstreamTcpErrors: number;
  /** Truncated answers retried over TCP. */
  TruncatedRetries: number;
  /** Responses from upstreams that matched no query (late, spoofed, or malformed). */
  Unmatched: number;
  /** Answers relayed to guests; SERVFAILs made here after every upstream failed. */
  Answers: number;
  ServFails: number;
  /** Guest TCP connections accepted, and refused over the limit. */
  TcpConnections: number;
  TcpRefused: number;
}

/** A guest's query on its way. */
interface Pending {
  /** The query as the guest sent it (its own id). */
  query: Buffer;
  clientId: number;
  /** Where the answer goes: a UDP guest (address and port) or a TCP connection. */
  udpAddr: number;
  udpPort: number;
  conn: GuestConn | null;
  /** The guest's UDP buffer (bytes). */
  udpLimit: number;
  /** Index of the upstream being asked, and the id used with it. */
  upstream: number;
  upstreamId: number;
  timer: ReturnType<typeof setTimeout> | null;
  tcp: net.Socket | null;
  /** A truncated answer kept for a UDP guest, should the TCP retry not fit or fail. */
  truncated: Buffer | null;
  done: boolean;
}

/** A guest's TCP connection to the forwarder. */
interface GuestConn {
  sock: TcpSocket;
  rx: Buffer;
  inFlight: number;
  idle: ReturnType<typeof setTimeout> | null;
  closed: boolean;
  /** Bytes queued for the guest that the send buffer has not taken yet. */
  tx: Buffer[];
}

const MAX_IN_FLIGHT_PER_CONN = 16;

/** Parse `IP[:PORT]`; return it or throw NETCH_ERR_DNS_CONFIG. */
export function parseDnsUpstream(text: string): DnsUpstream {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  const port = m?.[2] !== undefined ? Number(m[2]) : DNS_PORT;
  if (m === null || parseIpv4(m[1]!) < 0 || port < 1 || port > 65535) {
    throw gatewayError(NETCH_ERR_DNS_CONFIG, `${NETCH_ERR_DNS_CONFIG}: DNS upstream ${JSON.stringify(text)} is not IP[:PORT] (IPv4)`);
  }
  return { address: m[1]!, port };
}

/** Return the IPv4 nameservers of a resolv.conf text, in order (IPv6 ones are skipped). */
export function parseResolvConf(text: string): DnsUpstream[] {
  const out: DnsUpstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m !== null && parseIpv4(m[1]!) >= 0) out.push({ address: m[1]!, port: DNS_PORT });
  }
  return out;
}

/** A DNS forwarder on a Host. */
export class DnsForwarder {
  readonly counters: DnsCounters = {
    UdpQueries: 0, TcpQueries: 0, Malformed: 0, Dropped: 0, UpstreamUdp: 0, UpstreamTcp: 0, UpstreamTimeouts: 0,
    UpstreamServFails: 0, UpstreamTcpErrors: 0, TruncatedRetries: 0, Unmatched: 0, Answers: 0, ServFails: 0,
    TcpConnections: 0, TcpRefused: 0,
  };
  /** The upstreams asked, in order. */
  readonly upstreams: readonly DnsUpstream[];
  private readonly addr: number;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly maxConns: number;
  private readonly tcpIdleMs: number;
  private readonly clock: () => Millis;
  private readonly tcpLayer: TcpLayer | null;
  private udpSock: UdpSocket | null = null;
  private listener: TcpSocket | null = null;
  private upSock: dgram.Socket | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly conns = new Set<GuestConn>();
  private readonly view = new DnsView();
  private readonly rec: DnsRepr = newDnsRepr();
  private readonly rxBuf = new Uint8Array(65535);
  private readonly from = newUdpPeerInfo();

  /** Check the options and read resolv.conf when needed. Errors: NETCH_ERR_DNS_CONFIG. */
  constructor(
    private readonly host: Host,
    opts: DnsForwarderOptions,
  ) {
    const fail = (m: string): never => {
      throw gatewayError(NETCH_ERR_DNS_CONFIG, `${NETCH_ERR_DNS_CONFIG}: ${m}`);
    };
    this.addr = parseIpv4(opts.address ?? '');
    if (this.addr < 0) fail(`address ${JSON.stringify(opts.address)} is not an IPv4 address`);
    if (opts.upstreams !== undefined) {
      this.upstreams = opts.upstreams.map(parseDnsUpstream);
    } else {
      const path = opts.resolvConf ?? '/etc/resolv.conf';
      let text = '';
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        fail(`cannot read ${path} (${(e as Error).message}); give upstreams (--dns-upstream IP[:PORT])`);
      }
      this.upstreams = parseResolvConf(text);
    }
    if (this.upstreams.length === 0) fail('no upstream resolver: give upstreams (--dns-upstream IP[:PORT]) or an IPv4 nameserver in resolv.conf');
    const int = (v: number | undefined, d: number, what: string): number => {
      const n = v ?? d;
      return Number.isInteger(n) && n >= 1 ? n : fail(`${what} ${n} must be a positive integer`);
    };
    this.timeoutMs = int(opts.timeoutMs, 2000, 'timeoutMs');
    this.maxPending = int(opts.maxPending, 512, 'maxPending');
    this.maxConns = int(opts.maxTcpConnections, 64, 'maxTcpConnections');
    this.tcpIdleMs = int(opts.tcpIdleMs, 10_000, 'tcpIdleMs');
    this.tcpLayer = opts.tcp ?? null;
    this.clock = opts.now ?? (() => host.lastPollTime);
  }

  /**
   * Open the guest-side sockets (UDP, and TCP when a TCP layer was given, on address:53)
   * and the upstream socket. Errors: EADDRINUSE / EADDRNOTAVAIL from the binds.
   */
  async start(): Promise<this> {
    if (this.udpSock !== null) return this;
    const up = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      up.once('error', reject);
      up.bind(0, () => {
        up.off('error', reject);
        resolve();
      });
    });
    up.on('message', (m, rinfo) => this.onUpstreamUdp(m, rinfo));
    up.on('error', () => {
      // An ICMP error surfaced on the socket: the attempt times out and the next upstream is asked.
    });
    this.upSock = up;
    const s = this.host.udpSocket({ recvQueueLen: 256, recvBufferSize: 256 * 1024 });
    try {
      s.bind(this.addr, DNS_PORT);
    } catch (e) {
      up.close();
      this.upSock = null;
      throw e;
    }
    s.setReadableNotify(() => this.drainUdp());
    this.udpSock = s;
    if (this.tcpLayer !== null) {
      const l = this.tcpLayer.socket();
      const r = l.bind(this.addr, DNS_PORT);
      if (r < 0 || l.listen(64) < 0) {
        l.close(this.clock());
        this.close();
        throw gatewayError('EADDRINUSE', `cannot listen on ${ipv4ToString(this.addr)}:53/tcp (${r})`);
      }
      l.onReadiness = () => this.acceptAll();
      this.listener = l;
    }
    return this;
  }

  /** Close every socket, answer nothing more, forget pending queries. Idempotent. */
  close(): void {
    const now = this.clock();
    this.udpSock?.close();
    this.udpSock = null;
    if (this.listener !== null) {
      this.listener.onReadiness = null;
      this.listener.close(now);
      this.listener = null;
    }
    for (const c of [...this.conns]) this.closeConn(c, true);
    for (const p of [...this.pending.values()]) this.finish(p);
    this.pending.clear();
    this.upSock?.close();
    this.upSock = null;
  }

  /** Return how many queries wait for upstreams. */
  get pendingCount(): number {
    return this.pending.size;
  }

  // ---- guest side: UDP ----

  private drainUdp(): void {
    const s = this.udpSock;
    if (s === null) return;
    const buf = this.rxBuf;
    for (;;) {
      const n = s.recvFrom(buf, 0, buf.length, this.from);
      if (n < 0) return;
      this.counters.UdpQueries++;
      this.query(Buffer.from(buf.subarray(0, n)), this.from.address, this.from.port, null);
    }
  }

  // ---- guest side: TCP (RFC 7766) ----

  private acceptAll(): void {
    const l = this.listener;
    if (l === null) return;
    for (let c = l.accept(); c !== null; c = l.accept()) {
      if (this.conns.size >= this.maxConns) {
        this.counters.TcpRefused++;
        c.abort(this.clock());
        continue;
      }
      this.counters.TcpConnections++;
      const conn: GuestConn = { sock: c, rx: Buffer.alloc(0), inFlight: 0, idle: null, closed: false, tx: [] };
      this.conns.add(conn);
      this.touch(conn);
      c.onReadiness = () => this.onConn(conn);
      this.onConn(conn);
    }
  }

  private touch(c: GuestConn): void {
    if (c.idle !== null) clearTimeout(c.idle);
    c.idle = setTimeout(() => {
      if (c.inFlight === 0) this.closeConn(c, false);
      else this.touch(c);
    }, this.tcpIdleMs);
    c.idle.unref?.();
  }

  private onConn(c: GuestConn): void {
    if (c.closed) return;
    const s = c.sock;
    const ev = s.readiness();
    if ((ev & TcpEvent.Writable) !== 0 && c.tx.length > 0) this.flush(c);
    if ((ev & TcpEvent.Readable) === 0) return;
    const buf = this.rxBuf;
    for (;;) {
      const n = s.recv(buf, 0, buf.length, this.clock());
      if (n === -TcpErr.WouldBlock) break;
      if (n <= 0) {
        // End of stream or an error: answers still due go nowhere.
        this.closeConn(c, n < 0);
        return;
      }
      c.rx = c.rx.length === 0 ? Buffer.from(buf.subarray(0, n)) : Buffer.concat([c.rx, buf.subarray(0, n)]);
    }
    this.touch(c);
    while (c.rx.length >= 2) {
      const len = c.rx.readUInt16BE(0);
      if (c.rx.length < 2 + len) break;
      const msg = Buffer.from(c.rx.subarray(2, 2 + len));
      c.rx = c.rx.subarray(2 + len);
      this.counters.TcpQueries++;
      if (c.inFlight >= MAX_IN_FLIGHT_PER_CONN) {
        this.counters.Dropped++;
        continue;
      }
      this.query(msg, 0, 0, c);
    }
  }

  private sendConn(c: GuestConn, msg: Buffer): void {
    if (c.closed) return;
    const framed = Buffer.allocUnsafe(2 + msg.length);
    framed.writeUInt16BE(msg.length, 0);
    msg.copy(framed, 2);
    c.tx.push(framed);
    this.flush(c);
  }

  private flush(c: GuestConn): void {
    const now = this.clock();
    while (c.tx.length > 0) {
      const b = c.tx[0]!;
      const n = c.sock.send(b, 0, b.length, now);
      if (n < 0) {
        if (n !== -TcpErr.WouldBlock) this.closeConn(c, true);
        break;
      }
      if (n < b.length) {
        c.tx[0] = b.subarray(n);
        break;
      }
      c.tx.shift();
    }
    this.host.wake();
  }

  private closeConn(c: GuestConn, abort: boolean): void {
    if (c.closed) return;
    c.closed = true;
    this.conns.delete(c);
    if (c.idle !== null) clearTimeout(c.idle);
    c.sock.onReadiness = null;
    const now = this.clock();
    if (abort) c.sock.abort(now);
    else {
      c.sock.shutdown(SHUT_WR, now);
      c.sock.close(now);
    }
    this.host.wake();
  }

  // ---- forwarding ----

  /** Check a guest's query and send it to the first upstream. */
  private query(q: Buffer, udpAddr: number, udpPort: number, conn: GuestConn | null): void {
    const r = this.rec;
    const v = this.view.wrap(q, 0, q.length);
    if (parseDnsInto(v, r) !== WireErr.Ok || (r.flags & DNS_FLAG_QR) !== 0 || r.qdCount !== 1 || ((r.flags >>> 11) & 0xf) !== DNS_OPCODE_QUERY) {
      this.counters.Malformed++;
      return;
    }
    if (this.pending.size >= this.maxPending) {
      this.counters.Dropped++;
      return;
    }
    // The guest's buffer: 512 bytes, or its EDNS size; never past one datagram on the link.
    const mtu = this.host.mtuFor(udpAddr === 0 ? this.addr : udpAddr);
    const limit = Math.min(Math.max(DNS_UDP_MAX, r.ednsUdpSize), mtu > 0 ? mtu - 28 : DNS_UDP_MAX);
    const p: Pending = {
      query: q.subarray(0, r.end), clientId: r.id, udpAddr, udpPort, conn, udpLimit: limit,
      upstream: -1, upstreamId: 0, timer: null, tcp: null, truncated: null, done: false,
    };
    if (conn !== null) conn.inFlight++;
    this.next(p);
  }

  /** Ask the next upstream over UDP, or answer SERVFAIL when none is left. */
  private next(p: Pending): void {
    if (p.done) return;
    this.clearAttempt(p);
    p.upstream++;
    if (p.upstream >= this.upstreams.length || this.upSock === null) {
      if (p.truncated !== null) this.answer(p, p.truncated);
      else this.servfail(p);
      return;
    }
    p.upstreamId = this.freshId();
    this.pending.set(p.upstreamId, p);
    const u = this.upstreams[p.upstream]!;
    const out = Buffer.from(p.query);
    out.writeUInt16BE(p.upstreamId, 0);
    this.counters.UpstreamUdp++;
    this.upSock.send(out, u.port, u.address);
    p.timer = setTimeout(() => {
      this.counters.UpstreamTimeouts++;
      this.next(p);
    }, this.timeoutMs);
  }

  private freshId(): number {
    for (;;) {
      const id = randomInt(0, 65536);
      if (!this.pending.has(id)) return id;
    }
  }

  private clearAttempt(p: Pending): void {
    if (p.timer !== null) clearTimeout(p.timer);
    p.timer = null;
    if (p.tcp !== null) {
      p.tcp.destroy();
      p.tcp = null;
    }
    if (p.upstream >= 0 && this.pending.get(p.upstreamId) === p) this.pending.delete(p.upstreamId);
  }

  /** Return the pending query `m` answers from upstream `u`, or null (then `m` is counted Unmatched). */
  private match(m: Buffer, from: DnsUpstream | null): Pending | null {
    const r = this.rec;
    if (parseDnsInto(this.view.wrap(m, 0, m.length), r) !== WireErr.Ok || (r.flags & DNS_FLAG_QR) === 0) return null;
    const p = this.pending.get(r.id);
    if (p === undefined || p.done) return null;
    const u = this.upstreams[p.upstream]!;
    if (from !== null && (from.address !== u.address || from.port !== u.port)) return null;
    // The question must be the one asked (RFC 5452 §9.1), compared as bytes (names case and all).
    const qLen = this.questionLength(p.query);
    if (r.questionLength !== qLen || m.compare(p.query, DNS_HEADER_LEN, DNS_HEADER_LEN + qLen, DNS_HEADER_LEN, DNS_HEADER_LEN + qLen) !== 0) return null;
    return p;
  }

  private questionLength(q: Buffer): number {
    const r = newDnsRepr();
    return parseDnsInto(new DnsView().wrap(q, 0, q.length), r) === WireErr.Ok ? r.questionLength : -1;
  }

  private onUpstreamUdp(m: Buffer, rinfo: dgram.RemoteInfo): void {
    const p = this.match(m, { address: rinfo.address, port: rinfo.port });
    if (p === null) {
      this.counters.Unmatched++;
      return;
    }
    const flags = m.readUInt16BE(2);
    const rcode = flags & 0xf;
    if (rcode === DnsRcode.ServFail || rcode === DnsRcode.Refused) {
      this.counters.UpstreamServFails++;
      this.next(p);
      return;
    }
    if ((flags & DNS_FLAG_TC) !== 0) {
      this.counters.TruncatedRetries++;
      p.truncated = m;
      this.askTcp(p);
      return;
    }
    this.answer(p, m);
  }

  /** Ask the current upstream over TCP (after a truncated answer). */
  private askTcp(p: Pending): void {
    if (p.timer !== null) clearTimeout(p.timer);
    const u = this.upstreams[p.upstream]!;
    this.counters.UpstreamTcp++;
    const s = net.connect({ host: u.address, port: u.port });
    p.tcp = s;
    const out = Buffer.allocUnsafe(2 + p.query.length);
    out.writeUInt16BE(p.query.length, 0);
    p.query.copy(out, 2);
    out.writeUInt16BE(p.upstreamId, 2);
    let acc: Buffer = Buffer.alloc(0);
    const fail = (): void => {
      if (p.tcp !== s) return;
      this.counters.UpstreamTcpErrors++;
      this.next(p);
    };
    s.on('connect', () => s.write(out));
    s.on('data', (c: Buffer) => {
      acc = acc.length === 0 ? c : Buffer.concat([acc, c]);
      if (acc.length < 2 || acc.length < 2 + acc.readUInt16BE(0)) return;
      const msg = Buffer.from(acc.subarray(2, 2 + acc.readUInt16BE(0)));
      if (p.tcp !== s) return;
      const q = this.match(msg, null);
      if (q !== p) {
        this.counters.Unmatched++;
        fail();
        return;
      }
      p.tcp = null;
      s.destroy();
      const rcode = msg.readUInt16BE(2) & 0xf;
      if (rcode === DnsRcode.ServFail || rcode === DnsRcode.Refused) {
        this.counters.UpstreamServFails++;
        this.next(p);
        return;
      }
      this.answer(p, msg);
    });
    s.on('error', fail);
    s.on('close', fail);
    p.timer = setTimeout(() => {
      this.counters.UpstreamTimeouts++;
      this.next(p);
    }, this.timeoutMs);
  }

  /** Relay upstream answer `m` to the guest, with the guest's id. */
  private answer(p: Pending, m: Buffer): void {
    let msg: Buffer = m;
    if (p.conn === null && msg.length > p.udpLimit) {
      // Too big for the guest's UDP buffer: the truncated answer, so it asks over TCP.
      msg = p.truncated !== null && p.truncated.length <= p.udpLimit ? p.truncated : this.truncate(p);
    }
    msg = Buffer.from(msg);
    msg.writeUInt16BE(p.clientId, 0);
    this.counters.Answers++;
    this.deliver(p, msg);
  }

  /** Answer SERVFAIL (made here: every upstream failed). */
  private servfail(p: Pending): void {
    this.counters.ServFails++;
    this.deliver(p, this.reply(p, DnsRcode.ServFail, false));
  }

  private truncate(p: Pending): Buffer {
    return this.reply(p, DnsRcode.NoError, true);
  }

  /** Return a header-and-question reply to `p`'s query with `rcode` (and TC). */
  private reply(p: Pending, rcode: number, tc: boolean): Buffer {
    const qLen = Math.max(0, this.questionLength(p.query));
    const b = Buffer.alloc(DNS_HEADER_LEN + qLen);
    p.query.copy(b, 0, 0, DNS_HEADER_LEN + qLen);
    b.writeUInt16BE(p.clientId, 0);
    const rd = p.query.readUInt16BE(2) & DNS_FLAG_RD;
    b.writeUInt16BE(DNS_FLAG_QR | rd | DNS_FLAG_RA | (tc ? DNS_FLAG_TC : 0) | rcode, 2);
    b.writeUInt16BE(qLen > 0 ? 1 : 0, 4);
    b.writeUInt32BE(0, 6);
    b.writeUInt16BE(0, 10);
    return b;
  }

  private deliver(p: Pending, msg: Buffer): void {
    this.finish(p);
    if (p.conn !== null) {
      p.conn.inFlight--;
      this.sendConn(p.conn, msg);
      return;
    }
    const s = this.udpSock;
    if (s === null) return;
    s.sendTo(msg, 0, msg.length, p.udpAddr, p.udpPort, this.clock());
    this.host.wake();
  }

  private finish(p: Pending): void {
    this.clearAttempt(p);
    p.done = true;
  }
}
