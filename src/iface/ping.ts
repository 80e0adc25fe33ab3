// Ping sockets, after Linux's ICMP datagram sockets (SOCK_DGRAM, IPPROTO_ICMP): each
// owns an echo identifier, sends echo requests, and receives the replies carrying its
// identifier plus the ICMP errors that quote its requests (as ping sees them with
// IP_RECVERR: "Destination Host Unreachable"). Replies wait in a bounded queue of
// preallocated records; a full queue drops the newest and counts it.
//
// RTT: the socket remembers when each of the last 1024 sequence numbers was sent (`now`
// passed to sendEcho) and stamps the reply with `now` of the poll that received it.

import type { Millis } from '../time.js';
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_HEADER_LEN, type Icmpv4Repr, emitIcmpv4, newIcmpv4Repr } from '../wire/icmpv4.js';
import { IPPROTO_ICMP, type Ipv4Repr } from '../wire/ipv4.js';
import { toIpv4 } from './cidr.js';
import type { HostContext } from './context.js';
import { copyBytes } from '../storage/copy.js';
import { IpErr, netchError } from './errors.js';
import { OUT_BROADCAST } from './ipv4-output.js';
import type { IcmpErrorInfo } from './protocol.js';

const SEND_TABLE = 1024;
/** Echo data bytes kept per queued reply (longer replies report their full length). */
const REPLY_DATA_MAX = 1472;

/** One received echo reply, or one error about an echo request. */
export interface EchoReply {
  /** ICMP_ECHO_REPLY, or the error type (ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED...). */
  msgType: number;
  msgCode: number;
  /** IpErr.Ok for a reply, else what the error means (HostUnreach, NoRoute...). */
  errCode: number;
  /** The replying host, or the reporter of an error. */
  from: number;
  /** True when the host gave up itself (ARP failed); no ICMP message was received. */
  local: boolean;
  id: number;
  seq: number;
  /** TTL of the reply datagram (0 for errors). */
  ttl: number;
  /** Echo data length of the reply (0 for errors). */
  dataLength: number;
  /** `now` of the poll that received it. */
  receivedAt: Millis;
  /** `now` given to sendEcho for this sequence number, or NaN if unknown. */
  sentAt: Millis;
  /** receivedAt - sentAt, or NaN. */
  rtt: Millis;
}

/** Return a fresh record (allocate once, reuse). */
export function newEchoReply(): EchoReply {
  return {
    msgType: 0, msgCode: 0, errCode: 0, from: 0, local: false, id: 0, seq: 0, ttl: 0,
    dataLength: 0, receivedAt: 0, sentAt: NaN, rtt: NaN,
  };
}

/** Options of `host.pingSocket()`. */
export interface PingSocketOptions {
  /** Echo identifier (default: the next free one). */
  id?: number;
  /** Replies queued before drops (default 64). */
  queueLen?: number;
  /** Allow a broadcast destination (SO_BROADCAST). */
  broadcast?: boolean;
}

/** An ICMP echo socket. */
export class PingSocket {
  readonly id: number;
  /** Replies dropped because the queue was full. */
  drops = 0;
  private readonly sentSeq = new Int32Array(SEND_TABLE).fill(-1);
  private readonly sentAt = new Float64Array(SEND_TABLE);
  private readonly queue: EchoReply[] = [];
  private readonly data: Uint8Array;
  private head = 0;
  private count = 0;
  private readonly tx: Icmpv4Repr = newIcmpv4Repr();
  private notify: ((s: PingSocket) => void) | null = null;
  private closed = false;
  private readonly flags: number;

  constructor(
    private readonly ctx: HostContext,
    opts: PingSocketOptions = {},
  ) {
    let id = opts.id;
    if (id === undefined) {
      id = ctx.icmp.allocId();
      if (id < 0) throw netchError('EADDRINUSE', 'no free ICMP echo identifier', { syscall: 'pingSocket' });
    } else {
      if (!Number.isInteger(id) || id < 0 || id > 65535) throw netchError('EINVAL', `echo id ${id} is not in [0, 65535]`, { syscall: 'pingSocket' });
      if (ctx.icmp.idInUse(id)) throw netchError('EADDRINUSE', `echo id ${id} is in use`, { syscall: 'pingSocket' });
    }
    const qLen = opts.queueLen ?? 64;
    if (!Number.isInteger(qLen) || qLen < 1) throw netchError('EINVAL', `queueLen ${qLen} is not a positive integer`, { syscall: 'pingSocket' });
    this.id = ctx.icmp.register(this, id);
    for (let i = 0; i < qLen; i++) this.queue.push(newEchoReply());
    this.data = new Uint8Array(qLen * REPLY_DATA_MAX);
    this.flags = opts.broadcast === true ? OUT_BROADCAST : 0;
  }

  /** Return how many replies wait. */
  get pending(): number {
    return this.count;
  }

