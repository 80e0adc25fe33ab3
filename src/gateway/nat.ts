// What the NAT halves (nat-tcp.ts, nat-udp.ts, nat-icmp.ts) share: the gateway's counters,
// the mapping of a guest-side destination to a host address, per-guest flow accounting,
// and ICMP errors sent to a guest about a datagram it sent.

import type { Host } from '../iface/host.js';
import type { Millis } from '../time.js';
import { set16, set32 } from '../wire/bytes.js';
import { internetChecksum } from '../wire/checksum.js';
import { ICMP_DEST_UNREACH, ICMP_HEADER_LEN, emitIcmpv4, newIcmpv4Repr } from '../wire/icmpv4.js';
import { IPPROTO_ICMP, IPV4_LOOPBACK, ipv4InSubnet, ipv4IsLoopback, ipv4ToString } from '../wire/ipv4.js';
import type { EgressPolicy, GatewayConfig } from './config.js';

/** The gateway's counters (`netch netstat -s`, Gateway.counters). */
export interface GatewayCounters {
  /** TCP flows open now. */
  TcpFlows: number;
  /** TCP flows whose host connection completed. */
  TcpOpened: number;
  /** Guest SYNs answered with a RST because the host refused (ECONNREFUSED). */
  TcpRefused: number;
  /** Guest SYNs answered with ICMP unreachable (host or network unreachable, connect timeout). */
  TcpUnreachable: number;
  /** Guest SYNs refused by the egress policy (RST, no host socket opened). */
  TcpDenied: number;
  /** Guest SYNs refused because the guest holds maxFlows flows (RST). */
  TcpFlowLimit: number;
  /** Guest SYNs dropped because maxHalfOpen connects were pending for the guest. */
  TcpHalfOpenDrops: number;
  /** Flows ended by a reset from either side. */
  TcpResets: number;
  /** Bytes guest → host, host → guest (of all TCP flows). */
  TcpBytesOut: number;
  TcpBytesIn: number;
  /** UDP flows open now. */
  UdpFlows: number;
  UdpOpened: number;
  /** Datagrams guest → host and host → guest. */
  UdpOut: number;
  UdpIn: number;
  /** Datagrams refused by the egress policy. */
  UdpDenied: number;
  /** Datagrams refused because the guest holds maxFlows flows. */
  UdpFlowLimit: number;
  /** Host → guest datagrams that could not be sent (too large for the MTU, no buffer). */
  UdpInDrops: number;
  /** UDP flows closed for being idle. */
  UdpIdleClosed: number;
  /** ICMP echo requests to outside addresses relayed, replies relayed back. */
  IcmpEchoOut: number;
  IcmpEchoIn: number;
  /** ICMP echo requests to outside addresses dropped (no unprivileged ICMP socket, or the policy). */
  IcmpEchoDropped: number;
  /** Datagrams to outside addresses of a protocol the NAT does not carry, or malformed. */
  Unhandled: number;
}

/** Return zeroed counters. */
export function newGatewayCounters(): GatewayCounters {
  return {
    TcpFlows: 0, TcpOpened: 0, TcpRefused: 0, TcpUnreachable: 0, TcpDenied: 0, TcpFlowLimit: 0, TcpHalfOpenDrops: 0, TcpResets: 0,
    TcpBytesOut: 0, TcpBytesIn: 0, UdpFlows: 0, UdpOpened: 0, UdpOut: 0, UdpIn: 0, UdpDenied: 0, UdpFlowLimit: 0, UdpInDrops: 0,
    UdpIdleClosed: 0, IcmpEchoOut: 0, IcmpEchoIn: 0, IcmpEchoDropped: 0, Unhandled: 0,
  };
}

/** A NAT flow as `netch ss` lists it. */
export interface NatFlowInfo {
  proto: 'tcp' | 'udp';
  /** `10.0.2.15:40000` */
  guest: string;
  /** The address the guest sees it talk to: `10.0.2.2:8080`. */
  remote: string;
  /** The host socket's peer: `127.0.0.1:8080`. */
  host: string;
  /** Bytes guest → host and host → guest. */
  bytesOut: number;
  bytesIn: number;
  state: string;
  /** True for an inbound forward (a host client into the guest). */
  inbound: boolean;
}

