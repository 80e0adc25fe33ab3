// Test harness for host scenarios: hosts on memory links driven by a Sim, and a raw peer
// that captures every frame a host sends and injects hand-made frames.

import { memoryLinkPair, type MemoryLink } from '../../src/link/memory.js';
import { Host } from '../../src/iface/host.js';
import type { HostOptions } from '../../src/iface/config.js';
import { Sim } from '../../src/runtime/sim.js';
import type { Millis } from '../../src/time.js';
import type { FrameSink, LinkDevice } from '../../src/link/device.js';
import { faultInjector } from '../../src/link/fault-injector.js';
import { formatFrame } from '../../src/wire/pretty.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { ETH_HEADER_LEN, ETH_P_ARP, ETH_P_IPV4, emitEthernet, MAC_BROADCAST } from '../../src/wire/ethernet.js';
import { ARP_HEADER_LEN, ARP_OP_REPLY, ARP_OP_REQUEST, emitArp } from '../../src/wire/arp.js';
import { IPPROTO_UDP, IPV4_HEADER_LEN, emitIpv4, newIpv4Repr } from '../../src/wire/ipv4.js';
import { UDP_HEADER_LEN, emitUdp } from '../../src/wire/udp.js';
import { ICMP_HEADER_LEN, emitIcmpv4, newIcmpv4Repr } from '../../src/wire/icmpv4.js';

export const MAC_A = 0x02_00_00_00_00_01;
export const MAC_B = 0x02_00_00_00_00_02;
export const IP_A = parseIpv4('192.0.2.1');
export const IP_B = parseIpv4('192.0.2.2');

/** Options of twoHosts. */
export interface TwoHostsOptions {
  a?: HostOptions;
  b?: HostOptions;
  /** One-way delay in ms, added by a fault injector on each end's transmit side. */
  delay?: number;
}

/** Two hosts, a (192.0.2.1) and b (192.0.2.2), on one memory link, in a Sim. */
export function twoHosts(opts: TwoHostsOptions = {}): { a: Host; b: Host; la: MemoryLink; lb: MemoryLink; sim: Sim } {
  const [la, lb] = memoryLinkPair();
  const ha = new Host({ name: 'a', ...opts.a });
  const hb = new Host({ name: 'b', ...opts.b });
  const delay = opts.delay ?? 0;
  const da: LinkDevice = delay > 0 ? faultInjector(la, { tx: { delay } }) : la;
  const db: LinkDevice = delay > 0 ? faultInjector(lb, { tx: { delay } }) : lb;
  ha.addInterface(da, { mac: MAC_A, address: '192.0.2.1/24' });
  hb.addInterface(db, { mac: MAC_B, address: '192.0.2.2/24' });
  const sim = new Sim().add(ha, hb);
  return { a: ha, b: hb, la, lb, sim };
}

/** The other end of a host's link, driven by the test: captures frames, injects frames. */
export class RawPeer implements FrameSink {
  readonly frames: Uint8Array[] = [];
  /** `now` at which each captured frame was received. */
  readonly times: number[] = [];
  /** Addresses the peer answers ARP requests for, with the MAC it claims. */
  readonly arpAnswers = new Map<number, number>();
  constructor(readonly dev: MemoryLink) {}

  /** Capture a copy of each frame (FrameSink); answer ARP requests for `arpAnswers`. */
  onFrame(buf: Uint8Array, off: number, len: number, now: Millis): void {
    const f = buf.slice(off, off + len);
    this.frames.push(f);
    this.times.push(now);
    if (len >= 42 && f[12] === 0x08 && f[13] === 0x06 && f[21] === 1) {
      const tpa = ((f[38]! << 24) | (f[39]! << 16) | (f[40]! << 8) | f[41]!) >>> 0;
      const spa = ((f[28]! << 24) | (f[29]! << 16) | (f[30]! << 8) | f[31]!) >>> 0;
      const mac = this.arpAnswers.get(tpa);
      const sha = f[22]! * 2 ** 40 + f[23]! * 2 ** 32 + (((f[24]! << 24) | (f[25]! << 16) | (f[26]! << 8) | f[27]!) >>> 0);
      if (mac !== undefined) this.inject(arpFrame({ reply: true, senderMac: mac, senderIp: tpa, targetMac: sha, targetIp: spa, dstMac: sha }), now);
    }
  }

  /** Receive what the host sent (PollNode). */
  poll(now: Millis): number {
    return this.dev.receive(this, 64, now);
  }

  /** Return Infinity (PollNode): the peer only reacts. */
  pollAt(): Millis {
    return Infinity;
  }

  /** Send `frame` to the host. */
  inject(frame: Uint8Array, now: Millis = 0): void {
    const at = this.dev.transmitBegin(frame.length);
    if (at < 0) throw new Error('raw peer: link full');
    this.dev.txBytes.set(frame, at);
    this.dev.transmitCommit(at, frame.length, now);
  }