  /**
   * Send an echo request with sequence number `seq` and `size` data bytes (default 56, as
   * ping) to `dst`; return an IpErr code. Data is `data` when given, else bytes 0, 1, 2...
   * Errors: throws EINVAL for bad arguments, EBADF after close.
   */
  sendEcho(dst: number | string, seq: number, now: Millis, size = 56, data?: Uint8Array): number {
    if (this.closed) throw netchError('EBADF', 'ping socket is closed', { syscall: 'sendto' });
    const addr = typeof dst === 'number' ? dst : toIpv4(dst, 'sendto');
    if (!Number.isInteger(seq) || seq < 0 || seq > 65535) throw netchError('EINVAL', `seq ${seq} is not in [0, 65535]`, { syscall: 'sendto' });
    const len = data !== undefined ? data.length : size;
    if (!Number.isInteger(len) || len < 0 || len > 65507) throw netchError('EINVAL', `size ${len} is not in [0, 65507]`, { syscall: 'sendto' });
    const out = this.ctx.out;
    const at = out.begin(addr, IPPROTO_ICMP, ICMP_HEADER_LEN + len, 0, now, 0, this.flags);
    if (at < 0) return -at;
    const b = out.bytes;
    const d = at + ICMP_HEADER_LEN;
    if (data !== undefined) copyBytes(b, d, data, 0, len);
    else for (let i = 0; i < len; i++) b[d + i] = i & 0xff;
    const t = this.tx;
    t.msgType = ICMP_ECHO_REQUEST;
    t.msgCode = 0;
    t.identifier = this.id;
    t.seqNumber = seq;
    t.payloadLength = len;
    emitIcmpv4(t, b, at);
    out.commit(now);
    this.ctx.icmp.countOut(ICMP_ECHO_REQUEST);
    const slot = seq & (SEND_TABLE - 1);
    this.sentSeq[slot] = seq;
    this.sentAt[slot] = now;
    return IpErr.Ok;
  }

  /**
   * Take the oldest reply into `out`, copying up to `len` echo data bytes into `buf` at
   * `off` when given; return false when none waits.
   */
  recv(out: EchoReply, buf?: Uint8Array, off = 0, len = buf === undefined ? 0 : buf.length - off): boolean {
    if (this.count === 0) return false;
    const slot = this.head;
    const r = this.queue[slot]!;
    out.msgType = r.msgType;
    out.msgCode = r.msgCode;
    out.errCode = r.errCode;
    out.from = r.from;
    out.local = r.local;
    out.id = r.id;
    out.seq = r.seq;
    out.ttl = r.ttl;
    out.dataLength = r.dataLength;
    out.receivedAt = r.receivedAt;
    out.sentAt = r.sentAt;
    out.rtt = r.rtt;
    if (buf !== undefined) copyBytes(buf, off, this.data, slot * REPLY_DATA_MAX, Math.min(len, r.dataLength, REPLY_DATA_MAX));
    this.head = (this.head + 1) % this.queue.length;
    this.count--;
    return true;
  }

  /** Call `cb` when the queue goes from empty to non-empty (edge-triggered); null cancels. */
  setReadableNotify(cb: ((s: PingSocket) => void) | null): void {
    this.notify = cb;
  }

  /** Release the identifier; later sends throw EBADF. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.icmp.unregister(this.id);
    this.count = 0;
  }

  /** Queue an echo reply (called by the ICMP layer). */
  onReply(ip: Readonly<Ipv4Repr>, icmp: Readonly<Icmpv4Repr>, bytes: Uint8Array, now: Millis): void {
    const slot = this.reserve();
    if (slot < 0) return;
    const r = this.queue[slot]!;
    this.stamp(r, ICMP_ECHO_REPLY, 0, IpErr.Ok, ip.srcAddr, false, icmp.seqNumber, now);
    r.ttl = ip.ttl;
    r.dataLength = icmp.payloadLength;
    copyBytes(this.data, slot * REPLY_DATA_MAX, bytes, icmp.payloadOffset, Math.min(icmp.payloadLength, REPLY_DATA_MAX));
    this.publish();
  }

  /** Queue an error about echo request `seq` (called by the ICMP layer). */
  onError(info: Readonly<IcmpErrorInfo>, seq: number, now: Millis): void {
    const slot = this.reserve();
    if (slot < 0) return;
    const r = this.queue[slot]!;
    this.stamp(r, info.msgType, info.msgCode, info.errCode, info.reporter, info.local, seq, now);
    r.ttl = 0;
    r.dataLength = 0;
    this.publish();
  }

  private reserve(): number {
    if (this.closed) return -1;
    if (this.count === this.queue.length) {
      this.drops++;
      return -1;
    }
    return (this.head + this.count) % this.queue.length;
  }

  private stamp(r: EchoReply, type: number, code: number, err: number, from: number, local: boolean, seq: number, now: Millis): void {
    r.msgType = type;
    r.msgCode = code;
    r.errCode = err;
    r.from = from;
    r.local = local;
    r.id = this.id;
    r.seq = seq;
    r.receivedAt = now;
    const slot = seq & (SEND_TABLE - 1);
    r.sentAt = this.sentSeq[slot] === seq ? this.sentAt[slot]! : NaN;
    r.rtt = now - r.sentAt;
  }

  private publish(): void {
    this.count++;
    if (this.count === 1 && this.notify !== null) this.ctx.callUser(this.notify, this);
  }
}
