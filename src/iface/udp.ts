// UDP on the host (RFC 768, RFC 1122 §4.1): the port table, demultiplexing, sending,
// and ICMP error delivery. Counting follows Linux's udp.c: a datagram for a closed port
// counts NoPorts and is answered with ICMP port unreachable (RFC 1122 §4.1.3.1) unless it
// was broadcast; a bad checksum counts InCsumErrors and InErrors; a full receive queue
// counts RcvbufErrors and InErrors.
//
// Ports: sockets bound to one port form a chain in a Map keyed by port. A datagram goes
// to the most specific match (connected beats bound-to-address beats wildcard; among
// equals, the most recently bound), a broadcast to every match. Ephemeral ports come from
// [ephemeralLow, ephemeralHigh] (ip_local_port_range), searched from a moving cursor.

import type { Millis } from '../time.js';
import { get16 } from '../wire/bytes.js';
import { WireErr } from '../wire/errors.js';
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH } from '../wire/icmpv4.js';
import { IPPROTO_UDP, IPV4_HEADER_LEN, type Ipv4Repr, ipv4ToString } from '../wire/ipv4.js';
import { UDP_HEADER_LEN, UdpView, emitUdp, newUdpRepr, parseUdpInto } from '../wire/udp.js';
import type { HostContext } from './context.js';
import { copyBytes } from '../storage/copy.js';
import { IpErr, netchError } from './errors.js';
import type { IcmpErrorInfo } from './protocol.js';
import type { UdpSocket } from './udp-socket.js';

/** Largest UDP payload in one IPv4 datagram (65535 - 20 - 8). */
export const UDP_MAX_PAYLOAD = 65507;

/** The host's UDP protocol and port table. */
export class UdpLayer {
  private readonly ports = new Map<number, UdpSocket>();
  private cursor: number;
  private readonly view = new UdpView();
  private readonly rx = newUdpRepr();
  private readonly tx = newUdpRepr();

  constructor(private readonly ctx: HostContext) {
    this.cursor = ctx.config.ephemeralLow;
  }

  /** Handle a UDP datagram addressed to us (`bcast`: to a broadcast address; `csumOk`: the link vouches for its checksum). */
  input(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, bcast: boolean, csumOk: boolean, now: Millis): void {
    const ctx = this.ctx;
    const c = ctx.counters.Udp;
    const r = this.rx;
    const err = parseUdpInto(this.view.wrap(bytes, ip.payloadOffset, ip.payloadLength), r, ip.srcAddr, ip.dstAddr, csumOk);
    if (err !== WireErr.Ok) {
      if (err === WireErr.BadChecksum) c.InCsumErrors++;
      c.InErrors++;
      return;
    }
    if (bcast) {
      this.deliverBroadcast(ip, bytes);
      return;
    }
    const s = this.lookup(ip.dstAddr, r.dstPort, ip.srcAddr, r.srcPort);
    if (s === null) {
      const t = ctx.input.transparent;
      if (t !== null && t.udpUnclaimed(ip, bytes, r, now)) return;
      c.NoPorts++;
      const ipOff = ip.payloadOffset - ip.headerLen;
      ctx.icmp.sendError(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, bytes, ipOff, ip.headerLen + ip.payloadLength, now);
      return;
    }
    this.deliverTo(s, ip, bytes);
  }

  /**
   * Send one datagram from `s`; return an IpErr code. Binds an ephemeral port first when
   * `s` is unbound; reports (and clears) a pending error instead of sending.
   */
  send(s: UdpSocket, payload: Uint8Array, off: number, len: number, dst: number, dstPort: number, flags: number, now: Millis): number {
    const ctx = this.ctx;
    const pending = s.takeError();
    if (pending !== IpErr.Ok) return pending;
    if (s.localPort === 0 && this.autobind(s) < 0) return IpErr.AddrNotAvail;
    if (len > UDP_MAX_PAYLOAD) return IpErr.MsgSize;
    const out = ctx.out;
    const at = out.begin(dst, IPPROTO_UDP, UDP_HEADER_LEN + len, s.localAddr, now, 0, flags);
    if (at < 0) {
      if (at === -IpErr.NoBufs) ctx.counters.Udp.SndbufErrors++;
      return -at;
    }
    copyBytes(out.bytes, at + UDP_HEADER_LEN, payload, off, len);
    const t = this.tx;
    t.srcPort = s.localPort;
    t.dstPort = dstPort;
    t.payloadLength = len;
    emitUdp(t, out.bytes, at, out.srcAddr, out.dstAddr);
    out.commit(now);
    ctx.counters.Udp.OutDatagrams++;
    return IpErr.Ok;
  }

  /**
   * Put `s` in the port table at `addr`:`port` (port 0: ephemeral).
   * Errors: EADDRNOTAVAIL (not our address), EADDRINUSE (taken, or no ephemeral port left).
   */
  bind(s: UdpSocket, addr: number, port: number): void {
    if (addr !== 0 && !this.ctx.isLocal(addr)) {
      throw netchError('EADDRNOTAVAIL', `${ipv4ToString(addr)} is not an address of host ${this.ctx.name}`, { syscall: 'bind', address: ipv4ToString(addr), port });
    }
    if (port === 0) {
      s.localAddr = addr;
      if (this.autobind(s) < 0) throw netchError('EADDRINUSE', 'no free ephemeral port', { syscall: 'bind', address: ipv4ToString(addr), port });
      return;
    }
    if (!this.portFree(port, addr, s.reuseAddr)) {
      throw netchError('EADDRINUSE', `${ipv4ToString(addr)}:${port} is in use`, { syscall: 'bind', address: ipv4ToString(addr), port });
    }
    this.link(s, addr, port);
  }

