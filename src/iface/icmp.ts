// ICMP on the host (RFC 792, RFC 1122 §3.2.2): answer echo requests to our addresses,
// hand echo replies to ping sockets, turn received errors into socket errors, and send
// the errors the host owes (port and protocol unreachable, reassembly timeout).
//
// Errors are never sent about an ICMP error, a datagram to a broadcast or multicast
// address, a non-initial fragment, or a datagram whose source is not a unique host
// (RFC 1122 §3.2.2); they quote the offending datagram up to 576 bytes in all (RFC 1812
// §4.3.2.3, what Linux does) and pass a token bucket (icmp_msgs_per_sec, icmp_msgs_burst).
// Errors and echo replies leave DF clear (Linux's ICMP socket). Echo replies are not rate limited. Echo requests to a broadcast address are ignored
// (icmp_echo_ignore_broadcasts). Source quench (deprecated, RFC 6633), redirect and
// timestamp messages are counted and ignored.

import type { Millis } from '../time.js';
import { get16, get32 } from '../wire/bytes.js';
import { WireErr } from '../wire/errors.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_EXC_FRAGTIME,
  ICMP_FRAG_NEEDED,
  ICMP_HEADER_LEN,
  ICMP_HOST_ANO,
  ICMP_HOST_ISOLATED,
  ICMP_HOST_UNKNOWN,
  ICMP_HOST_UNREACH,
  ICMP_HOST_UNR_TOS,
  ICMP_NET_ANO,
  ICMP_NET_UNKNOWN,
  ICMP_NET_UNREACH,
  ICMP_NET_UNR_TOS,
  ICMP_PARAMETER_PROB,
  ICMP_PKT_FILTERED,
  ICMP_PORT_UNREACH,
  ICMP_PROT_UNREACH,
  ICMP_REDIRECT,
  ICMP_SOURCE_QUENCH,
  ICMP_TIMESTAMP,
  ICMP_TIMESTAMP_REPLY,
  ICMP_TIME_EXCEEDED,
  Icmpv4View,
  emitIcmpv4,
  icmpIsError,
  newIcmpv4Repr,
  parseIcmpv4Into,
} from '../wire/icmpv4.js';
import { IPPROTO_ICMP, IPPROTO_UDP, IPV4_HEADER_LEN, type Ipv4Repr, ipv4IsBroadcast, ipv4IsMulticast } from '../wire/ipv4.js';
import type { HostContext } from './context.js';
import { copyBytes } from '../storage/copy.js';
import { IpErr } from './errors.js';
import { OUT_NO_DF } from './ipv4-output.js';
import type { PingSocket } from './ping.js';
import { type IcmpErrorInfo, newIcmpErrorInfo } from './protocol.js';
import type { ReasmTimeoutSink } from './reassembly.js';

/** Most bytes of an ICMP error datagram (RFC 1812 §4.3.2.3; Linux's 576). */
const ICMP_ERROR_MAX = 576;

/** The host's ICMP protocol and its ping sockets. */
export class IcmpLayer implements ReasmTimeoutSink {
  private readonly view = new Icmpv4View();
  private readonly rx = newIcmpv4Repr();
  private readonly tx = newIcmpv4Repr();
  private readonly info = newIcmpErrorInfo();
  private readonly sockets = new Map<number, PingSocket>();
  private nextId = 1;
  private tokens: number;
  private refilledAt: Millis = -Infinity;

  constructor(private readonly ctx: HostContext) {
    this.tokens = ctx.config.icmpBurst;
  }

