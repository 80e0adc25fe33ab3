// IPv4 output: route, choose a source address, resolve the next hop, and write the
// Ethernet and IPv4 headers in place, in two steps so the caller writes its payload
// straight into the outgoing frame:
//
//   const at = host.ip.begin(dst, IPPROTO_UDP, len, 0, now);   // headers written
//   if (at < 0) return -at;                                    // an IpErr code
//   ...write len bytes at host.ip.bytes[at...], using host.ip.srcAddr for checksums...
//   host.ip.commit(now);                                       // frame handed over
//
// The frame lands in the device's transmit buffer when the neighbour is known, in the
// neighbour's hold queue while ARP resolves it, or in the loopback queue for our own
// addresses. Every datagram gets TTL 64 (ip_default_ttl), a fresh identification, and DF
// set, as Linux sets it for path MTU discovery (RFC 1191); datagrams larger than the MTU
// are refused with MsgSize, never fragmented.
//
// No allocation: one record, one set of offsets, reused for every datagram.

import type { Millis } from '../time.js';
import { set48 } from '../wire/bytes.js';
import { ETH_HEADER_LEN, ETH_P_IPV4, MAC_BROADCAST, newEthernetRepr, emitEthernet } from '../wire/ethernet.js';
import { IPPROTO_TCP, IPV4_HEADER_LEN, emitIpv4, ipv4IsBroadcast, ipv4IsMulticast, newIpv4Repr } from '../wire/ipv4.js';
import { type NeighEntry, NeighState } from './arp-cache.js';
import type { HostContext } from './context.js';
import { copyBytes } from '../storage/copy.js';
import { IpErr, netchError } from './errors.js';
import { type FilterTable, FilterVerdict } from './filter.js';
import type { Interface } from './interface.js';

/** `begin` flag: allow a broadcast destination (SO_BROADCAST). */
export const OUT_BROADCAST = 1;
/** `begin` flag: leave DF clear (IP_PMTUDISC_DONT). */
export const OUT_NO_DF = 2;

const MODE_NONE = 0;
const MODE_DEVICE = 1;
const MODE_QUEUED = 2;
const MODE_LOOPBACK = 3;

/** The host's IPv4 sender. */
export class Ipv4Output {
  /** Where the payload goes after a successful `begin`. */
  bytes: Uint8Array = EMPTY;
  /** Offset of the payload in `bytes` (what `begin` returned). */
  payloadOffset = 0;
  /** Source and destination chosen by `begin`, for transport checksums. */
  srcAddr = 0;
  dstAddr = 0;
  /** The interface `begin` chose (null for loopback). */
  iface: Interface | null = null;
  /**
   * After `begin`: the datagram goes out on a link that declares checksum offload (or to
   * loopback), so the transport may leave its checksum uncomputed, as Linux does on lo.
   */
  checksumOffload = false;

  private mode = MODE_NONE;
  /** Data bytes per segment of the TCP super-segment being built (beginTso), or 0. */
  private tsoSeg = 0;
  private frameOff = 0;
  private frameLen = 0;
  private neigh: NeighEntry | null = null;
  private nextId = 1;
  private readonly ip = newIpv4Repr();
  private readonly eth = newEthernetRepr();
  /** The filter hooks (set once by the Host); empty OUTPUT and POSTROUTING cost two length checks. */
  filter!: FilterTable;
  /**
   * Transmit room a filtered datagram left unused, by interface index (-1: none): the
   * device contract has no abort, so the next datagram on that device takes it.
   */
  private readonly spareOff: number[] = [];
  private readonly spareLen: number[] = [];

  constructor(private readonly ctx: HostContext) {}

