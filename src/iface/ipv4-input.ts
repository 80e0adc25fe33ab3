// The receive path: Ethernet demultiplexing, then IPv4 header checks in the order Linux's
// ip_rcv_core makes them, then reassembly and delivery by protocol. Every malformed or
// unwanted frame is counted and dropped; nothing here throws (wire parsers return codes).
//
// Checks (RFC 1122 §3.2.1): version 4, IHL >= 5, total length within the frame, header
// checksum (InHdrErrors, with InCsumErrors / InTruncatedPkts for those causes); a source
// that is multicast or limited broadcast (or 0 to other than the limited broadcast), a destination that is not ours, and a unicast
// datagram in a link-layer broadcast (§3.3.6) are address errors (InAddrErrors): the host
// does not forward (Ip.Forwarding = 2). TTL is not checked on local delivery: RFC 1122
// §3.2.1.7 says a host must not drop a datagram for a low TTL; TTL matters when forwarding.

import type { Millis } from '../time.js';
import { ETH_HEADER_LEN, ETH_P_ARP, ETH_P_IPV4, EthernetView, MAC_BROADCAST } from '../wire/ethernet.js';
import { WireErr } from '../wire/errors.js';
import { ICMP_PROT_UNREACH, ICMP_DEST_UNREACH } from '../wire/icmpv4.js';
import {
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_HEADER_LEN,
  type Ipv4Repr,
  Ipv4View,
  ipv4IsBroadcast,
  ipv4IsLoopback,
  ipv4IsMulticast,
  isFragment,
  newIpv4Repr,
  parseIpv4Into,
} from '../wire/ipv4.js';
import type { HostContext } from './context.js';
import type { FilterTable } from './filter.js';
import type { IfaceInput, Interface } from './interface.js';
import type { LoopbackSink } from './loopback.js';
import type { TransparentInput } from './protocol.js';
import { ReasmResult } from './reassembly.js';

/** The host's input path: the sink of every interface and of the loopback queue. */
export class Ipv4Input implements IfaceInput, LoopbackSink {
  private readonly eth = new EthernetView();
  private readonly view = new Ipv4View();
  private readonly ip = newIpv4Repr();
  /** The filter hooks (set once by the Host); an empty chain costs one length check. */
  filter!: FilterTable;
  /** Transparent mode (Host.setTransparent): where datagrams to other addresses go; null: dropped. */
  transparent: TransparentInput | null = null;

  constructor(private readonly ctx: HostContext) {}

  /** Handle one Ethernet frame from `iface`. */
  onIfaceFrame(iface: Interface, buf: Uint8Array, off: number, len: number, now: Millis): void {
    const c = this.ctx.counters.Link;
    c.InFrames++;
    const eth = this.eth.wrap(buf, off, len);
    if (eth.checkLen() !== WireErr.Ok) {
      c.InTruncated++;
      return;
    }
    const dst = eth.dstAddr();
    const l2Broadcast = dst === MAC_BROADCAST;
    if (dst !== iface.mac && !l2Broadcast) {
      // Unicast to another station, or a multicast group we never joined.
      c.InOtherHost++;
      return;
    }
    switch (eth.etherType()) {
      case ETH_P_IPV4:
        this.ipInput(iface, buf, off + ETH_HEADER_LEN, len - ETH_HEADER_LEN, l2Broadcast, now);
        return;
      case ETH_P_ARP:
        this.ctx.arp.input(iface, buf, off + ETH_HEADER_LEN, len - ETH_HEADER_LEN, l2Broadcast, now);
        return;
      default:
        c.InUnknownType++;
    }
  }

  /** Handle one datagram from the loopback queue. */
  onLoopback(buf: Uint8Array, off: number, len: number, now: Millis): void {
    this.ipInput(null, buf, off, len, false, now);
  }