  /** Handle an ICMP message addressed to us (`bcast`: to a broadcast address). */
  input(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, bcast: boolean, now: Millis): void {
    const ctx = this.ctx;
    const c = ctx.counters.Icmp;
    c.InMsgs++;
    const r = this.rx;
    const err = parseIcmpv4Into(this.view.wrap(bytes, ip.payloadOffset, ip.payloadLength), r);
    if (err !== WireErr.Ok) {
      if (err === WireErr.BadChecksum) c.InCsumErrors++;
      c.InErrors++;
      return;
    }
    ctx.counters.IcmpMsgIn[r.msgType]!++;
    switch (r.msgType) {
      case ICMP_ECHO_REQUEST:
        c.InEchos++;
        if (bcast && ctx.config.icmpEchoIgnoreBroadcasts) return;
        this.echoReply(ip, bytes, now);
        return;
      case ICMP_ECHO_REPLY: {
        c.InEchoReps++;
        const s = this.sockets.get(r.identifier);
        if (s !== undefined) s.onReply(ip, r, bytes, now);
        return;
      }
      case ICMP_DEST_UNREACH:
        c.InDestUnreachs++;
        this.errorInput(ip.srcAddr, bytes, now);
        return;
      case ICMP_TIME_EXCEEDED:
        c.InTimeExcds++;
        this.errorInput(ip.srcAddr, bytes, now);
        return;
      case ICMP_PARAMETER_PROB:
        c.InParmProbs++;
        this.errorInput(ip.srcAddr, bytes, now);
        return;
      case ICMP_SOURCE_QUENCH:
        c.InSrcQuenchs++;
        return;
      case ICMP_REDIRECT:
        c.InRedirects++;
        return;
      case ICMP_TIMESTAMP:
        c.InTimestamps++;
        return;
      case ICMP_TIMESTAMP_REPLY:
        c.InTimestampReps++;
        return;
      default:
        return;
    }
  }

  /**
   * Send an ICMP error of `type`/`code` about the datagram of `ipLen` bytes at `ipOff` in
   * `bytes` (`extra`: next-hop MTU for ICMP_FRAG_NEEDED, else 0), unless RFC 1122 §3.2.2
   * forbids it or the rate limit says no.
   */
  sendError(type: number, code: number, extra: number, bytes: Uint8Array, ipOff: number, ipLen: number, now: Millis): void {
    const ctx = this.ctx;
    const c = ctx.counters.Icmp;
    if (ipLen < IPV4_HEADER_LEN) return;
    const hl = (bytes[ipOff]! & 0x0f) * 4;
    const src = get32(bytes, ipOff + 12);
    const dst = get32(bytes, ipOff + 16);
    const fragOff = get16(bytes, ipOff + 6) & 0x1fff;
    const proto = bytes[ipOff + 9]!;
    if (fragOff !== 0) return;
    if (src === 0 || ipv4IsBroadcast(src) || ipv4IsMulticast(src) || ipv4IsBroadcast(dst) || ipv4IsMulticast(dst)) return;
    // A directed (subnet) broadcast is a broadcast too (§3.2.2; Linux checks RTCF_BROADCAST).
    if (this.isSubnetBroadcast(dst)) return;
    if (proto === IPPROTO_ICMP && hl < ipLen) {
      const t = bytes[ipOff + hl]!;
      if (icmpIsError(t) || t > ICMP_TIMESTAMP_REPLY) return;
    }
    if (!this.allow(now)) {
      c.OutRateLimitGlobal++;
      return;
    }
    const quote = Math.min(ipLen, ICMP_ERROR_MAX - IPV4_HEADER_LEN - ICMP_HEADER_LEN);
    const out = ctx.out;
    // DF clear, as Linux's ICMP control socket sends (IP_PMTUDISC_DONT in icmp_sk_init).
    const at = out.begin(src, IPPROTO_ICMP, ICMP_HEADER_LEN + quote, ctx.isLocal(dst) ? dst : 0, now, 0, OUT_NO_DF);
    if (at < 0) {
      c.OutErrors++;
      return;
    }
    copyBytes(out.bytes, at + ICMP_HEADER_LEN, bytes, ipOff, quote);
    const t = this.tx;
    t.msgType = type;
    t.msgCode = code;
    t.identifier = 0;
    t.seqNumber = 0;
    t.nextHopMtu = type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED ? extra : 0;
    t.restOfHeader = type === ICMP_PARAMETER_PROB ? (extra << 24) >>> 0 : 0;
    t.payloadLength = quote;
    emitIcmpv4(t, out.bytes, at);
    out.commit(now);
    this.countOut(type);
  }

