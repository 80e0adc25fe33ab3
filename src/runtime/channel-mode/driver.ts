// The driver of a channel-mode host: the "interrupt" context, in its own thread. It owns
// the link end, and for each received frame reads the Ethernet, IPv4 and TCP headers in
// place, looks the 4-tuple up in the flow table (or, for a flow nobody registered yet,
// hashes it to one of the processes holding the port: SO_REUSEPORT), and pushes the
// frame's descriptor into that process's rx ring. The frame itself does not move. An ICMP
// error quoting a process's TCP segment goes to that process the same way. ARP, other
// ICMP, UDP, fragments and frames for no process take the slow path: the driver's own Host
// (which answers ARP for the shared address and sends the RST of RFC 9293 §3.10.7.1 for
// segments to no connection). ARP replies are also copied to every process, which is how
// a process learns its neighbours' MACs.
//
// Filter hooks: the driver's host holds the one filter table (docs/filter.md) and the
// driver runs it on both paths: the slow path through its host as on any host, the fast
// path here — PREROUTING and INPUT on a received frame before it is steered, OUTPUT and
// POSTROUTING on a process's frame before it goes on the link. A REJECT of a received
// segment answers on the link; a REJECT of a process's segment answers the process (the
// RST or ICMP error its host addresses to the shared address is steered into the flow's
// rx ring).
//
// Quotas: a process holds at most `rxQuota` received frames; past that its frames are
// dropped and counted against it, and other processes' frames keep flowing. A process
// that goes (exit, crash, terminate) is detached: its flows and ports leave the tables and
// every frame it held (received, lent for sending, queued to send) returns to the arena.
//
// Bounded work: `step` moves at most a fixed budget per ring. No allocation per frame.

import { Arena, ChanErr, ChannelConsumer, ChannelProducer, Ring } from '../../channel/index.js';
import { FilterVerdict } from '../../iface/filter.js';
import { Host } from '../../iface/host.js';
import type { Interface } from '../../iface/interface.js';
import type { LoopbackSink } from '../../iface/loopback.js';
import type { FrameSink, LinkDevice, LinkStats } from '../../link/device.js';
import { newLinkStats } from '../../link/device.js';
import { copyBytes } from '../../storage/copy.js';
import type { Millis } from '../../time.js';
import { TcpLayer } from '../../transport/tcp/layer.js';
import { get16, get32, get48 } from '../../wire/bytes.js';
import { WireErr } from '../../wire/errors.js';
import { ETH_HEADER_LEN, ETH_P_IPV4, type EthernetRepr, emitEthernet } from '../../wire/ethernet.js';
import { ICMP_DEST_UNREACH, ICMP_PARAMETER_PROB, ICMP_TIME_EXCEEDED } from '../../wire/icmpv4.js';
import { IPPROTO_ICMP, IPPROTO_TCP, Ipv4View, newIpv4Repr, parseIpv4Into } from '../../wire/ipv4.js';
import { parseCidr } from '../../iface/cidr.js';
import { FlowTable } from './flow-table.js';
import { CTL_FLOW_ADD, CTL_FLOW_REMOVE, CTL_PORT_ADD, CTL_PORT_REMOVE, type DriverSpec } from './spec.js';

const RX_BUDGET = 256;
const RING_BUDGET = 128;
const MAC_BROADCAST = 0xffff_ffff_ffff;

/** What the driver counts, per process. */
export interface ProcCounters {
  /** Frames steered to the process. */
  rxFrames: number;
  /** Frames dropped because the process held its whole rx quota. */
  rxQuotaDrops: number;
  /** Frames the process sent. */
  txFrames: number;
  /** Flows registered now. */
  flows: number;
  /** Received frames lent to the process now (in its rx ring, being processed, or held by its zero-copy readers), and transmit frames. Updated by `snapshot`. */
  rxLent: number;
  txLent: number;
  alive: boolean;
}