  /**
   * Start a datagram of `payloadLen` bytes from `src` (0: choose by route) to `dst`;
   * return the payload offset in `this.bytes`, or a negative IpErr code (-NoRoute,
   * -MsgSize, -NoBufs, -Access). After a non-negative return the caller must write the
   * payload and call `commit` before any other `begin`.
   * Errors: throws (a bug, not a network condition) when the previous datagram was not committed.
   */
  begin(dst: number, protocol: number, payloadLen: number, src: number, now: Millis, ttl = 0, flags = 0): number {
    if (this.mode !== MODE_NONE) throw netchError('NETCH_ERR_OUTPUT_BUSY', 'Ipv4Output.begin called before commit of the previous datagram');
    const ctx = this.ctx;
    ctx.lastNow = now;
    dst = dst >>> 0;
    if (ipv4IsMulticast(dst)) {
      // No multicast routing or IGMP yet: say so rather than send to a group we never joined.
      ctx.counters.Ip.OutNoRoutes++;
      return -IpErr.NoRoute;
    }
    if (ctx.isLocal(dst)) return this.beginLoopback(dst, protocol, payloadLen, src, ttl);
    let route = ctx.routes.lookup(dst);
    if (route === null && ipv4IsBroadcast(dst) && ctx.ifaces.length > 0) {
      return this.beginOnLink(ctx.ifaces[0]!, dst, 0, protocol, payloadLen, src, now, ttl, flags);
    }
    if (route === null) {
      ctx.counters.Ip.OutNoRoutes++;
      return -IpErr.NoRoute;
    }
    if (src === 0) src = route.src;
    return this.beginOnLink(route.iface, dst, route.gateway, protocol, payloadLen, src, now, ttl, flags);
  }

  /**
   * Start a TCP super-segment (TSO): like `begin` for IPPROTO_TCP, but the datagram may be
   * as long as the route's device takes for segmentation (Interface.tsoMaxBytes, which
   * `tsoMaxFor` tells), and the device cuts it into segments of `segSize` data bytes, each
   * with a copy of the IPv4 and TCP headers (the kernel's tcp_gso_segment). Return the
   * payload offset or a negative IpErr: -MsgSize when the device has no TSO or the datagram
   * is too long; -NoBufs while the neighbour is unresolved (the ARP hold queue keeps only
   * frames within the MTU), so the caller's retransmission recovers.
   */
  beginTso(dst: number, payloadLen: number, src: number, segSize: number, now: Millis): number {
    if (this.mode !== MODE_NONE) throw netchError('NETCH_ERR_OUTPUT_BUSY', 'Ipv4Output.beginTso called before commit of the previous datagram');
    const ctx = this.ctx;
    dst = dst >>> 0;
    const route = ipv4IsMulticast(dst) || ctx.isLocal(dst) ? null : ctx.routes.lookup(dst);
    if (route === null || route.iface.tsoMaxBytes === 0 || !(segSize > 0)) return -IpErr.MsgSize;
    ctx.lastNow = now;
    this.tsoSeg = segSize;
    const at = this.beginOnLink(route.iface, dst, route.gateway, IPPROTO_TCP, payloadLen, src !== 0 ? src : route.src, now, 0, 0);
    if (at < 0) this.tsoSeg = 0;
    return at;
  }

  /** Return the largest IPv4 datagram a TCP super-segment toward `dst` may be (beginTso), or 0 without TSO on that path. */
  tsoMaxFor(dst: number): number {
    const ctx = this.ctx;
    if (ctx.isLocal(dst)) return 0;
    const r = ctx.routes.lookup(dst);
    return r === null ? 0 : r.iface.tsoMaxBytes;
  }

  /** Hand the datagram written since `begin` to the device, the hold queue or loopback. */
  commit(now: Millis): void {
    const ctx = this.ctx;
    const f = this.filter;
    if (this.mode !== MODE_NONE && (f.output.rules.length !== 0 || f.postrouting.rules.length !== 0) && this.filtered(now)) return;
    switch (this.mode) {
      case MODE_DEVICE:
        if (this.tsoSeg > 0) {
          this.iface!.dev.transmitCommitTso!(this.frameOff, this.frameLen, this.tsoSeg, now);
          this.tsoSeg = 0;
        } else {
          this.iface!.dev.transmitCommit(this.frameOff, this.frameLen, now);
        }
        ctx.counters.Link.OutFrames++;
        break;
      case MODE_QUEUED:
        ctx.arp.cache.queueCommit(this.neigh!, this.frameLen);
        break;
      case MODE_LOOPBACK:
        ctx.lo.commit(this.frameLen);
        ctx.wake();
        break;
      default:
        throw netchError('NETCH_ERR_OUTPUT_IDLE', 'Ipv4Output.commit called without a successful begin');
    }
    this.mode = MODE_NONE;
    this.neigh = null;
  }