  /** Check one IPv4 datagram (`iface` null for loopback) and deliver it. */
  private ipInput(iface: Interface | null, buf: Uint8Array, off: number, len: number, l2Broadcast: boolean, now: Millis): void {
    const ctx = this.ctx;
    const c = ctx.counters.Ip;
    const x = ctx.counters.IpExt;
    c.InReceives++;
    const ip = this.ip;
    const err = parseIpv4Into(this.view.wrap(buf, off, len), ip);
    if (err !== WireErr.Ok) {
      this.countHeaderError(err, len);
      return;
    }
    x.InOctets += ip.headerLen + ip.payloadLength;
    const pre = this.filter.prerouting;
    if (pre.rules.length !== 0 && !this.filter.passIn(pre, iface, buf, off, iface === null || iface.rxChecksumOk, now)) return;
    const src = ip.srcAddr;
    const dst = ip.dstAddr;
    // RFC 1122 §3.2.1.3: a source address must be a unicast address. 0 ("this host", a DHCP
    // client without an address yet) only to the limited broadcast, as Linux's
    // ip_route_input_slow accepts it; anywhere else it is a martian source.
    if (ipv4IsMulticast(src) || ipv4IsBroadcast(src) || (iface !== null && ipv4IsLoopback(src)) || (src === 0 && dst !== 0xffff_ffff)) {
      c.InAddrErrors++;
      return;
    }
    let bcast = false;
    if (iface === null ? !ctx.isLocal(dst) : !this.isOurs(iface, dst)) {
      if (this.transparent !== null && iface !== null && this.takeTransparent(iface, ip, buf, dst, l2Broadcast, now)) return;
      if (iface === null || !(ipv4IsBroadcast(dst) || iface.isSubnetBroadcast(dst))) {
        c.InAddrErrors++;
        return;
      }
      bcast = true;
      x.InBcastPkts++;
    } else if (l2Broadcast) {
      // RFC 1122 §3.3.6: a unicast datagram that came in a link-layer broadcast is discarded.
      c.InAddrErrors++;
      return;
    }
    if (isFragment(ip)) {
      const r = ctx.reasm.add(ip, buf, now);
      if (r !== ReasmResult.Complete) return;
      this.deliver(iface, ctx.reasm.done, ctx.reasm.doneBytes, bcast, iface === null || iface.checksumOffload, now);
      return;
    }
    // Loopback and links that declare checksum offload cannot corrupt a frame: the
    // transport may skip its checksum (Linux's CHECKSUM_UNNECESSARY on lo). A TAP device
    // with offload says so per frame (the kernel's NEEDS_CSUM or DATA_VALID).
    this.deliver(iface, ip, buf, bcast, iface === null || iface.rxChecksumOk, now);
  }

  /**
   * Transparent mode: hand a unicast datagram for an address not ours to the transparent
   * receiver (reassembled first); return false for what stays an address error (broadcast,
   * multicast, loopback, 0, or a unicast datagram in a link-layer broadcast).
   */
  private takeTransparent(iface: Interface, ip: Ipv4Repr, buf: Uint8Array, dst: number, l2Broadcast: boolean, now: Millis): boolean {
    if (l2Broadcast || dst === 0 || ipv4IsBroadcast(dst) || ipv4IsMulticast(dst) || ipv4IsLoopback(dst) || iface.isSubnetBroadcast(dst)) return false;
    const t = this.transparent!;
    this.ctx.counters.Ip.ForwDatagrams++;
    if (isFragment(ip)) {
      const reasm = this.ctx.reasm;
      if (reasm.add(ip, buf, now) === ReasmResult.Complete) t.input(reasm.done, reasm.doneBytes, now, iface.checksumOffload);
      return true;
    }
    t.input(ip, buf, now, iface.rxChecksumOk);
    return true;
  }

  /** Return true when `dst` is one of the host's unicast addresses (any interface: weak host). */
  private isOurs(iface: Interface, dst: number): boolean {
    if (iface.hasAddress(dst)) return true;
    return !ipv4IsLoopback(dst) && this.ctx.isLocal(dst);
  }

  /** Count a header the wire parser rejected, as ip_rcv_core does. */
  private countHeaderError(err: number, len: number): void {
    const c = this.ctx.counters;
    if (err === WireErr.BadChecksum) {
      c.IpExt.InCsumErrors++;
      c.Ip.InHdrErrors++;
    } else if (err === WireErr.Truncated && len >= IPV4_HEADER_LEN) {
      // The header is whole but the total length claims more than arrived.
      c.IpExt.InTruncatedPkts++;
    } else {
      c.Ip.InHdrErrors++;
    }
  }

  /** Hand a whole datagram to its protocol (ip_local_deliver_finish); `csumOk`: the link vouches for it. */
  private deliver(iface: Interface | null, ip: Ipv4Repr, bytes: Uint8Array, bcast: boolean, csumOk: boolean, now: Millis): void {
    const ctx = this.ctx;
    const c = ctx.counters.Ip;
    const inp = this.filter.input;
    if (inp.rules.length !== 0 && !this.filter.passIn(inp, iface, bytes, ip.payloadOffset - ip.headerLen, csumOk, now)) return;
    const proto = ip.protocol;
    if (proto === IPPROTO_ICMP) {
      c.InDelivers++;
      ctx.icmp.input(ip, bytes, bcast, now);
      return;
    }
    if (proto === IPPROTO_UDP) {
      c.InDelivers++;
      ctx.udp.input(ip, bytes, bcast, csumOk, now);
      return;
    }
    const h = ctx.handlers[proto];
    if (h !== null && h !== undefined) {
      c.InDelivers++;
      h.input(ip, bytes, now, csumOk);
      return;
    }
    c.InUnknownProtos++;
    // TCP without a handler is dropped quietly (a TCP layer answers with RST, not ICMP);
    // any other protocol gets ICMP protocol unreachable (RFC 1122 §3.2.2.1).
    if (proto !== IPPROTO_TCP && !bcast) {
      const ipOff = ip.payloadOffset - ip.headerLen;
      ctx.icmp.sendError(ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0, bytes, ipOff, ip.headerLen + ip.payloadLength, now);
    }
  }
}