/** What the driver counts. */
export interface DriverCounters {
  /** Frames classified and pushed to a process (the fast path). */
  fastFrames: number;
  /** Frames handled by the driver's own host. */
  slowFrames: number;
  /** Frames not for us (another MAC), or runts. */
  dropped: number;
  /** ARP replies copied to the processes. */
  arpCopies: number;
  /** Nanoseconds spent classifying and pushing the fast-path frames (measured per burst). */
  fastNs: number;
  /** Frames put on the link for the processes. */
  txFrames: number;
  /** Received frames the fast path's PREROUTING or INPUT dropped or rejected (the slow path counts in the host's chains only). */
  filterInDrops: number;
  /** Processes' frames OUTPUT or POSTROUTING dropped or rejected. */
  filterOutDrops: number;
  /** Answers (RST, ICMP error) of an OUTPUT or POSTROUTING REJECT steered to the process that sent the segment. */
  rejectsToProc: number;
  /** Flows in the table now. */
  flows: number;
  /** Flow registrations the table had no room for. */
  flowTableFull: number;
  procs: ProcCounters[];
}

interface ProcPort {
  rx: Ring;
  done: Ring;
  free: Ring;
  tx: Ring;
  ctl: Ring;
  alive: boolean;
  /** Received frames lent (not yet back through done). */
  inflight: number;
  /** Transmit frames lent (not yet sent). */
  held: number;
  /** Descriptors written to rx and not yet published. */
  rxPending: number;
  counters: ProcCounters;
}

/** The driver's own device for its slow-path host: sends through the link, never receives (frames are lent by `step`). */
class DriverDevice implements LinkDevice {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly stats: LinkStats = newLinkStats();
  readonly txBytes: Uint8Array;
  readonly checksumOffload: boolean;
  private reserved = -1;

  constructor(private readonly tx: ChannelProducer, name: string, maxFrameLen: number, checksumOffload: boolean) {
    this.name = name;
    this.maxFrameLen = maxFrameLen;
    this.checksumOffload = checksumOffload;
    this.txBytes = tx.arena.bytes;
  }

  receive(_sink: FrameSink, _budget: number, _now: Millis): number {
    return 0;
  }

  transmitBegin(len: number): number {
    if (!(len >= 0 && len <= this.maxFrameLen)) return -1;
    if (this.reserved >= 0) return this.reserved;
    if (!this.tx.canSend()) return -1;
    this.reserved = this.tx.alloc();
    return this.reserved;
  }

  transmitCommit(off: number, len: number, _now: Millis): void {
    if (off !== this.reserved || off < 0) {
      this.stats.txDropped++;
      return;
    }
    this.reserved = -1;
    if (this.tx.send(off, len, 0, 0) !== ChanErr.Ok) {
      this.tx.free(off);
      this.stats.txDropped++;
      return;
    }
    this.stats.txFrames++;
    this.stats.txBytes += len;
  }

  setRxNotify(_cb: (() => void) | null): void {}

  pollAt(): Millis {
    return Number.POSITIVE_INFINITY;
  }

  close(): void {}
}

/** The driver of a channel-mode host. One thread only. */
export class ChannelDriver implements LoopbackSink {
  readonly spec: DriverSpec;
  readonly arena: Arena;
  /** The slow path: ARP, ICMP, UDP, fragments, RSTs for segments to no connection. */
  readonly host: Host;
  readonly tcp: TcpLayer;
  readonly table: FlowTable;
  readonly counters: DriverCounters;
  private readonly linkRx: ChannelConsumer;
  private readonly linkTx: ChannelProducer;
  private readonly iface: Interface;
  private readonly procs: ProcPort[] = [];
  /** Per arena frame: the process holding it, plus one (0: the driver or the peer). */
  private readonly holder: Uint8Array;
  private readonly rxFirst: number;
  private readonly rxLast: number;
  private readonly mac: number;
  private readonly addr: number;
  private rr = 0;
  /** The driver host's own input, for looped-back datagrams that are not a process's. */
  private readonly hostInput: LoopbackSink;
  private readonly ipView = new Ipv4View();
  private readonly ipRepr = newIpv4Repr();
  /** The Ethernet header of a looped-back datagram steered to a process: to and from our MAC. */
  private readonly ownEth: EthernetRepr;