  /**
   * Send a copy of `len` bytes at `off` of `payload` as one datagram; return an IpErr code.
   * The convenience form of begin/write/commit for callers whose payload is already built.
   */
  sendDatagram(dst: number, protocol: number, payload: Uint8Array, off: number, len: number, src: number, now: Millis, ttl = 0, flags = 0): number {
    const at = this.begin(dst, protocol, len, src, now, ttl, flags);
    if (at < 0) return -at;
    copyBytes(this.bytes, at, payload, off, len);
    this.commit(now);
    return IpErr.Ok;
  }

  /** Return the source address the host would use toward `dst`, or 0 when there is no route. */
  sourceFor(dst: number): number {
    const ctx = this.ctx;
    if (ctx.isLocal(dst)) return dst;
    const r = ctx.routes.lookup(dst);
    if (r === null) return 0;
    return r.src !== 0 ? r.src : r.iface.sourceFor(r.gateway !== 0 ? r.gateway : dst);
  }

  /** Return the MTU of the path toward `dst` (the interface's), or 0 when there is no route. */
  mtuFor(dst: number): number {
    const ctx = this.ctx;
    if (ctx.isLocal(dst)) return ctx.lo.mtu;
    const r = ctx.routes.lookup(dst);
    return r === null ? 0 : r.iface.mtu;
  }

  /** Run OUTPUT and POSTROUTING; when they refuse the datagram, abandon it (and send a REJECT's answer) and return true. */
  private filtered(now: Millis): boolean {
    const loop = this.mode === MODE_LOOPBACK;
    const v = this.filter.verdictOut(this.iface, this.bytes, loop ? this.frameOff : this.frameOff + ETH_HEADER_LEN);
    if (v === FilterVerdict.Accept) return false;
    if (this.mode === MODE_DEVICE) {
      const k = this.iface!.index;
      this.spareOff[k] = this.frameOff;
      this.spareLen[k] = this.frameLen;
    }
    // A loopback slot or an ARP hold slot that is not committed is simply reused.
    this.mode = MODE_NONE;
    this.neigh = null;
    this.tsoSeg = 0;
    if (v === FilterVerdict.Reject) this.filter.sendReject(now);
    return true;
  }

  /** Return transmit room on `iface` for `len` bytes: what a filtered datagram left, or the device's. */
  private transmitBegin(iface: Interface, len: number): number {
    const k = iface.index;
    const off = this.spareOff[k];
    if (off !== undefined && off >= 0 && len <= this.spareLen[k]!) {
      this.spareOff[k] = -1;
      return off;
    }
    return iface.dev.transmitBegin(len);
  }

  /** Start a datagram to one of our own addresses. */
  private beginLoopback(dst: number, protocol: number, payloadLen: number, src: number, ttl: number): number {
    const ctx = this.ctx;
    const total = IPV4_HEADER_LEN + payloadLen;
    if (total > ctx.lo.mtu) return -IpErr.MsgSize;
    const buf = ctx.lo.reserve();
    if (buf === null) {
      ctx.counters.Ip.OutDiscards++;
      return -IpErr.NoBufs;
    }
    this.fillIp(src !== 0 ? src : dst, dst, protocol, payloadLen, ttl, 0);
    emitIpv4(this.ip, buf, 0);
    this.countOut(total, false);
    this.bytes = buf;
    this.iface = null;
    this.checksumOffload = true;
    this.frameOff = 0;
    this.frameLen = total;
    this.payloadOffset = IPV4_HEADER_LEN;
    this.mode = MODE_LOOPBACK;
    return IPV4_HEADER_LEN;
  }