/** What the NAT halves need from the gateway. */
export class NatContext {
  readonly counters: GatewayCounters;
  private readonly flowsByGuest = new Map<number, number>();
  private readonly icmp = newIcmpv4Repr();

  constructor(
    readonly cfg: GatewayConfig,
    readonly policy: EgressPolicy,
    readonly host: Host,
    readonly now: () => Millis,
    counters: GatewayCounters,
    /** Say something the operator should know, once per cause (the gateway's warnings). */
    readonly warn: (message: string) => void = () => undefined,
  ) {
    this.counters = counters;
  }

  /**
   * Return the host address a guest's datagram to `dst` goes to (the gateway's address is
   * the host's 127.0.0.1 when hostLoopback is on), or -1 when `dst` is not NAT'd: the
   * guest network's own addresses, loopback, or the gateway's address with hostLoopback off.
   */
  hostTarget(dst: number): number {
    const c = this.cfg;
    if (dst === c.gateway) return c.hostLoopback ? IPV4_LOOPBACK : -1;
    if (ipv4InSubnet(dst, c.netAddress, c.prefixLen) || ipv4IsLoopback(dst) || dst === 0) return -1;
    return dst;
  }

  /** Return the address a guest sees for host address `a` (loopback becomes the gateway's), or -1 when it cannot be shown. */
  guestView(a: number): number {
    if (ipv4IsLoopback(a)) return this.cfg.hostLoopback ? this.cfg.gateway : -1;
    return a;
  }

  /** Return how many flows guest `addr` holds. */
  flowsOf(addr: number): number {
    return this.flowsByGuest.get(addr) ?? 0;
  }

  /** Count a flow of guest `addr` opened (+1) or closed (-1). */
  addFlow(addr: number, d: 1 | -1): void {
    const n = (this.flowsByGuest.get(addr) ?? 0) + d;
    if (n <= 0) this.flowsByGuest.delete(addr);
    else this.flowsByGuest.set(addr, n);
  }

  /**
   * Send the guest at `guest` an ICMP destination unreachable (`code`) from the gateway about
   * its datagram of `proto` from `guest`:`srcPort` to `dst`:`dstPort` whose transport header
   * went on with the 32-bit `word` (a TCP sequence number; 0 for UDP: length and checksum).
   */
  sendUnreach(code: number, guest: number, srcPort: number, dst: number, dstPort: number, proto: number, word: number): void {
    const ip = this.host.ip;
    const now = this.now();
    const quote = 28;
    const at = ip.begin(guest, IPPROTO_ICMP, ICMP_HEADER_LEN + quote, this.cfg.gateway, now);
    if (at < 0) return;
    const b = ip.bytes;
    const q = at + ICMP_HEADER_LEN;
    // The quoted IPv4 header (RFC 792: the header and the first 64 bits of the datagram).
    b[q] = 0x45;
    b[q + 1] = 0;
    set16(b, q + 2, 40);
    set16(b, q + 4, 0);
    set16(b, q + 6, 0x4000);
    b[q + 8] = 64;
    b[q + 9] = proto;
    set16(b, q + 10, 0);
    set32(b, q + 12, guest);
    set32(b, q + 16, dst);
    set16(b, q + 10, internetChecksum(b, q, 20));
    set16(b, q + 20, srcPort);
    set16(b, q + 22, dstPort);
    set32(b, q + 24, word);
    const r = this.icmp;
    r.msgType = ICMP_DEST_UNREACH;
    r.msgCode = code;
    r.nextHopMtu = 0;
    r.payloadLength = quote;
    emitIcmpv4(r, b, at);
    ip.commit(now);
  }
}

/** Return `a.b.c.d:port`. */
export function endpoint(addr: number, port: number): string {
  return `${ipv4ToString(addr)}:${port}`;
}
