// Whole-frame pretty-printing for traces, tests and the fuzzer: one line per Ethernet frame,
// decoded through every layer the wire module knows, in the words of `tcpdump -e -S -nn`
// (for the frames in fixtures/linux-frames.ts the line is tcpdump's, timestamp aside). For
// debugging only: it allocates freely (its own views and records, strings) and must not be
// called on a hot path.

import { type ArpRepr, ArpView, formatArp, newArpRepr, parseArpInto } from './arp.js';
import { wireErrName } from './errors.js';
import { ETH_P_ARP, ETH_P_IPV4, EthernetView, formatEthernet, newEthernetRepr, parseEthernetInto } from './ethernet.js';
import { Icmpv4View, formatIcmpv4, newIcmpv4Repr, parseIcmpv4Into } from './icmpv4.js';
import {
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type Ipv4Repr,
  Ipv4View,
  ipProtoName,
  ipv4ToString,
  isFragment,
  newIpv4Repr,
  parseIpv4Into,
} from './ipv4.js';
import { TcpView, formatTcp, newTcpRepr, parseTcpInto } from './tcp.js';
import { UdpView, formatUdp, newUdpRepr, parseUdpInto } from './udp.js';

/**
 * Return a one-line description of the Ethernet frame of `len` bytes at `off`:
 * `02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 74: 192.0.2.1.40312 > 192.0.2.2.80: Flags [S], ...`.
 * A layer that fails to parse prints its name and the WireErr name (`[IPv4 BadChecksum]`);
 * checksums are verified, so a corrupted frame says so.
 */
export function formatFrame(bytes: Uint8Array, off: number, len: number): string {
  const eth = new EthernetView().wrap(bytes, off, len);
  const er = newEthernetRepr();
  const err = parseEthernetInto(eth, er);
  if (err !== 0) return `[Ethernet ${wireErrName(err)}], length ${len}`;
  const head = `${formatEthernet(er)}, length ${len}: `;
  const pOff = eth.payloadOffset();
  const pLen = eth.payloadLength();
  switch (er.etherType) {
    case ETH_P_ARP: {
      const r: ArpRepr = newArpRepr();
      const e = parseArpInto(new ArpView().wrap(bytes, pOff, pLen), r);
      // formatArp's text less its leading "ARP, ", as tcpdump -e prints it.
      return head + (e === 0 ? `${formatArp(r).slice(5)}, length ${pLen}` : `[ARP ${wireErrName(e)}]`);
    }
    case ETH_P_IPV4:
      return head + formatIpv4Packet(bytes, pOff, pLen);
    default:
      return head + `payload ${pLen} bytes`;
  }
}

/**
 * Return a one-line description of the IPv4 datagram of `len` bytes at `off` and its
 * payload, as tcpdump -e prints it after the Ethernet part: `192.0.2.1 > 192.0.2.2: ICMP echo request, ...`.
 */
export function formatIpv4Packet(bytes: Uint8Array, off: number, len: number): string {
  const ip = newIpv4Repr();
  const e = parseIpv4Into(new Ipv4View().wrap(bytes, off, len), ip);
  if (e !== 0) return `[IPv4 ${wireErrName(e)}]`;
  const src = ip.srcAddr;
  const dst = ip.dstAddr;
  const addrs = `${ipv4ToString(src)} > ${ipv4ToString(dst)}: `;
  if (isFragment(ip) && ip.fragOffset !== 0) return addrs + fragText(ip);
  const frag = isFragment(ip) ? ` (${fragText(ip)})` : '';
  switch (ip.protocol) {
    case IPPROTO_ICMP: {
      const r = newIcmpv4Repr();
      const ee = parseIcmpv4Into(new Icmpv4View().wrap(bytes, ip.payloadOffset, ip.payloadLength), r, ip.moreFrags);
      return addrs + (ee === 0 ? formatIcmpv4(r, bytes) : `[ICMP ${wireErrName(ee)}]`) + frag;
    }
    case IPPROTO_UDP: {
      const r = newUdpRepr();
      const ee = parseUdpInto(new UdpView().wrap(bytes, ip.payloadOffset, ip.payloadLength), r, src, dst, ip.moreFrags);
      return ee === 0 ? `${formatUdp(r, src, dst)}${frag}` : `${addrs}[UDP ${wireErrName(ee)}]${frag}`;
    }
    case IPPROTO_TCP: {
      const r = newTcpRepr();
      const ee = parseTcpInto(new TcpView().wrap(bytes, ip.payloadOffset, ip.payloadLength), r, src, dst, ip.moreFrags);
      return ee === 0 ? `${formatTcp(r, src, dst)}${frag}` : `${addrs}[TCP ${wireErrName(ee)}]${frag}`;
    }
    default:
      return `${addrs}${ipProtoName(ip.protocol)}, length ${ip.payloadLength}${frag}`;
  }
}

function fragText(ip: Ipv4Repr): string {
  return `frag id ${ip.identification}, offset ${ip.fragOffset}, length ${ip.payloadLength}${ip.moreFrags ? ', more' : ''}`;
}