  /** Take `s` out of the port table. */
  unbind(s: UdpSocket): void {
    const port = s.localPort;
    let p = this.ports.get(port) ?? null;
    let prev: UdpSocket | null = null;
    while (p !== null && p !== s) {
      prev = p;
      p = p.nextInPort;
    }
    if (p === null) return;
    if (prev === null) {
      if (s.nextInPort === null) this.ports.delete(port);
      else this.ports.set(port, s.nextInPort);
    } else {
      prev.nextInPort = s.nextInPort;
    }
    s.nextInPort = null;
  }

  /** Return how many sockets are bound. */
  get boundCount(): number {
    let n = 0;
    for (const head of this.ports.values()) {
      for (let s: UdpSocket | null = head; s !== null; s = s.nextInPort) n++;
    }
    return n;
  }

  /** Hand an ICMP error about a datagram we sent to the socket that sent it. */
  icmpError(info: Readonly<IcmpErrorInfo>, bytes: Uint8Array, _now: Millis): void {
    const q = info.quotedOffset;
    const srcPort = get16(bytes, q);
    const dstPort = get16(bytes, q + 2);
    const s = this.lookup(info.srcAddr, srcPort, info.dstAddr, dstPort);
    if (s === null) return;
    // Linux udp_err: without IP_RECVERR only a connected socket hears about it.
    if (s.recvErrors || (s.remotePort === dstPort && s.remoteAddr === info.dstAddr)) s.setError(info.errCode);
  }

  /** Return the socket a datagram to `dst`:`dport` from `src`:`sport` goes to, or null. */
  private lookup(dst: number, dport: number, src: number, sport: number): UdpSocket | null {
    let best: UdpSocket | null = null;
    let bestScore = -1;
    for (let s = this.ports.get(dport) ?? null; s !== null; s = s.nextInPort) {
      if (s.localAddr !== 0 && s.localAddr !== dst) continue;
      let score = s.localAddr !== 0 ? 2 : 0;
      if (s.remotePort !== 0) {
        if (s.remotePort !== sport || s.remoteAddr !== src) continue;
        score += 4;
      }
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }

  private deliverBroadcast(ip: Readonly<Ipv4Repr>, bytes: Uint8Array): void {
    const r = this.rx;
    let any = false;
    let next: UdpSocket | null;
    for (let s = this.ports.get(r.dstPort) ?? null; s !== null; s = next) {
      // A readiness callback may close s; take its successor first.
      next = s.nextInPort;
      if (s.localAddr !== 0 && s.localAddr !== ip.dstAddr) continue;
      if (s.remotePort !== 0 && (s.remotePort !== r.srcPort || s.remoteAddr !== ip.srcAddr)) continue;
      any = true;
      this.deliverTo(s, ip, bytes);
    }
    if (!any) this.ctx.counters.Udp.IgnoredMulti++;
  }

  private deliverTo(s: UdpSocket, ip: Readonly<Ipv4Repr>, bytes: Uint8Array): void {
    const c = this.ctx.counters.Udp;
    const r = this.rx;
    if (s.deliver(bytes, r.payloadOffset, r.payloadLength, ip.srcAddr, r.srcPort, ip.dstAddr)) {
      c.InDatagrams++;
    } else {
      c.RcvbufErrors++;
      c.InErrors++;
    }
  }

  /** Return true when `port` can be bound at `addr`. */
  private portFree(port: number, addr: number, reuse: boolean): boolean {
    for (let s = this.ports.get(port) ?? null; s !== null; s = s.nextInPort) {
      if (reuse && s.reuseAddr) continue;
      if (s.localAddr === 0 || addr === 0 || s.localAddr === addr) return false;
    }
    return true;
  }

  /** Bind `s` (at its localAddr) to the next free ephemeral port; return it, or -1. */
  private autobind(s: UdpSocket): number {
    const { ephemeralLow: low, ephemeralHigh: high } = this.ctx.config;
    const n = high - low + 1;
    for (let i = 0; i < n; i++) {
      // The range may have changed since (the ip_local_port_range sysctl): restart inside it.
      const port = this.cursor < low || this.cursor > high ? low : this.cursor;
      this.cursor = port >= high ? low : port + 1;
      if (this.portFree(port, s.localAddr, false)) {
        this.link(s, s.localAddr, port);
        return port;
      }
    }
    return -1;
  }

  private link(s: UdpSocket, addr: number, port: number): void {
    s.localAddr = addr;
    s.localPort = port;
    s.nextInPort = this.ports.get(port) ?? null;
    this.ports.set(port, s);
  }
}

/** Largest UDP payload for one datagram on an interface of `mtu` bytes. */
export function udpMaxPayload(mtu: number): number {
  return mtu - IPV4_HEADER_LEN - UDP_HEADER_LEN;
}
