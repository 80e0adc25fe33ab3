// ARP on the host (RFC 826, RFC 1122 §2.3.2): answer requests for our addresses, learn
// senders as RFC 826's merge step says, send requests and probes for the neighbour cache,
// and release or fail the frames it held. Like Linux with arp_ignore=0, a request for any
// of the host's addresses is answered on whichever interface it arrives.

import type { Millis } from '../time.js';
import { ARP_HEADER_LEN, ARP_OP_REPLY, ARP_OP_REQUEST, ArpView, emitArp, newArpRepr, parseArpInto } from '../wire/arp.js';
import { ETH_HEADER_LEN, ETH_P_ARP, MAC_BROADCAST, emitEthernet, macIsMulticast, newEthernetRepr } from '../wire/ethernet.js';
import { IPV4_HEADER_LEN, ipv4IsBroadcast, ipv4IsLoopback, ipv4IsMulticast } from '../wire/ipv4.js';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH } from '../wire/icmpv4.js';
import { ArpCache, type NeighEntry, type NeighIo } from './arp-cache.js';
import type { HostContext } from './context.js';
import type { Interface } from './interface.js';
import { sendHeldFrame } from './ipv4-output.js';

const ARP_FRAME_LEN = ETH_HEADER_LEN + ARP_HEADER_LEN;

/** The host's ARP protocol and its neighbour cache. */
export class ArpLayer implements NeighIo {
  readonly cache: ArpCache;
  private readonly view = new ArpView();
  private readonly rx = newArpRepr();
  private readonly tx = newArpRepr();
  private readonly eth = newEthernetRepr();

  constructor(private readonly ctx: HostContext) {
    this.cache = new ArpCache(ctx.config.arp, ctx.counters.Arp, this);
  }

  /** Handle an ARP packet of `len` bytes at `off` received on `iface`; never throws. */
  input(iface: Interface, buf: Uint8Array, off: number, len: number, l2Broadcast: boolean, now: Millis): void {
    const c = this.ctx.counters.Arp;
    const r = this.rx;
    if (parseArpInto(this.view.wrap(buf, off, len), r) !== 0) {
      c.InErrors++;
      return;
    }
    const isRequest = r.operation === ARP_OP_REQUEST;
    if (isRequest) c.InRequests++;
    else c.InReplies++;
    const spa = r.senderProtocolAddr;
    const sha = r.senderHardwareAddr;
    // Our own frames, and senders claiming a multicast MAC or one of our addresses, teach nothing.
    if (sha === iface.mac || macIsMulticast(sha)) return;
    const tpa = r.targetProtocolAddr;
    const forUs = !ipv4IsLoopback(tpa) && this.ctx.isLocal(tpa);
    if (spa !== 0 && !ipv4IsMulticast(spa) && !ipv4IsBroadcast(spa) && !this.ctx.isLocal(spa)) {
      // RFC 826 "merge": update a known sender; add it when the packet is for us.
      const solicited = !isRequest && !l2Broadcast && forUs;
      this.cache.update(iface, spa, sha, solicited, forUs, now);
    }
    if (isRequest && forUs) this.sendReply(iface, tpa, sha, spa, now);
  }

  /** Send an ARP request for `ip` (the NeighIo contract): broadcast when `dstMac` is 0. */
  sendArpRequest(iface: Interface, ip: number, dstMac: number, now: Millis): void {
    const spa = iface.sourceFor(ip);
    this.send(iface, ARP_OP_REQUEST, dstMac === 0 ? MAC_BROADCAST : dstMac, spa, 0, ip, now);
    this.ctx.counters.Arp.OutRequests++;
    this.ctx.wake();
  }

  /** Send a held frame now that its neighbour is resolved (the NeighIo contract). */
  flushQueued(entry: NeighEntry, buf: Uint8Array, off: number, len: number, now: Millis): void {
    if (sendHeldFrame(entry.iface!, entry.mac, buf, off, len, now)) this.ctx.counters.Link.OutFrames++;
    else this.ctx.counters.Link.OutNoBufs++;
  }

  /**
   * Report a held frame as undeliverable (the NeighIo contract): its sender learns "host
   * unreachable" as if an ICMP error had come back, as Linux's arp_error_report arranges.
   */
  failQueued(_entry: NeighEntry, buf: Uint8Array, off: number, len: number, now: Millis): void {
    if (len < ETH_HEADER_LEN + IPV4_HEADER_LEN) return;
    this.ctx.icmp.localError(ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, buf, off + ETH_HEADER_LEN, len - ETH_HEADER_LEN, now);
  }

  /** Answer a request for our address `ourIp` from `tha`/`tpa`. */
  private sendReply(iface: Interface, ourIp: number, tha: number, tpa: number, now: Millis): void {
    this.send(iface, ARP_OP_REPLY, tha, ourIp, tha, tpa, now);
    this.ctx.counters.Arp.OutReplies++;
  }

  private send(iface: Interface, op: number, ethDst: number, spa: number, tha: number, tpa: number, now: Millis): void {
    const dev = iface.dev;
    const at = dev.transmitBegin(ARP_FRAME_LEN);
    if (at < 0) {
      dev.stats.txDropped++;
      this.ctx.counters.Link.OutNoBufs++;
      return;
    }
    const eth = this.eth;
    eth.dstAddr = ethDst;
    eth.srcAddr = iface.mac;
    eth.etherType = ETH_P_ARP;
    emitEthernet(eth, dev.txBytes, at);
    const t = this.tx;
    t.operation = op;
    t.senderHardwareAddr = iface.mac;
    t.senderProtocolAddr = spa;
    t.targetHardwareAddr = tha;
    t.targetProtocolAddr = tpa;
    emitArp(t, dev.txBytes, at + ETH_HEADER_LEN);
    dev.transmitCommit(at, ARP_FRAME_LEN, now);
    this.ctx.counters.Link.OutFrames++;
  }
}
