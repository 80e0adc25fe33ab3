// Helpers of the filter tests: hand-made TCP segments and decoders of what a host sent.

import { Ipv4View, IPPROTO_ICMP, IPPROTO_TCP, newIpv4Repr, parseIpv4Into, type Ipv4Repr } from '../../src/wire/ipv4.js';
import { ETH_HEADER_LEN } from '../../src/wire/ethernet.js';
import { TcpView, emitTcp, newTcpRepr, parseTcpInto, tcpBufferLen, type TcpRepr } from '../../src/wire/tcp.js';
import { Icmpv4View, newIcmpv4Repr, parseIcmpv4Into, type Icmpv4Repr } from '../../src/wire/icmpv4.js';
import { IP_A, IP_B, ipFrame, type IpFrameSpec } from './harness.js';

/** Fields of a hand-made TCP segment. */
export interface SegFields {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  payload?: number;
}

/** Return an Ethernet frame with a TCP segment from the peer (192.0.2.2) to the host, checksums valid. */
export function tcpFrame(f: SegFields = {}, ip: IpFrameSpec = {}): Uint8Array {
  const r = newTcpRepr();
  r.srcPort = f.sport ?? 40000;
  r.dstPort = f.dport ?? 80;
  r.seqNumber = (f.seq ?? 1000) >>> 0;
  r.ackNumber = (f.ack ?? 0) >>> 0;
  r.flags = f.flags ?? 0x02;
  r.windowLen = 65535;
  r.payloadLength = f.payload ?? 0;
  const hl = tcpBufferLen(r);
  const seg = new Uint8Array(hl + r.payloadLength);
  for (let i = 0; i < r.payloadLength; i++) seg[hl + i] = i & 0xff;
  emitTcp(r, seg, 0, ip.src ?? IP_B, ip.dst ?? IP_A);
  return ipFrame(seg, { protocol: IPPROTO_TCP, ...ip });
}

/** A decoded frame the host sent: its IPv4 header and, when present, its TCP or ICMP message. */
export interface Sent {
  ip: Ipv4Repr;
  tcp: TcpRepr | null;
  icmp: Icmpv4Repr | null;
  frame: Uint8Array;
}

/** Decode the IPv4 frames among `frames` (ARP is skipped) with our wire parsers; throw on a malformed one. */
export function decodeSent(frames: readonly Uint8Array[]): Sent[] {
  const out: Sent[] = [];
  for (const f of frames) {
    if (f[12] !== 0x08 || f[13] !== 0x00) continue;
    const ip = newIpv4Repr();
    if (parseIpv4Into(new Ipv4View().wrap(f, ETH_HEADER_LEN, f.length - ETH_HEADER_LEN), ip) !== 0) throw new Error('malformed IPv4 sent');
    let tcp: TcpRepr | null = null;
    let icmp: Icmpv4Repr | null = null;
    if (ip.protocol === IPPROTO_TCP) {
      tcp = newTcpRepr();
      if (parseTcpInto(new TcpView().wrap(f, ip.payloadOffset, ip.payloadLength), tcp, ip.srcAddr, ip.dstAddr) !== 0) throw new Error('malformed TCP sent');
    } else if (ip.protocol === IPPROTO_ICMP) {
      icmp = newIcmpv4Repr();
      if (parseIcmpv4Into(new Icmpv4View().wrap(f, ip.payloadOffset, ip.payloadLength), icmp) !== 0) throw new Error('malformed ICMP sent');
    }
    out.push({ ip, tcp, icmp, frame: f });
  }
  return out;
}