  /** Start a datagram out of `iface` toward `dst` (through `gateway` unless 0). */
  private beginOnLink(iface: Interface, dst: number, gateway: number, protocol: number, payloadLen: number, src: number, now: Millis, ttl: number, flags: number): number {
    const ctx = this.ctx;
    const total = IPV4_HEADER_LEN + payloadLen;
    if (total > (this.tsoSeg > 0 ? iface.tsoMaxBytes : iface.mtu)) return -IpErr.MsgSize;
    if (src === 0) src = iface.sourceFor(gateway !== 0 ? gateway : dst);
    const bcast = ipv4IsBroadcast(dst) || iface.isSubnetBroadcast(dst);
    if (bcast && (flags & OUT_BROADCAST) === 0) return -IpErr.Access;
    const frameLen = ETH_HEADER_LEN + total;
    let buf: Uint8Array;
    let off: number;
    let mac = MAC_BROADCAST;
    if (!bcast) {
      const neigh = ctx.arp.cache.resolve(iface, gateway !== 0 ? gateway : dst, now);
      if (neigh === null) {
        ctx.counters.Ip.OutDiscards++;
        return -IpErr.NoBufs;
      }
      if (neigh.state === NeighState.Incomplete) {
        if (this.tsoSeg > 0) {
          ctx.counters.Ip.OutDiscards++;
          return -IpErr.NoBufs;
        }
        off = ctx.arp.cache.queueSlot(neigh, frameLen);
        if (off < 0) {
          ctx.counters.Ip.OutDiscards++;
          return -IpErr.NoBufs;
        }
        this.neigh = neigh;
        this.mode = MODE_QUEUED;
        buf = neigh.qBuf;
        mac = 0;
        ctx.wake();
      } else {
        mac = neigh.mac;
      }
    }
    if (this.mode !== MODE_QUEUED) {
      off = this.transmitBegin(iface, frameLen);
      if (off < 0) {
        // The device is full: nothing was written or dropped. The caller decides (TCP sends
        // it later, UDP reports ENOBUFS and counts SndbufErrors), as with Linux's qdisc push-back.
        ctx.counters.Link.OutNoBufs++;
        return -IpErr.NoBufs;
      }
      buf = iface.dev.txBytes;
      this.mode = MODE_DEVICE;
    }
    const eth = this.eth;
    eth.dstAddr = mac;
    eth.srcAddr = iface.mac;
    eth.etherType = ETH_P_IPV4;
    emitEthernet(eth, buf!, off!);
    this.fillIp(src, dst, protocol, payloadLen, ttl, flags);
    emitIpv4(this.ip, buf!, off! + ETH_HEADER_LEN);
    this.countOut(total, bcast);
    this.bytes = buf!;
    this.iface = iface;
    this.checksumOffload = iface.txChecksumOffload;
    this.frameOff = off!;
    this.frameLen = frameLen;
    this.payloadOffset = off! + ETH_HEADER_LEN + IPV4_HEADER_LEN;
    return this.payloadOffset;
  }

  private fillIp(src: number, dst: number, protocol: number, payloadLen: number, ttl: number, flags: number): void {
    const ip = this.ip;
    ip.srcAddr = src;
    ip.dstAddr = dst;
    ip.protocol = protocol;
    ip.ttl = ttl > 0 ? ttl : this.ctx.config.defaultTtl;
    ip.identification = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    ip.dontFrag = (flags & OUT_NO_DF) === 0;
    ip.moreFrags = false;
    ip.fragOffset = 0;
    ip.payloadLength = payloadLen;
    this.srcAddr = src;
    this.dstAddr = dst;
  }

  private countOut(total: number, bcast: boolean): void {
    const c = this.ctx.counters;
    c.Ip.OutRequests++;
    c.IpExt.OutOctets += total;
    if (bcast) c.IpExt.OutBcastPkts++;
  }
}

/** Set the destination MAC of a held frame and send it (used when ARP resolves). */
export function sendHeldFrame(iface: Interface, mac: number, buf: Uint8Array, off: number, len: number, now: Millis): boolean {
  set48(buf, off, mac);
  const dev = iface.dev;
  const at = dev.transmitBegin(len);
  if (at < 0) {
    dev.stats.txDropped++;
    return false;
  }
  copyBytes(dev.txBytes, at, buf, off, len);
  dev.transmitCommit(at, len, now);
  return true;
}

const EMPTY = new Uint8Array(0);