  /** Attach to the link end and the processes' rings of `spec`. */
  constructor(spec: DriverSpec) {
    this.spec = spec;
    this.arena = new Arena(spec.link.tx.arena);
    this.linkRx = new ChannelConsumer(spec.link.rx, this.arena);
    this.linkTx = new ChannelProducer(spec.link.tx, this.arena);
    this.holder = new Uint8Array(this.arena.frameCount);
    this.rxFirst = spec.link.rx.firstFrame;
    this.rxLast = spec.link.rx.firstFrame + spec.link.rx.frameCount;
    this.mac = spec.mac;
    this.addr = parseCidr(spec.address, 'ChannelDriver').address >>> 0;
    this.table = new FlowTable(spec.flowCapacity, Math.max(1, spec.procs.length));
    const dev = new DriverDevice(this.linkTx, spec.link.name, spec.link.maxFrameLen, spec.link.checksumOffload);
    this.host = new Host({ name: 'driver' });
    this.iface = this.host.addInterface(dev, { mac: spec.mac, address: spec.address });
    this.tcp = new TcpLayer(this.host);
    this.hostInput = this.host.divertLoopback(this);
    this.ownEth = { dstAddr: spec.mac, srcAddr: spec.mac, etherType: ETH_P_IPV4 };
    this.counters = {
      fastFrames: 0, slowFrames: 0, dropped: 0, arpCopies: 0, fastNs: 0, txFrames: 0, filterInDrops: 0, filterOutDrops: 0, rejectsToProc: 0,
      flows: 0, flowTableFull: 0, procs: [],
    };
    for (const p of spec.procs) {
      const counters: ProcCounters = { rxFrames: 0, rxQuotaDrops: 0, txFrames: 0, flows: 0, rxLent: 0, txLent: 0, alive: true };
      this.counters.procs.push(counters);
      this.procs.push({
        rx: new Ring(p.rings.rx), done: new Ring(p.rings.done), free: new Ring(p.rings.free), tx: new Ring(p.rings.tx), ctl: new Ring(p.rings.ctl),
        alive: true, inflight: 0, held: 0, rxPending: 0, counters,
      });
    }
  }

  /** The ring the driver sleeps on: the link's rx ring (processes ring its doorbell too). */
  get bellRing(): Ring {
    return this.linkRx.data;
  }

  /** Do one round of work: control, completions, transmits, receives, lending; return how much. */
  step(now: Millis): number {
    let work = 0;
    const procs = this.procs;
    for (let p = 0; p < procs.length; p++) {
      const pp = procs[p]!;
      if (!pp.alive) continue;
      work += this.drainCtl(p, pp);
      work += this.drainDone(p, pp);
    }
    this.flushLinkRecycled();
    // Round-robin start, so no process always goes first onto a busy link.
    const n = procs.length;
    for (let k = 0; k < n; k++) {
      const p = (this.rr + k) % n;
      const pp = procs[p]!;
      if (pp.alive) work += this.drainTx(pp, now);
    }
    this.rr = n === 0 ? 0 : (this.rr + 1) % n;
    work += this.receive(now);
    for (let p = 0; p < n; p++) {
      const pp = procs[p]!;
      if (pp.alive) this.lend(p, pp);
    }
    this.host.poll(now);
    this.linkTx.flush();
    return work;
  }

