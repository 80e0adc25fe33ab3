// The hook for transport protocols above IPv4 (TCP first): a handler registered for an IP
// protocol number receives every datagram of that protocol addressed to the host, and the
// ICMP errors that quote one it sent. It sends through the host's Ipv4Output (`host.ip`).

import type { Millis } from '../time.js';
import type { Ipv4Repr } from '../wire/ipv4.js';
import type { UdpRepr } from '../wire/udp.js';

/** What an ICMP error (or a local resolution failure) says about a datagram we sent. */
export interface IcmpErrorInfo {
  /** ICMP type (ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, ICMP_PARAMETER_PROB). */
  msgType: number;
  msgCode: number;
  /** The IpErr code a socket reports for it (ConnRefused, HostUnreach, NoRoute, MsgSize, NetError). */
  errCode: number;
  /** Whether a socket treats it as fatal (RFC 1122 §4.2.3.9: "hard" errors). */
  hard: boolean;
  /** Who reported it (the router or host that sent the ICMP); our own address when local. */
  reporter: number;
  /** True when the host itself gave up (ARP resolution failed), no ICMP was received. */
  local: boolean;
  /** Next-hop MTU of a "fragmentation needed" error (RFC 1191), else 0. */
  nextHopMtu: number;
  /** The quoted datagram's header fields. */
  srcAddr: number;
  dstAddr: number;
  protocol: number;
  /** Offset and length, in the bytes passed along, of the quoted transport header and data (at least 8 bytes). */
  quotedOffset: number;
  quotedLength: number;
}

/** Return a fresh record (allocate once, reuse). */
export function newIcmpErrorInfo(): IcmpErrorInfo {
  return {
    msgType: 0, msgCode: 0, errCode: 0, hard: false, reporter: 0, local: false, nextHopMtu: 0,
    srcAddr: 0, dstAddr: 0, protocol: 0, quotedOffset: 0, quotedLength: 0,
  };
}

/** A transport protocol plugged into a host (`host.setProtocolHandler(IPPROTO_TCP, h)`). */
export interface ProtocolHandler {
  /**
   * Handle one datagram addressed to the host: header fields in `ip`, payload at
   * `ip.payloadOffset`/`ip.payloadLength` of `bytes`.
   * `checksumUnnecessary`: the datagram came from loopback or a link that declares checksum
   * offload, so the transport may skip verifying its checksum (Linux's CHECKSUM_UNNECESSARY).
   * Ownership: `ip` and `bytes` are lent for the call only. Must not throw.
   */
  input(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, now: Millis, checksumUnnecessary: boolean): void;
  /** Handle an ICMP error about a datagram this protocol sent (quoted bytes lent for the call). */
  icmpError?(info: Readonly<IcmpErrorInfo>, bytes: Uint8Array, now: Millis): void;
  /** Run due timers; return how much work was done (0 when idle). */
  poll?(now: Millis): number;
  /** Return the next timer deadline, or Infinity. */
  pollAt?(): Millis;
}

/**
 * The receiver of a host in transparent mode (a NAT gateway, src/gateway): unicast
 * datagrams that arrive on an interface for an address that is not the host's are handed
 * here instead of being dropped as address errors, and UDP datagrams to the host's own
 * addresses that no socket takes are offered here before the ICMP port unreachable.
 */
export interface TransparentInput {
  /**
   * Handle one whole datagram (reassembled) from an interface to an address not the host's.
   * `checksumUnnecessary` as ProtocolHandler.input. Ownership: lent for the call. Must not throw.
   */
  input(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, now: Millis, checksumUnnecessary: boolean): void;
  /**
   * A UDP datagram to one of the host's addresses found no socket (header in `udp`, checked);
   * return true when taken (no ICMP error is sent). Ownership: lent for the call. Must not throw.
   */
  udpUnclaimed(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, udp: Readonly<UdpRepr>, now: Millis): boolean;
}