  /** Send ICMP time exceeded (reassembly) for a timed-out datagram (ReasmTimeoutSink). */
  onReasmTimeout(buf: Uint8Array, off: number, len: number, now: Millis): void {
    this.sendError(ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0, buf, off, len, now);
  }

  /**
   * Report a datagram we could not send (ARP failed) to its sender inside the host, as if
   * ICMP `type`/`code` had come back; no message is sent or counted.
   */
  localError(type: number, code: number, bytes: Uint8Array, ipOff: number, ipLen: number, now: Millis): void {
    if (!this.fillInfo(type, code, 0, bytes, ipOff, ipLen)) return;
    this.info.reporter = this.info.srcAddr;
    this.info.local = true;
    this.dispatch(bytes, now);
  }

  /** Register a ping socket under its identifier; return the identifier. */
  register(sock: PingSocket, id: number): number {
    this.sockets.set(id, sock);
    return id;
  }

  /** Remove a ping socket. */
  unregister(id: number): void {
    this.sockets.delete(id);
  }

  /** Return a free echo identifier, or -1 when all 65535 are taken. */
  allocId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.nextId;
      this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
      if (!this.sockets.has(id)) return id;
    }
    return -1;
  }

  /** Return true when `id` is taken. */
  idInUse(id: number): boolean {
    return this.sockets.has(id);
  }

  /** Count one message sent (OutMsgs, the per-type counter and IcmpMsg). */
  countOut(type: number): void {
    const c = this.ctx.counters.Icmp;
    c.OutMsgs++;
    this.ctx.counters.IcmpMsgOut[type]!++;
    switch (type) {
      case ICMP_ECHO_REPLY: c.OutEchoReps++; break;
      case ICMP_ECHO_REQUEST: c.OutEchos++; break;
      case ICMP_DEST_UNREACH: c.OutDestUnreachs++; break;
      case ICMP_TIME_EXCEEDED: c.OutTimeExcds++; break;
      case ICMP_PARAMETER_PROB: c.OutParmProbs++; break;
      default: break;
    }
  }

  /** Answer an echo request with the same identifier, sequence and data (RFC 792). */
  private echoReply(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, now: Millis): void {
    const ctx = this.ctx;
    const r = this.rx;
    if (ip.srcAddr === 0) return;
    const out = ctx.out;
    // A reply to a broadcast request comes from our own address, never from the broadcast
    // one (RFC 1122 §3.2.1.3: a source must be unicast); 0 lets the route choose.
    const src = ctx.isLocal(ip.dstAddr) ? ip.dstAddr : 0;
    const at = out.begin(ip.srcAddr, IPPROTO_ICMP, ICMP_HEADER_LEN + r.payloadLength, src, now, 0, OUT_NO_DF);
    if (at < 0) {
      ctx.counters.Icmp.OutErrors++;
      return;
    }
    copyBytes(out.bytes, at + ICMP_HEADER_LEN, bytes, r.payloadOffset, r.payloadLength);
    const t = this.tx;
    t.msgType = ICMP_ECHO_REPLY;
    t.msgCode = 0;
    t.identifier = r.identifier;
    t.seqNumber = r.seqNumber;
    t.nextHopMtu = 0;
    t.restOfHeader = 0;
    t.payloadLength = r.payloadLength;
    emitIcmpv4(t, out.bytes, at);
    out.commit(now);
    this.countOut(ICMP_ECHO_REPLY);
  }

  /** Handle a received error message (its quoted datagram is in this.rx's body). */
  private errorInput(reporter: number, bytes: Uint8Array, now: Millis): void {
    const r = this.rx;
    if (!this.fillInfo(r.msgType, r.msgCode, r.nextHopMtu, bytes, r.payloadOffset, r.payloadLength)) {
      this.ctx.counters.Icmp.InErrors++;
      return;
    }
    // Only errors about datagrams we sent concern us.
    if (!this.ctx.isLocal(this.info.srcAddr)) return;
    this.info.reporter = reporter;
    this.info.local = false;
    this.dispatch(bytes, now);
  }

  /** Fill `info` from a quoted datagram; return false when it is too short to use. */
  private fillInfo(type: number, code: number, mtu: number, bytes: Uint8Array, q: number, qLen: number): boolean {
    if (qLen < IPV4_HEADER_LEN || bytes[q]! >>> 4 !== 4) return false;
    const hl = (bytes[q]! & 0x0f) * 4;
    if (hl < IPV4_HEADER_LEN || hl + 8 > qLen) return false;
    const i = this.info;
    i.msgType = type;
    i.msgCode = code;
    i.nextHopMtu = mtu;
    i.srcAddr = get32(bytes, q + 12);
    i.dstAddr = get32(bytes, q + 16);
    i.protocol = bytes[q + 9]!;
    i.quotedOffset = q + hl;
    i.quotedLength = qLen - hl;
    errorMeaning(i);
    return true;
  }

  /** Pass the filled `info` to the protocol that sent the quoted datagram. */
  private dispatch(bytes: Uint8Array, now: Millis): void {
    const ctx = this.ctx;
    const i = this.info;
    if (i.protocol === IPPROTO_UDP) {
      ctx.udp.icmpError(i, bytes, now);
      return;
    }
    if (i.protocol === IPPROTO_ICMP) {
      if (bytes[i.quotedOffset] !== ICMP_ECHO_REQUEST) return;
      const s = this.sockets.get(get16(bytes, i.quotedOffset + 4));
      if (s !== undefined) s.onError(i, get16(bytes, i.quotedOffset + 6), now);
      return;
    }
    const h = ctx.handlers[i.protocol];
    if (h !== null && h !== undefined && h.icmpError !== undefined) h.icmpError(i, bytes, now);
  }

  /** Return true when `addr` is the directed broadcast address of one of the host's subnets. */
  private isSubnetBroadcast(addr: number): boolean {
    const ifaces = this.ctx.ifaces;
    for (let i = 0; i < ifaces.length; i++) if (ifaces[i]!.isSubnetBroadcast(addr)) return true;
    return false;
  }

  /** Take one token from the error-rate bucket; return false when empty (0 per second: no limit). */
  private allow(now: Millis): boolean {
    const cfg = this.ctx.config;
    if (cfg.icmpRatePerSec === 0) return true;
    if (now > this.refilledAt) {
      const add = this.refilledAt === -Infinity ? cfg.icmpBurst : ((now - this.refilledAt) * cfg.icmpRatePerSec) / 1000;
      this.tokens = Math.min(cfg.icmpBurst, this.tokens + add);
      this.refilledAt = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Set `errCode` and `hard` from type and code, as Linux's icmp_err_convert does. */
function errorMeaning(i: IcmpErrorInfo): void {
  i.hard = false;
  switch (i.msgType) {
    case ICMP_DEST_UNREACH:
      switch (i.msgCode) {
        case ICMP_NET_UNREACH:
        case ICMP_NET_UNKNOWN:
        case ICMP_NET_ANO:
        case ICMP_NET_UNR_TOS:
          i.errCode = IpErr.NoRoute;
          return;
        case ICMP_PROT_UNREACH:
        case ICMP_PORT_UNREACH:
          i.errCode = IpErr.ConnRefused;
          i.hard = true;
          return;
        case ICMP_FRAG_NEEDED:
          i.errCode = IpErr.MsgSize;
          return;
        case ICMP_HOST_UNREACH:
        case ICMP_HOST_UNKNOWN:
        case ICMP_HOST_ISOLATED:
        case ICMP_HOST_ANO:
        case ICMP_HOST_UNR_TOS:
        case ICMP_PKT_FILTERED:
        default:
          i.errCode = IpErr.HostUnreach;
          i.hard = i.msgCode === ICMP_HOST_ANO || i.msgCode === ICMP_PKT_FILTERED || i.msgCode === ICMP_HOST_ISOLATED;
          return;
      }
    case ICMP_TIME_EXCEEDED:
      i.errCode = IpErr.HostUnreach;
      return;
    case ICMP_PARAMETER_PROB:
      i.errCode = IpErr.NetError;
      i.hard = true;
      return;
    default:
      i.errCode = IpErr.NetError;
  }
}
