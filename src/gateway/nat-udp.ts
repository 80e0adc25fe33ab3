// UDP NAT: each guest endpoint (address, port) that sends to an outside address gets one
// host `dgram` socket (endpoint-independent mapping, RFC 4787 §4.1, as slirp and passt do):
// its datagrams leave from that socket to whatever destination they name, and whatever the
// socket receives goes back to the guest endpoint as coming from the sender (the host's
// loopback shown as the gateway's address). A flow with no datagram either way for
// `udpIdleMs` is closed by `sweep(now)`.
//
// Inbound UDP forwards (a host socket whose clients reach a guest port) share the reply
// path: a guest's datagram to a forward's client is sent from the forward's socket.

import { type Socket, createSocket } from 'node:dgram';
import type { Millis } from '../time.js';
import { ICMP_PORT_UNREACH } from '../wire/icmpv4.js';
import { IPPROTO_UDP, type Ipv4Repr, ipv4ToString, parseIpv4 } from '../wire/ipv4.js';
import { UDP_HEADER_LEN, type UdpRepr, emitUdp, newUdpRepr } from '../wire/udp.js';
import { type NatContext, type NatFlowInfo, endpoint } from './nat.js';

/** Who answers a guest's datagram to an inbound forward's client (nat-forward.ts). */
export interface UdpReplyRoute {
  /** Send `payload` to the client `addr`:`port` the guest sees; return true when this route owns that client. */
  reply(guestAddr: number, guestPort: number, addr: number, port: number, payload: Uint8Array): boolean;
}

/** The UDP half of the NAT. */
export class UdpNat {
  /** Flows by guest endpoint, keyed address * 65536 + port (a number: no string per datagram). */
  private readonly flows = new Map<number, UdpFlow>();
  private readonly tx: UdpRepr = newUdpRepr();
  /** Inbound forwards that may own the destination of a guest's datagram. */
  readonly replyRoutes: UdpReplyRoute[] = [];
  private closed = false;

  constructor(private readonly ctx: NatContext) {}

  /** Return the number of open flows. */
  get size(): number {
    return this.flows.size;
  }

  /** A guest's UDP datagram (header parsed into `u`) to an address not the gateway's services. */
  fromGuest(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, u: Readonly<UdpRepr>, now: Millis): void {
    if (this.closed) return;
    const ctx = this.ctx;
    const c = ctx.counters;
    const payload = bytes.subarray(u.payloadOffset, u.payloadOffset + u.payloadLength);
    for (const r of this.replyRoutes) if (r.reply(ip.srcAddr, u.srcPort, ip.dstAddr, u.dstPort, payload)) return;
    const target = ctx.hostTarget(ip.dstAddr);
    if (target < 0) {
      c.Unhandled++;
      return;
    }
    if (!ctx.policy.allows(target)) {
      c.UdpDenied++;
      ctx.sendUnreach(ICMP_PORT_UNREACH, ip.srcAddr, u.srcPort, ip.dstAddr, u.dstPort, IPPROTO_UDP, ((UDP_HEADER_LEN + u.payloadLength) << 16) >>> 0);
      return;
    }
    const key = ip.srcAddr * 65536 + u.srcPort;
    let f = this.flows.get(key);
    if (f === undefined) {
      if (ctx.flowsOf(ip.srcAddr) >= ctx.cfg.maxFlows) {
        c.UdpFlowLimit++;
        return;
      }
      f = new UdpFlow(this, ctx, key, ip.srcAddr, u.srcPort, now);
      this.flows.set(key, f);
      ctx.addFlow(ip.srcAddr, 1);
      c.UdpFlows++;
      c.UdpOpened++;
    }
    f.send(Buffer.from(payload), target, u.dstPort, ip.dstAddr, now);
  }