  /** Return whether any process ring has work for the driver (checked after arming the doorbell). */
  hasWork(): boolean {
    if (this.linkRx.peek(1) !== 0) return true;
    const procs = this.procs;
    for (let p = 0; p < procs.length; p++) {
      const pp = procs[p]!;
      if (pp.alive && (pp.tx.consumePeek(1) !== 0 || pp.done.consumePeek(1) !== 0 || pp.ctl.consumePeek(1) !== 0)) return true;
    }
    return false;
  }

  /** Sleep until the link or a process has work, or `timeoutMs` passes; return the wait's ChanErr (Ok: woken, TimedOut), or -1 when work was already there. */
  sleep(timeoutMs: number): number {
    const ring = this.linkRx.data;
    if (!ring.consumeArm()) return -1;
    const r = this.hasWork() ? -1 : ring.bell.waitSync(timeoutMs);
    ring.bell.disarm();
    return r;
  }

  /** Return when the slow-path host next needs a poll. */
  pollAt(): Millis {
    return this.host.pollAt();
  }

  private drainCtl(p: number, pp: ProcPort): number {
    const ctl = pp.ctl;
    const n = ctl.consumePeek(RING_BUDGET);
    for (let i = 0; i < n; i++) {
      const op = ctl.peekOffset(i);
      const addr = ctl.peekLength(i);
      const ports = ctl.peekFlags(i);
      switch (op) {
        case CTL_FLOW_ADD:
          if (this.table.add(addr, ports >>> 16, ports & 0xffff, p)) pp.counters.flows++;
          else this.counters.flowTableFull++;
          break;
        case CTL_FLOW_REMOVE:
          if (this.table.remove(addr, ports >>> 16, ports & 0xffff, p)) pp.counters.flows--;
          break;
        case CTL_PORT_ADD:
          this.table.addPort(ports & 0xffff, p);
          break;
        case CTL_PORT_REMOVE:
          this.table.removePort(ports & 0xffff, p);
          break;
      }
    }
    if (n > 0) ctl.consumeRelease(n);
    this.counters.flows = this.table.size;
    return n;
  }

  private drainDone(p: number, pp: ProcPort): number {
    const done = pp.done;
    const n = done.consumePeek(RING_BUDGET);
    for (let i = 0; i < n; i++) {
      const off = done.peekOffset(i);
      const idx = this.arena.frameIndex(off);
      if (idx < 0 || this.holder[idx] !== p + 1) continue; // not lent to it: ignore
      this.holder[idx] = 0;
      pp.inflight--;
      this.giveBack(off, idx);
    }
    if (n > 0) done.consumeRelease(n);
    return n;
  }

  /** Publish the peer's frames given back; when it ran out and asked (MemoryLink's wantFrames), wake it on the bell of the ring it receives from. */
  private flushLinkRecycled(): void {
    if (this.linkRx.flushRecycled()) this.linkTx.data.bell.kick();
  }

  /** Return a frame to where it came from: the peer (link rx partition) or our pool. */
  private giveBack(off: number, idx: number): void {
    if (idx >= this.rxFirst && idx < this.rxLast) this.linkRx.recycle(off);
    else this.linkTx.free(off);
  }

  private drainTx(pp: ProcPort, now: Millis): number {
    const tx = pp.tx;
    const n = tx.consumePeek(RING_BUDGET);
    const f = this.host.filter;
    const filterOut = f.output.rules.length !== 0 || f.postrouting.rules.length !== 0;
    const b = this.arena.bytes;
    let sent = 0;
    for (; sent < n; sent++) {
      const off = tx.peekOffset(sent);
      const len = tx.peekLength(sent);
      const idx = this.arena.frameIndex(off);
      if (idx < 0 || this.holder[idx] === 0 || len > this.spec.link.maxFrameLen) continue; // a bad descriptor: skip it
      if (filterOut && len >= ETH_HEADER_LEN + 20 && get16(b, off + 12) === ETH_P_IPV4) {
        // Filter once only: a frame the full link sends back to wait must not count twice.
        if (!this.linkTx.canSend()) break;
        const v = f.verdictOut(this.iface, b, off + ETH_HEADER_LEN);
        if (v !== FilterVerdict.Accept) {
          this.holder[idx] = 0;
          pp.held--;
          this.linkTx.free(off);
          this.counters.filterOutDrops++;
          if (v === FilterVerdict.Reject) f.sendReject(now);
          continue;
        }
      }
      if (this.linkTx.send(off, len, 0, 0) !== ChanErr.Ok) break; // the link is full: the rest waits
      this.holder[idx] = 0;
      pp.held--;
      pp.counters.txFrames++;
      this.counters.txFrames++;
    }
    if (sent > 0) tx.consumeRelease(sent);
    return sent;
  }

