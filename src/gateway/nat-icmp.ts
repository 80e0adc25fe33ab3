// ICMP echo NAT: a guest's ping to an outside address goes out through the host's
// unprivileged ICMP echo sockets (SOCK_DGRAM, IPPROTO_ICMP: what `ping` uses without
// root), one per guest (address, identifier), through the native addon (native/tap.cc:
// pingOpen, pingSend, pingRecv). The kernel picks the socket's identifier and rewrites it
// in replies; we put the guest's back. Where the host forbids such sockets
// (net.ipv4.ping_group_range does not hold our group: EACCES), or the addon is not built,
// echo requests are counted (IcmpEchoDropped) and dropped, and the gateway says so once.
// Echo requests to the gateway's own addresses never come here: its host answers them.

import type { Millis } from '../time.js';
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, Icmpv4View, emitIcmpv4, newIcmpv4Repr, parseIcmpv4Into } from '../wire/icmpv4.js';
import { WireErr } from '../wire/errors.js';
import { IPPROTO_ICMP, type Ipv4Repr } from '../wire/ipv4.js';
import type { TapAddon } from '../link/tap.js';
import { loadTapAddon } from '../link/tap.js';
import type { NatContext } from './nat.js';

/** The ICMP socket calls of the native addon. */
interface PingAddon extends TapAddon {
  pingOpen(): number;
  pingSend(fd: number, addr: number, buf: Uint8Array, off: number, len: number): number;
  pingRecv(fd: number, buf: Uint8Array, off: number, len: number, from: Uint32Array): number;
}

const EAGAIN = 11;
const EACCES = 13;
/** Echo flows a guest address may hold. */
const MAX_PER_GUEST = 64;

/** The ICMP echo half of the NAT. */
export class IcmpNat {
  private readonly flows = new Map<string, PingFlow>();
  private addon: PingAddon | null = null;
  /** Why echo to outside addresses is not relayed, once known (null: it is, or not tried yet). */
  unavailable: string | null = null;
  private readonly view = new Icmpv4View();
  private readonly rx = newIcmpv4Repr();
  readonly tx = newIcmpv4Repr();
  readonly buf = new Uint8Array(65536);
  readonly from = new Uint32Array(1);

  constructor(readonly ctx: NatContext) {}

  /** Return the number of open echo flows. */
  get size(): number {
    return this.flows.size;
  }

  /** A guest's ICMP datagram to an outside address. */
  fromGuest(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, now: Millis, csumOk: boolean): void {
    const c = this.ctx.counters;
    const r = this.rx;
    if (parseIcmpv4Into(this.view.wrap(bytes, ip.payloadOffset, ip.payloadLength), r, csumOk) !== WireErr.Ok || r.msgType !== ICMP_ECHO_REQUEST) {
      c.Unhandled++;
      return;
    }
    const target = this.ctx.hostTarget(ip.dstAddr);
    if (target < 0 || !this.ctx.policy.allows(target)) {
      c.IcmpEchoDropped++;
      return;
    }
    const key = `${ip.srcAddr}:${r.identifier}`;
    let f = this.flows.get(key);
    if (f === undefined) {
      const fd = this.open();
      if (fd < 0) {
        c.IcmpEchoDropped++;
        return;
      }
      let mine = 0;
      for (const x of this.flows.values()) if (x.guestAddr === ip.srcAddr) mine++;
      if (mine >= MAX_PER_GUEST) {
        this.addon!.close(fd);
        c.IcmpEchoDropped++;
        return;
      }
      f = new PingFlow(this, this.addon!, fd, key, ip.srcAddr, r.identifier, now);
      this.flows.set(key, f);
    }
    // The message as the kernel wants it: type, code, checksum and id are its to fill.
    const len = ip.payloadLength;
    const b = this.buf;
    b.set(bytes.subarray(ip.payloadOffset, ip.payloadOffset + len), 0);
    f.lastActive = now;
    if (this.addon!.pingSend(f.fd, target, b, 0, len) >= 0) c.IcmpEchoOut++;
    else c.IcmpEchoDropped++;
  }

  /** Close echo flows idle since before `now - idleMs`. */
  sweep(now: Millis, idleMs: Millis): void {
    for (const f of [...this.flows.values()]) if (f.lastActive <= now - idleMs) f.close();
  }

  /** Forget a closed flow. */
  ended(f: PingFlow): void {
    if (this.flows.get(f.key) === f) this.flows.delete(f.key);
  }

  close(): void {
    for (const f of [...this.flows.values()]) f.close();
  }

  /** Open an ICMP socket; return its fd, or -1 (and say once why) when the host forbids or cannot. */
  private open(): number {
    if (this.unavailable !== null) return -1;
    try {
      const a = loadTapAddon() as PingAddon;
      if (typeof a.pingOpen !== 'function') throw new Error('the native addon predates ICMP sockets; rebuild it (node scripts/build-native.mjs)');
      this.addon = a;
    } catch (e) {
      return this.refuse(`no ICMP echo to outside addresses: ${(e as Error).message}`);
    }
    const fd = this.addon.pingOpen();
    if (fd >= 0) return fd;
    if (fd === -EACCES) return this.refuse('no ICMP echo to outside addresses: net.ipv4.ping_group_range does not hold this process\'s group (EACCES); pings are counted and dropped');
    return this.refuse(`no ICMP echo to outside addresses: socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) failed (errno ${-fd})`);
  }

  private refuse(why: string): number {
    this.unavailable = why;
    this.ctx.warn(why);
    return -1;
  }
}

/** One guest (address, identifier)'s ICMP socket. */
class PingFlow {
  lastActive: Millis;
  private readonly watcher: unknown;
  private done = false;

  constructor(
    private readonly nat: IcmpNat,
    private readonly addon: PingAddon,
    readonly fd: number,
    readonly key: string,
    readonly guestAddr: number,
    readonly guestId: number,
    now: Millis,
  ) {
    this.lastActive = now;
    this.watcher = addon.watch(fd, () => this.onReadable());
    addon.arm(this.watcher, false);
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.addon.unwatch(this.watcher);
    this.addon.close(this.fd);
    this.nat.ended(this);
  }

  /** Replies arrived: hand each to the guest with its own identifier. */
  private onReadable(): void {
    if (this.done) return;
    const nat = this.nat;
    const ctx = nat.ctx;
    const b = nat.buf;
    for (;;) {
      const n = this.addon.pingRecv(this.fd, b, 0, b.length, nat.from);
      if (n < 0) {
        if (n !== -EAGAIN) ctx.counters.IcmpEchoDropped++;
        break;
      }
      if (n < 8 || b[0] !== ICMP_ECHO_REPLY) continue;
      const shown = ctx.guestView(nat.from[0]!);
      if (shown < 0) continue;
      const ip = ctx.host.ip;
      const now = ctx.now();
      const at = ip.begin(this.guestAddr, IPPROTO_ICMP, n, shown, now);
      if (at < 0) continue;
      ip.bytes.set(b.subarray(8, n), at + 8);
      const t = nat.tx;
      t.msgType = ICMP_ECHO_REPLY;
      t.msgCode = 0;
      t.identifier = this.guestId;
      t.seqNumber = (b[6]! << 8) | b[7]!;
      t.payloadLength = n - 8;
      emitIcmpv4(t, ip.bytes, at);
      ip.commit(now);
      ctx.counters.IcmpEchoIn++;
      this.lastActive = now;
    }
    ctx.host.wake();
    this.addon.arm(this.watcher, false);
  }
}