  /** Return the captured frames, pretty-printed, and forget them. */
  take(): string[] {
    const out = this.frames.map((f) => formatFrame(f, 0, f.length));
    this.frames.length = 0;
    this.times.length = 0;
    return out;
  }
}

/** A host (192.0.2.1, MAC_A) whose link ends at a RawPeer, in a Sim. */
export function hostWithRawPeer(opts: HostOptions = {}): { host: Host; peer: RawPeer; sim: Sim } {
  const [la, lb] = memoryLinkPair();
  const host = new Host({ name: 'h', ...opts });
  host.addInterface(la, { mac: MAC_A, address: '192.0.2.1/24' });
  const peer = new RawPeer(lb);
  const sim = new Sim().add(host, peer);
  return { host, peer, sim };
}


/** Fields of a hand-made IPv4 frame (defaults: peer 192.0.2.2/MAC_B to host 192.0.2.1/MAC_A). */
export interface IpFrameSpec {
  src?: number;
  dst?: number;
  srcMac?: number;
  dstMac?: number;
  protocol?: number;
  ttl?: number;
  id?: number;
  moreFrags?: boolean;
  fragOffset?: number;
  dontFrag?: boolean;
}

/** Return an Ethernet frame carrying an IPv4 header and `payload`. */
export function ipFrame(payload: Uint8Array, spec: IpFrameSpec = {}): Uint8Array {
  const f = new Uint8Array(ETH_HEADER_LEN + IPV4_HEADER_LEN + payload.length);
  emitEthernet({ dstAddr: spec.dstMac ?? MAC_A, srcAddr: spec.srcMac ?? MAC_B, etherType: ETH_P_IPV4 }, f, 0);
  const ip = newIpv4Repr();
  ip.srcAddr = spec.src ?? IP_B;
  ip.dstAddr = spec.dst ?? IP_A;
  ip.protocol = spec.protocol ?? IPPROTO_UDP;
  ip.ttl = spec.ttl ?? 64;
  ip.identification = spec.id ?? 1;
  ip.moreFrags = spec.moreFrags ?? false;
  ip.fragOffset = spec.fragOffset ?? 0;
  ip.dontFrag = spec.dontFrag ?? false;
  ip.payloadLength = payload.length;
  emitIpv4(ip, f, ETH_HEADER_LEN);
  f.set(payload, ETH_HEADER_LEN + IPV4_HEADER_LEN);
  return f;
}

/** Return a UDP datagram (header + data) with a valid checksum for src -> dst. */
export function udpDatagram(data: Uint8Array, srcPort: number, dstPort: number, src = IP_B, dst = IP_A): Uint8Array {
  const d = new Uint8Array(UDP_HEADER_LEN + data.length);
  d.set(data, UDP_HEADER_LEN);
  emitUdp({ srcPort, dstPort, checksum: 0, payloadOffset: 0, payloadLength: data.length }, d, 0, src, dst);
  return d;
}

/** Return an ICMP message (header + body) of `type` with a valid checksum. */
export function icmpMessage(type: number, code: number, body: Uint8Array, id = 0, seq = 0): Uint8Array {
  const m = new Uint8Array(ICMP_HEADER_LEN + body.length);
  m.set(body, ICMP_HEADER_LEN);
  const r = newIcmpv4Repr();
  r.msgType = type;
  r.msgCode = code;
  r.identifier = id;
  r.seqNumber = seq;
  r.payloadLength = body.length;
  emitIcmpv4(r, m, 0);
  return m;
}

/** Return an ARP frame (request when `reply` is false). */
export function arpFrame(opts: { reply: boolean; senderMac: number; senderIp: number; targetMac?: number; targetIp: number; dstMac?: number }): Uint8Array {
  const f = new Uint8Array(ETH_HEADER_LEN + ARP_HEADER_LEN);
  emitEthernet({ dstAddr: opts.dstMac ?? (opts.reply ? MAC_A : MAC_BROADCAST), srcAddr: opts.senderMac, etherType: ETH_P_ARP }, f, 0);
  emitArp(
    {
      operation: opts.reply ? ARP_OP_REPLY : ARP_OP_REQUEST,
      senderHardwareAddr: opts.senderMac,
      senderProtocolAddr: opts.senderIp,
      targetHardwareAddr: opts.targetMac ?? 0,
      targetProtocolAddr: opts.targetIp,
    },
    f,
    ETH_HEADER_LEN,
  );
  return f;
}

/** Return `n` bytes 0, 1, 2, ... (mod 256) offset by `seed`. */
export function pattern(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i + seed) & 0xff;
  return b;
}