  /** Keep each process supplied with transmit frames, up to its share. */
  private lend(p: number, pp: ProcPort): void {
    const want = this.spec.txFrames - pp.held;
    if (want < 16) return; // lend in batches
    const free = pp.free;
    const room = free.produceReserve(want);
    let k = 0;
    for (; k < room; k++) {
      const off = this.linkTx.alloc();
      if (off < 0) break;
      free.setDesc(k, off, 0, 0, 0);
      this.holder[this.arena.frameIndex(off)] = p + 1;
    }
    if (k === 0) return;
    pp.held += k;
    free.producePublish(k);
    pp.rx.bell.ring(); // the process sleeps on its rx doorbell
  }

  /** Classify a burst of received frames. */
  private receive(now: Millis): number {
    const rx = this.linkRx;
    const n = rx.peek(RX_BUDGET);
    if (n === 0) return 0;
    const t0 = performance.now();
    const f = this.host.filter;
    const filterIn = f.prerouting.rules.length !== 0 || f.input.rules.length !== 0;
    let fast = 0;
    for (let i = 0; i < n; i++) {
      const off = rx.offset(i);
      const len = rx.length(i);
      let p = this.classify(off, len);
      if (p >= 0 && filterIn) {
        const v = this.filterIn(off, len, now);
        if (v === 0) {
          this.counters.filterInDrops++;
          rx.recycle(off);
          continue;
        }
        if (v < 0) p = -1; // a bad header: the host's input counts and drops it
      }
      if (p >= 0) {
        const pp = this.procs[p]!;
        if (pp.inflight >= this.spec.rxQuota) {
          pp.counters.rxQuotaDrops++;
          rx.recycle(off);
          continue;
        }
        pp.rx.setDesc(pp.rxPending++, off, len, 0, 0);
        pp.inflight++;
        pp.counters.rxFrames++;
        this.holder[this.arena.frameIndex(off)] = p + 1;
        fast++;
      } else if (p === -1) {
        this.slowPath(off, len, now);
        rx.recycle(off);
      } else {
        this.counters.dropped++;
        rx.recycle(off);
      }
    }
    const procs = this.procs;
    for (let p = 0; p < procs.length; p++) {
      const pp = procs[p]!;
      if (pp.rxPending > 0) {
        pp.rx.producePublish(pp.rxPending);
        pp.rxPending = 0;
      }
    }
    rx.release(n);
    this.flushLinkRecycled();
    this.counters.fastFrames += fast;
    if (fast > 0) this.counters.fastNs += (performance.now() - t0) * 1e6;
    return n;
  }