  /** Send a datagram to the guest `guestAddr`:`guestPort` from `srcAddr`:`srcPort`; return false when it could not go. */
  toGuest(guestAddr: number, guestPort: number, srcAddr: number, srcPort: number, payload: Uint8Array): boolean {
    const ctx = this.ctx;
    const ip = ctx.host.ip;
    const now = ctx.now();
    const at = ip.begin(guestAddr, IPPROTO_UDP, UDP_HEADER_LEN + payload.length, srcAddr, now);
    if (at < 0) {
      ctx.counters.UdpInDrops++;
      return false;
    }
    ip.bytes.set(payload, at + UDP_HEADER_LEN);
    const t = this.tx;
    t.srcPort = srcPort;
    t.dstPort = guestPort;
    t.payloadLength = payload.length;
    emitUdp(t, ip.bytes, at, ip.srcAddr, ip.dstAddr);
    ip.commit(now);
    ctx.counters.UdpIn++;
    ctx.host.wake();
    return true;
  }

  /** Close the flows idle since before `now - udpIdleMs`; return how many. */
  sweep(now: Millis): number {
    let n = 0;
    const limit = now - this.ctx.cfg.udpIdleMs;
    for (const f of [...this.flows.values()]) {
      if (f.lastActive <= limit) {
        this.ctx.counters.UdpIdleClosed++;
        f.close();
        n++;
      }
    }
    return n;
  }

  /** A flow closed: forget it. */
  ended(f: UdpFlow): void {
    if (this.flows.get(f.key) !== f) return;
    this.flows.delete(f.key);
    this.ctx.counters.UdpFlows--;
    this.ctx.addFlow(f.guestAddr, -1);
  }

  /** Return the flows as `netch ss` lists them. */
  list(): NatFlowInfo[] {
    return [...this.flows.values()].map((f) => f.info());
  }

  /** Close every flow. */
  close(): void {
    this.closed = true;
    for (const f of [...this.flows.values()]) f.close();
  }
}

/** One guest endpoint's host socket. */
class UdpFlow {
  lastActive: Millis;
  bytesOut = 0;
  bytesIn = 0;
  private readonly sock: Socket;
  private lastRemote = '';
  private done = false;

  constructor(
    private readonly nat: UdpNat,
    private readonly ctx: NatContext,
    readonly key: number,
    readonly guestAddr: number,
    readonly guestPort: number,
    now: Millis,
  ) {
    this.lastActive = now;
    this.sock = createSocket('udp4');
    this.sock.on('message', (msg, rinfo) => this.fromHost(msg, rinfo.address, rinfo.port));
    this.sock.on('error', () => undefined);
    // With egress limited to loopback, the host socket is not reachable from elsewhere either.
    if (ctx.policy.mode === 'loopback') this.sock.bind(0, '127.0.0.1');
    this.sock.unref();
  }

  send(payload: Buffer, target: number, port: number, shown: number, now: Millis): void {
    this.lastActive = now;
    this.bytesOut += payload.length;
    this.lastRemote = endpoint(shown, port);
    this.ctx.counters.UdpOut++;
    this.sock.send(payload, port, ipv4ToString(target));
  }

  info(): NatFlowInfo {
    let host = '?';
    try {
      const a = this.sock.address();
      host = `${a.address}:${a.port}`;
    } catch {
      // not bound yet
    }
    return { proto: 'udp', guest: endpoint(this.guestAddr, this.guestPort), remote: this.lastRemote, host, bytesOut: this.bytesOut, bytesIn: this.bytesIn, state: 'UNCONN', inbound: false };
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.sock.close();
    } catch {
      // closed already
    }
    this.nat.ended(this);
  }

  private fromHost(msg: Buffer, address: string, port: number): void {
    if (this.done) return;
    const a = parseIpv4(address);
    const shown = a < 0 || !this.ctx.policy.allows(a) ? -1 : this.ctx.guestView(a);
    if (shown < 0) {
      this.ctx.counters.UdpInDrops++;
      return;
    }
    this.lastActive = this.ctx.now();
    this.bytesIn += msg.length;
    this.nat.toGuest(this.guestAddr, this.guestPort, shown, port, msg);
  }
}