  /**
   * Return the process a frame goes to, -1 for the slow path, -2 to drop it. Reads the
   * headers in place; the checks a process's IPv4 input repeats are not made twice.
   */
  private classify(off: number, len: number): number {
    const b = this.arena.bytes;
    if (len < 14) return -2;
    const dst = get48(b, off);
    if (dst !== this.mac && dst !== MAC_BROADCAST) return -2;
    if (b[off + 12] !== 0x08 || b[off + 13] !== 0x00 || len < 14 + 20 + 20) return -1; // not IPv4 (ARP...), or too short for TCP
    const ip = off + 14;
    const vihl = b[ip]!;
    const ihl = (vihl & 15) << 2;
    if (vihl >>> 4 !== 4 || ihl < 20) return -1;
    if ((((b[ip + 6]! << 8) | b[ip + 7]!) & 0x3fff) !== 0) return -1; // a fragment: reassembled by the driver's host
    const proto = b[ip + 9];
    if (proto === IPPROTO_ICMP) return this.classifyIcmp(off, len, ihl);
    if (proto !== IPPROTO_TCP) return -1; // the slow path
    if (get32(b, ip + 16) >>> 0 !== this.addr || len < 14 + ihl + 20) return -1;
    const src = get32(b, ip + 12) >>> 0;
    const t = ip + ihl;
    const sport = (b[t]! << 8) | b[t + 1]!;
    const dport = (b[t + 2]! << 8) | b[t + 3]!;
    let p = this.table.lookup(src, sport, dport);
    // No registered flow: a new connection's SYN (or a segment racing its registration)
    // goes to one of the processes holding the port, by the flow's hash.
    if (p < 0) p = this.table.pickForPort(src, sport, dport);
    if (p < 0 || !this.procs[p]!.alive) return -1;
    return p;
  }

  /**
   * Run PREROUTING and INPUT over a received TCP frame bound for a process, after the IPv4
   * header checks the host's input makes first; return 1 to pass it on, 0 when the filter
   * took it (a REJECT has answered), -1 when the header is bad.
   */
  private filterIn(off: number, len: number, now: Millis): number {
    const b = this.arena.bytes;
    const ip = off + ETH_HEADER_LEN;
    if (parseIpv4Into(this.ipView.wrap(b, ip, len - ETH_HEADER_LEN), this.ipRepr) !== WireErr.Ok) return -1;
    const f = this.host.filter;
    const iface = this.iface;
    const ok = iface.rxChecksumOk;
    if (f.prerouting.rules.length !== 0 && !f.passIn(f.prerouting, iface, b, ip, ok, now)) return 0;
    if (f.input.rules.length !== 0 && !f.passIn(f.input, iface, b, ip, ok, now)) return 0;
    return 1;
  }

  /**
   * A datagram the driver's host sent to itself (LoopbackSink). One a process owns — a
   * REJECT's RST or ICMP error about a process's segment in OUTPUT or POSTROUTING,
   * addressed to the shared address — goes into that process's rx ring in a frame of our
   * own, as if it had arrived, and is classified as one; anything else goes to the driver's
   * host. The datagram is whole: the filter's answers carry their checksums, which a
   * process on a link without offload checks.
   */
  onLoopback(buf: Uint8Array, off: number, len: number, now: Millis): void {
    const flen = ETH_HEADER_LEN + len;
    if (len >= 20 && get32(buf, off + 16) >>> 0 === this.addr && flen <= this.spec.link.maxFrameLen) {
      const fr = this.linkTx.alloc();
      if (fr >= 0) {
        const b = this.arena.bytes;
        emitEthernet(this.ownEth, b, fr);
        copyBytes(b, fr + ETH_HEADER_LEN, buf, off, len);
        const p = this.classify(fr, flen);
        const pp = p >= 0 ? this.procs[p]! : null;
        // Only host.poll calls here, after receive published its burst (rxPending is 0).
        if (pp !== null && pp.inflight < this.spec.rxQuota && pp.rx.push(fr, flen, 0, 0) === ChanErr.Ok) {
          pp.inflight++;
          this.holder[this.arena.frameIndex(fr)] = p + 1;
          this.counters.rejectsToProc++;
          return;
        }
        this.linkTx.free(fr);
      }
    }
    this.hostInput.onLoopback(buf, off, len, now);
  }

  /**
   * Return the process owning the TCP flow an ICMP error to our address quotes (destination
   * unreachable, time exceeded, parameter problem: RFC 1122 §4.2.3.9's errors, among them
   * PMTU's fragmentation needed), so its TCP sees the error; -1 for anything else (echo,
   * other protocols, no such flow): the driver's host takes it.
   */
  private classifyIcmp(off: number, len: number, ihl: number): number {
    const b = this.arena.bytes;
    const ip = off + ETH_HEADER_LEN;
    const icmp = ip + ihl;
    const q = icmp + 8; // the quoted datagram
    if (get32(b, ip + 16) >>> 0 !== this.addr || len < ETH_HEADER_LEN + ihl + 8 + 20 + 8) return -1;
    const type = b[icmp]!;
    if (type !== ICMP_DEST_UNREACH && type !== ICMP_TIME_EXCEEDED && type !== ICMP_PARAMETER_PROB) return -1;
    const qvihl = b[q]!;
    const qihl = (qvihl & 15) << 2;
    if (qvihl >>> 4 !== 4 || qihl < 20 || b[q + 9] !== IPPROTO_TCP || len < ETH_HEADER_LEN + ihl + 8 + qihl + 8) return -1;
    if (get32(b, q + 12) >>> 0 !== this.addr) return -1; // we did not send the quoted segment
    const t = q + qihl;
    const localPort = (b[t]! << 8) | b[t + 1]!;
    const remotePort = (b[t + 2]! << 8) | b[t + 3]!;
    const p = this.table.lookup(get32(b, q + 16) >>> 0, remotePort, localPort);
    return p >= 0 && this.procs[p]!.alive ? p : -1;
  }

  /** Hand a frame to the driver's host; copy an ARP reply to every process. */
  private slowPath(off: number, len: number, now: Millis): void {
    this.counters.slowFrames++;
    const b = this.arena.bytes;
    this.iface.onFrame(b, off, len, now);
    // ARP (0x0806) reply (op 2): every process learns the sender's MAC from it.
    if (b[off + 12] === 0x08 && b[off + 13] === 0x06 && len >= 42 && b[off + 20] === 0 && b[off + 21] === 2) {
      const procs = this.procs;
      for (let p = 0; p < procs.length; p++) {
        const pp = procs[p]!;
        if (!pp.alive || pp.inflight >= this.spec.rxQuota) continue;
        const copy = this.linkTx.alloc();
        if (copy < 0) break;
        b.copyWithin(copy, off, off + len);
        pp.rx.setDesc(pp.rxPending++, copy, len, 0, 0);
        pp.inflight++;
        this.holder[this.arena.frameIndex(copy)] = p + 1;
        this.counters.arpCopies++;
      }
    }
  }

  /**
   * Detach process `p` (it exited or crashed): remove its flows and ports, take back every
   * frame it held. Its connections' next segments find no flow and get a RST from the
   * driver's TCP (RFC 9293 §3.10.7.1). Idempotent.
   */
  detach(p: number): void {
    const pp = this.procs[p];
    if (pp === undefined || !pp.alive) return;
    pp.alive = false;
    pp.counters.alive = false;
    this.table.removeProc(p);
    pp.counters.flows = 0;
    const h = this.holder;
    const fs = this.arena.frameSize;
    for (let i = 0; i < h.length; i++) {
      if (h[i] !== p + 1) continue;
      h[i] = 0;
      this.giveBack(i * fs, i);
    }
    pp.inflight = 0;
    pp.held = 0;
    this.flushLinkRecycled();
    this.counters.flows = this.table.size;
  }

  /** Return the counters, with each process's lent frames brought up to date. */
  snapshot(): DriverCounters {
    const procs = this.procs;
    for (let p = 0; p < procs.length; p++) {
      const pp = procs[p]!;
      pp.counters.rxLent = pp.inflight;
      pp.counters.txLent = pp.held;
    }
    return this.counters;
  }

  /** Return the number of frames held by processes (lent for receiving or sending). */
  framesLent(): number {
    let n = 0;
    for (let i = 0; i < this.holder.length; i++) if (this.holder[i] !== 0) n++;
    return n;
  }
}
