// The TCP layer of one host: the protocol handler registered for IP protocol 6, the demux
// tables (a 4-tuple hash of connections, a port table of listeners and bound sockets), the
// timers of every socket in one TimerWheel, the ISN generator, counters, and the writing of
// segments into outgoing frames. Segments to no connection get the RST of RFC 9293
// §3.10.7.1. Readiness callbacks run after a segment or a timer has been processed
// completely, never in the middle of it.

import type { Host } from '../../iface/host.js';
import type { IcmpErrorInfo, ProtocolHandler } from '../../iface/protocol.js';
import { IpErr } from '../../iface/errors.js';
import { Assembler } from '../../storage/assembler.js';
import { ByteRing } from '../../storage/byte-ring.js';
import { TimerWheel } from '../../storage/timer-wheel.js';
import type { Millis } from '../../time.js';
import { WireErr } from '../../wire/errors.js';
import { IPPROTO_TCP, type Ipv4Repr } from '../../wire/ipv4.js';
import { seqAdd, seqDiff, seqLt } from '../../wire/seq.js';
import { clearTcpOptions } from '../../wire/tcp-options.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TcpView, type TcpRepr, emitTcp, newTcpRepr, parseTcpInto, tcpBufferLen, tcpSeqLen } from '../../wire/tcp.js';
import { type TcpConfig, type TcpOptionsInput, resolveTcpConfig } from './config.js';
import { type TcpCounters, type TcpExtCounters, formatTcpGroup, newTcpCounters } from './counters.js';
import { TcpErr } from './errors.js';
import { PeerRttTable, initSendBuf } from './autotune.js';
import { tcpInput } from './input.js';
import { IsnGenerator } from './isn.js';
import { childAged, onListen } from './listen.js';
import { tcpOutput } from './output.js';
import { SynCookies } from './syncookie.js';
import { TCP_DEFAULT_MSS, TcpSocket } from './socket.js';
import { TCP_MAX_WINDOW_FIELD, chooseRcvWscale, fillSegmentOptions, negotiateSynOptions, sackBlocksToSend, segmentMss } from './options.js';
import { TcpState, type TcpStateCode } from './state.js';
import { onTimer } from './timers.js';
import { type TimeWaitInit, TimeWaitTable, TwVerdict, newTwResult } from './time-wait.js';

/** The 4-tuple table starts with 2^HASH_BITS buckets and doubles when connections pass twice the buckets (chains stay ~1-2 long: O(1) demux at 100k). */
const HASH_BITS = 12;
const IP_TCP_HEADERS = 40;
/** The largest window field (unscaled; RFC 7323 window scaling multiplies it by 2^shift). */
export const TCP_MAX_WINDOW = TCP_MAX_WINDOW_FIELD;

/**
 * Told when this layer's 4-tuple table and port table change (channel mode registers the
 * flows and ports of a process with the driver's classifier, src/runtime/channel-mode).
 * Called synchronously from the table update; must only record the change.
 */
export interface TcpFlowObserver {
  /** A connection entered the 4-tuple table. */
  flowAdded(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): void;
  /** A connection left the 4-tuple table. */
  flowRemoved(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): void;
  /** A socket took `port` (bind, listen, an ephemeral port of connect). */
  portAdded(port: number): void;
  /** A socket gave `port` back. */
  portRemoved(port: number): void;
}

/**
 * Decides about the SYNs that no connection and no listener takes, or that are addressed
 * to an address not the host's (a host in transparent mode): a NAT gateway's forwarder
 * (src/gateway), shaped like gVisor's tcp.Forwarder. It answers later: `acceptForwarded`
 * once it has what the peer asked for, or a RST (sendRst) when it cannot.
 */
export interface TcpSynForwarder {
  /**
   * A SYN (no ACK, RST or FIN) from `remoteAddr`:`seg.srcPort` to `localAddr`:`seg.dstPort`
   * found no connection; return true when the forwarder takes it (a retransmitted SYN of a
   * flow it is deciding about too), false for the usual RST. Ownership: `seg` is lent for
   * the call. Must not throw.
   */
  onSyn(seg: Readonly<TcpRepr>, localAddr: number, remoteAddr: number, now: Millis): boolean;
}

/** The options of a segment sent without a TCB (sendBare). */
export interface BareOptions {
  mss: number;
  /** -1: no window scale option. */
  windowScale: number;
  sackPermitted: boolean;
  tsPresent: boolean;
  tsVal: number;
  tsEcr: number;
}

/** The TCP protocol of one host. */
export class TcpLayer implements ProtocolHandler {
  readonly config: TcpConfig;
  readonly counters: { Tcp: TcpCounters; TcpExt: TcpExtCounters };
  /** Every socket's timers. */
  readonly timers = new TimerWheel<TcpSocket>();
  private buckets: (TcpSocket | null)[] = new Array<TcpSocket | null>(1 << HASH_BITS).fill(null);
  private hashBits = HASH_BITS;
  private readonly ports = new Map<number, TcpSocket>();
  private readonly isnGen: IsnGenerator;
  /** The SYN cookies of this layer's listeners (listen.ts). */
  readonly cookies: SynCookies;
  private readonly ctl: TcpRepr = newTcpRepr();
  private readonly view = new TcpView();
  private readonly seg: TcpRepr = newTcpRepr();
  private readonly out: TcpRepr = newTcpRepr();
  /** Sockets marked since the last flush (markEvent), and whether a flush is running. */
  private readonly dirty = new SocketQueue();
  private flushing = false;
  /** Sockets whose output stopped on a full device (emitSegment's NoBufs), retried by `poll`. */
  private readonly blocked = new SocketQueue();
  /** Scratch for SACK blocks as offsets (options.ts). */
  private readonly sackScratch = new Float64Array(8);
  /** Each peer's smallest recent round trip (send-buffer auto-tuning). */
  readonly peerRtt = new PeerRttTable();
  /** Out-of-order bytes held by all connections (the budget of TcpConfig.oooHostBudget). */
  oooBytes = 0;
  /** RFC 5961 §7 challenge-ACK rate limit: the second it counts, and the ACKs sent in it. */
  challengeSecond = -1;
  challengeCount = 0;
  private cursor: number;
  private connections = 0;
  private readonly onTimerBound = onTimer;
  /** Assemblers given back by connections whose out-of-order data was filled in (assemblerFor). */
  private readonly spareAssemblers: Assembler[] = [];
  /** TIME-WAIT entries: compact records, not sockets (time-wait.ts). */
  readonly timeWait: TimeWaitTable<TcpSocket>;
  private readonly twResult = newTwResult();
  private readonly twInit: TimeWaitInit = {
    localAddr: 0, localPort: 0, remoteAddr: 0, remotePort: 0, sndNxt: 0, rcvNxt: 0, window: 0, rcvWscale: 0,
    tsOk: false, tsRecent: 0, tsRecentAt: 0, tsOffset: 0, reuseAddr: false, portHeld: false,
  };
  private readonly twOpts: BareOptions = { mss: 0, windowScale: -1, sackPermitted: false, tsPresent: false, tsVal: 0, tsEcr: 0 };
  /** The ISN the next passive open takes instead of a fresh one (a SYN that reopens a TIME-WAIT entry); -1: none. */
  private synIsn = -1;
  /** Observer of the flow and port tables (channel mode); null: none. */
  flowObserver: TcpFlowObserver | null = null;
  /** Who decides about SYNs no socket takes (a NAT gateway); null: they get a RST. */
  forwarder: TcpSynForwarder | null = null;

  /** Create the TCP layer of `host` and register it for IP protocol 6. Errors: RangeError for bad options; EEXIST when the host has one. */
  constructor(readonly host: Host, opts: TcpOptionsInput = {}) {
    this.config = resolveTcpConfig(opts);
    this.counters = newTcpCounters(this.config.rtoMinMs, this.config.rtoMaxMs);
    const key = this.config.isnKey ?? globalThis.crypto.getRandomValues(new Uint8Array(16));
    this.isnGen = new IsnGenerator(key);
    const cookieKey = new Uint8Array(16);
    for (let i = 0; i < 16; i++) cookieKey[i] = key[i]! ^ 0x5c;
    this.cookies = new SynCookies(cookieKey);
    this.cursor = host.config.ephemeralLow;
    this.timeWait = new TimeWaitTable<TcpSocket>(this.config.maxTwBuckets);
    host.setProtocolHandler(IPPROTO_TCP, this);
  }

  /** Open a new, closed socket. */
  socket(): TcpSocket {
    return new TcpSocket(this);
  }

  /** Return the number of connections in any state but LISTEN and CLOSED: sockets in the 4-tuple table and TIME-WAIT entries. */
  get connectionCount(): number {
    return this.connections + this.timeWait.size;
  }

  /** Return the number of ports held in the port table (listeners, bound and connected sockets; TIME-WAIT entries not included). */
  get boundPortCount(): number {
    return this.ports.size;
  }

  /** Return the number of connections in TIME-WAIT (entries of the compact table). */
  get timeWaitCount(): number {
    return this.timeWait.size;
  }

  /** Return the `Tcp:` and `TcpExt:` groups as /proc/net/snmp and /proc/net/netstat print them. */
  formatCounters(): string {
    return formatTcpGroup('Tcp', this.counters.Tcp) + formatTcpGroup('TcpExt', this.counters.TcpExt);
  }

  // ---- ProtocolHandler ----

  /** Handle one TCP segment addressed to the host. Never throws. */
  input(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, now: Millis, checksumUnnecessary = false): void {
    const c = this.counters.Tcp;
    c.InSegs++;
    const seg = this.seg;
    // Options as Linux parses them: a malformed length ends the options, the segment stands.
    const err = parseTcpInto(this.view.wrap(bytes, ip.payloadOffset, ip.payloadLength), seg, ip.srcAddr, ip.dstAddr, checksumUnnecessary, true);
    if (err !== WireErr.Ok) {
      if (err === WireErr.BadChecksum) c.InCsumErrors++;
      c.InErrs++;
      return;
    }
    const s = this.lookup(ip.dstAddr, seg.dstPort, ip.srcAddr, seg.srcPort);
    let tw: number;
    if (s !== null) {
      tcpInput(s, seg, bytes, now);
    } else if (this.timeWait.size > 0 && (tw = this.timeWait.find(ip.dstAddr, seg.dstPort, ip.srcAddr, seg.srcPort)) >= 0) {
      this.onTimeWaitSegment(tw, seg, bytes, ip.dstAddr, ip.srcAddr, now);
    } else {
      const fwd = this.forwarder;
      // With a forwarder, listeners take only segments to the host's own addresses.
      const l = fwd === null || this.host.isLocalAddress(ip.dstAddr) ? this.lookupListener(ip.dstAddr, seg.dstPort) : null;
      if (l !== null) onListen(l, seg, bytes, ip.dstAddr, ip.srcAddr, now);
      else if (fwd === null || (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) !== TCP_SYN || !fwd.onSyn(seg, ip.dstAddr, ip.srcAddr, now)) this.rejectClosed(seg, ip.dstAddr, ip.srcAddr, now);
    }
    this.flushEvents();
  }

  /** Hand an ICMP error to the connection it concerns (RFC 1122 §4.2.3.9): hard errors end a connection still in SYN-SENT. */
  icmpError(info: Readonly<IcmpErrorInfo>, bytes: Uint8Array, _now: Millis): void {
    if (info.quotedLength < 8) return;
    const q = info.quotedOffset;
    const srcPort = (bytes[q]! << 8) | bytes[q + 1]!;
    const dstPort = (bytes[q + 2]! << 8) | bytes[q + 3]!;
    const s = this.lookup(info.srcAddr, srcPort, info.dstAddr, dstPort);
    if (s === null) return;
    const code = info.errCode === IpErr.ConnRefused ? TcpErr.Refused : info.errCode === IpErr.NoRoute ? TcpErr.NoRoute : TcpErr.HostUnreach;
    if (s.state === TcpState.SynSent && info.hard) this.fail(s, code);
    else s.softError = s.softError === 0 && s.state === TcpState.SynSent ? code : s.softError;
    this.flushEvents();
  }

  /**
   * Send again for the sockets a full device stopped (`blocked`), then run due timers;
   * return how many sockets got a segment out plus how many timers fired.
   */
  poll(now: Millis): number {
    let n = (this.blocked.length > 0 ? this.retryBlocked(now) : 0) + this.timers.advance(now, this.onTimerBound);
    for (let i: number; (i = this.timeWait.due(now)) >= 0; n++) this.expireTimeWait(i);
    this.flushEvents();
    return n;
  }

  /**
   * A segment of `s` found no device frame (the link's queue is full: local congestion,
   * not loss). Its output stopped without moving SND.NXT, so nothing is counted as sent or
   * lost; the next `poll` tries again, after the device has had a chance to drain (frames
   * come back as the peer consumes them). Linux's tcp_write_xmit likewise stops at a
   * qdisc/driver refusal and leaves the skb queued instead of treating it as lost.
   */
  private noteBlocked(s: TcpSocket): void {
    if (s.txBlocked) return;
    s.txBlocked = true;
    this.blocked.push(s);
  }

  /**
   * Run the output of the blocked sockets in the order they blocked, until one blocks again
   * (the device is full: the rest would too; it goes to the back, so each gets its turn);
   * return how many got through. Bounded: one pass.
   */
  private retryBlocked(now: Millis): number {
    const b = this.blocked;
    const n = b.length;
    let i = 0;
    let freed = 0;
    while (i < n) {
      const s = b.at(i++);
      s.txBlocked = false;
      if (s.state === TcpState.Closed) continue;
      tcpOutput(s, now);
      if (s.txBlocked) break;
      freed++;
    }
    // Drop the i tried (one that blocked again was pushed to the back).
    b.dropFront(i);
    return freed;
  }

  /** Return the earliest timer deadline, or Infinity. */
  pollAt(): Millis {
    const t = this.timers.nextDeadline();
    const w = this.timeWait.nextExpiry();
    return t < w ? t : w;
  }

  /** Tell the host's driver that timers or output changed. */
  wake(): void {
    this.host.wake();
  }

  // ---- used by socket.ts, input.ts, output.ts, timers.ts ----

  /** Note that `s`'s readiness may have changed; its callback runs once processing is done. */
  markEvent(s: TcpSocket): void {
    if (s.eventPending) return;
    s.eventPending = true;
    this.dirty.push(s);
  }

  /** Move `s` to `next`, keeping CurrEstab, EstabResets and AttemptFails as Linux counts them. */
  setState(s: TcpSocket, next: TcpStateCode): void {
    const prev = s.state;
    if (prev === next) return;
    const c = this.counters.Tcp;
    const was = prev === TcpState.Established || prev === TcpState.CloseWait;
    const is = next === TcpState.Established || next === TcpState.CloseWait;
    if (was && !is) c.CurrEstab--;
    if (!was && is) c.CurrEstab++;
    if (next === TcpState.Closed) {
      if (was) c.EstabResets++;
      if (prev === TcpState.SynSent || prev === TcpState.SynReceived) c.AttemptFails++;
    }
    s.state = next;
    this.markEvent(s);
  }

  /** Enter ESTABLISHED: start congestion control, hand a passive connection to its listener's accept queue. */
  enterEstablished(s: TcpSocket): void {
    this.allocBuffers(s);
    this.setState(s, TcpState.Established);
    s.wasEstablished = true;
    s.cc.init(s.sendMss, this.config.initCwnd, 0);
    initSendBuf(s, this);
    const p = s.parent;
    if (p !== null) {
      childAged(s);
      p.synQueueLen--;
      p.acceptQueue.push(s);
      this.markEvent(p);
    }
    // A close() during SYN-RECEIVED queued a FIN: RFC 9293 §3.10.4 sends it now.
    if (s.finQueued) this.setState(s, TcpState.FinWait1);
  }

  /** Enter FIN-WAIT-2; a socket the application closed waits there at most 2 MSL (Linux's tcp_fin_timeout). */
  enterFinWait2(s: TcpSocket, now: Millis): void {
    this.setState(s, TcpState.FinWait2);
    if (s.appClosed) this.timers.schedule(s.lingerTimer, now + this.config.finTimeoutMs);
  }

  /**
   * Enter TIME-WAIT (RFC 9293 §3.10.7.4): stop the timers, give the send ring back. The
   * segment being processed still gets its ACK from the socket; then `moveToTimeWait`
   * replaces the socket by a compact entry that waits the 2 MSL.
   */
  enterTimeWait(s: TcpSocket, _now: Millis): void {
    this.setState(s, TcpState.TimeWait);
    this.timers.cancel(s.rtxTimer);
    this.timers.cancel(s.persistT);
    this.timers.cancel(s.lingerT);
    this.timers.cancel(s.keepaliveT);
    this.timers.cancel(s.corkT);
    s.dropSendBuf();
  }

  /**
   * Hand a socket that entered TIME-WAIT over to the TIME-WAIT table (Linux's
   * tcp_time_wait): the entry keeps the 4-tuple, SND.NXT, RCV.NXT, the window last
   * advertised, the timestamps, and the flow and port the socket held; the socket leaves
   * the tables and gives back its storage (unread bytes stay readable). The application's
   * socket keeps the state TIME-WAIT and becomes CLOSED when the entry ends, unless the
   * application closed it: then nothing refers to it any more. A full table (maxTwBuckets)
   * closes the connection at once, as Linux does (TCPTimeWaitOverflow).
   */
  moveToTimeWait(s: TcpSocket, now: Millis): void {
    if (!s.hashed) return;
    this.timers.cancel(s.delackTimer);
    const e = this.twInit;
    e.localAddr = s.localAddr;
    e.localPort = s.localPort;
    e.remoteAddr = s.remoteAddr;
    e.remotePort = s.remotePort;
    e.sndNxt = s.sndMax;
    e.rcvNxt = s.rcvNxt;
    // The window our ACKs advertise stays what it was (RFC 7323 §2.4: it never shrinks).
    const unit = 2 ** s.rcvWscale;
    e.window = Math.min(Math.ceil(Math.max(0, seqDiff(s.rcvAdv, s.rcvNxt)) / unit), TCP_MAX_WINDOW);
    e.rcvWscale = s.rcvWscale;
    e.tsOk = s.tsOk;
    e.tsRecent = s.tsRecent;
    e.tsRecentAt = s.tsRecentAt;
    e.tsOffset = s.tsOffset;
    e.reuseAddr = s.reuseAddr;
    e.portHeld = s.portHeld;
    if (this.timeWait.insert(e, s.appClosed ? null : s, now + this.config.timeWaitMs) < 0) {
      this.counters.TcpExt.TCPTimeWaitOverflow++;
      this.release(s);
      return;
    }
    // The entry holds the flow and the port now: no observer call until it ends.
    this.unhashQuiet(s);
    if (s.portHeld) this.unlinkPortQuiet(s);
    this.releaseOoo(s);
    this.releaseAssembler(s);
    s.dropSendBuf();
    if (s.recvBuf.length === 0) s.dropRecvBuf();
  }

  /** A segment arrived for TIME-WAIT entry `i` (time-wait.ts has the rules). */
  private onTimeWaitSegment(i: number, seg: TcpRepr, bytes: Uint8Array, localAddr: number, remoteAddr: number, now: Millis): void {
    const tw = this.timeWait;
    const r = this.twResult;
    const v = tw.process(i, seg, now, this.config.timeWaitMs, this.config.rfc1337, r);
    const x = this.counters.TcpExt;
    if (r.pawsRejected) x.PAWSEstab++;
    if (r.rateLimited) x.TCPACKSkippedTimeWait++;
    if (r.killed) {
      x.TWKilled++;
      this.endTimeWait(i);
      return;
    }
    if (v === TwVerdict.Syn) {
      // RFC 6191: a listener takes the SYN with an ISN past the old connection's; without one, our ACK.
      const fwd = this.forwarder;
      const l = fwd === null || this.host.isLocalAddress(localAddr) ? this.lookupListener(localAddr, seg.dstPort) : null;
      if (l !== null) {
        x.TWRecycled++;
        this.endTimeWait(i);
        this.synIsn = tw.synIsn;
        onListen(l, seg, bytes, localAddr, remoteAddr, now);
        this.synIsn = -1;
        return;
      }
      // A NAT gateway's forwarder takes it as it takes any SYN no socket wants (a guest
      // reusing its port); the new connection's ISN comes later, from the clock-driven generator.
      if (fwd !== null && fwd.onSyn(seg, localAddr, remoteAddr, now)) {
        x.TWRecycled++;
        this.endTimeWait(i);
        return;
      }
    }
    if (v !== TwVerdict.Done) this.sendTimeWaitAck(i, now);
  }

  /** Send TIME-WAIT entry `i`'s ACK: <SEQ=SND.NXT><ACK=RCV.NXT>, the window remembered, timestamps when in use. */
  private sendTimeWaitAck(i: number, now: Millis): void {
    const tw = this.timeWait;
    const o = this.twOpts;
    const ts = tw.tsOk(i);
    o.tsPresent = ts;
    o.tsVal = ts ? tw.tsVal(i, now) : 0;
    o.tsEcr = ts ? tw.tsRecent(i) : 0;
    this.sendBare(tw.localAddr(i), tw.localPort(i), tw.remoteAddr(i), tw.remotePort(i), tw.sndNxt(i), tw.rcvNxt(i), TCP_ACK, tw.window(i), o, now);
  }

  /** 2 MSL have passed for entry `i`: the connection is gone (TcpExt.TW). */
  private expireTimeWait(i: number): void {
    this.counters.TcpExt.TW++;
    this.endTimeWait(i);
  }

  /** Remove TIME-WAIT entry `i`: give back its flow and port, and close the application's socket if it still holds one. */
  private endTimeWait(i: number): void {
    const tw = this.timeWait;
    const la = tw.localAddr(i);
    const lp = tw.localPort(i);
    const ra = tw.remoteAddr(i);
    const rp = tw.remotePort(i);
    const heldPort = tw.holdsPort(i);
    const owner = tw.remove(i);
    if (this.flowObserver !== null) {
      this.flowObserver.flowRemoved(la, lp, ra, rp);
      if (heldPort) this.flowObserver.portRemoved(lp);
    }
    if (owner !== null) this.release(owner);
  }

  /** The application closed `s`, a socket whose connection waits in the TIME-WAIT table: forget it there, give its storage back. */
  dropTimeWaitOwner(s: TcpSocket): void {
    if (s.hashed) return;
    this.timeWait.dropOwner(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, s);
    s.dropRecvBuf();
  }

  /** Call `fn` for every TIME-WAIT entry: its 4-tuple and expiry (for ss and diagnostics). */
  forEachTimeWait(fn: (localAddr: number, localPort: number, remoteAddr: number, remotePort: number, expiry: Millis) => void): void {
    this.timeWait.forEach(fn);
  }

  /** End `s` with an error the application sees (refused, reset, timed out), and delete the TCB. */
  fail(s: TcpSocket, code: number): void {
    if (s.parent === null) s.softError = code;
    this.release(s);
  }

  /** Enter CLOSED and delete the TCB: timers, tables, a listener's queues. */
  release(s: TcpSocket): void {
    // A socket whose connection moved to the TIME-WAIT table: the entry lives on without it.
    if (s.state === TcpState.TimeWait && !s.hashed) this.timeWait.dropOwner(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, s);
    this.setState(s, TcpState.Closed);
    this.timers.cancel(s.rtxTimer);
    this.timers.cancel(s.persistT);
    this.timers.cancel(s.lingerT);
    this.timers.cancel(s.delackTimer);
    this.timers.cancel(s.keepaliveT);
    this.timers.cancel(s.corkT);
    this.releaseOoo(s);
    if (s.hashed) this.unhash(s);
    if (s.portHeld) this.unbindPort(s);
    const p = s.parent;
    if (p !== null) {
      childAged(s);
      const i = p.acceptQueue.indexOf(s);
      if (i >= 0) p.acceptQueue.splice(i, 1);
      else p.synQueueLen--;
      s.parent = null;
    }
    s.dropSendBuf();
    // Unread bytes stay readable after the end; an empty ring is given back.
    if (s.recvBuf.length === 0) s.dropRecvBuf();
    this.releaseAssembler(s);
    this.markEvent(s);
  }

  /** Stop listening: reset the connections not yet accepted, free the port. */
  closeListener(l: TcpSocket, now: Millis): void {
    while (l.acceptQueue.length > 0) l.acceptQueue[0]!.abort(now);
    // Half-open children are found through the hash table.
    for (let b = 0; b < this.buckets.length && l.synQueueLen > 0; b++) {
      for (let s: TcpSocket | null = this.buckets[b]!; s !== null; ) {
        const next: TcpSocket | null = s.hashNext;
        if (s.parent === l) s.abort(now);
        s = next;
      }
    }
    l.synQueueLen = 0;
    l.synQueueYoung = 0;
    this.release(l);
  }

  /** Return the out-of-order bytes `s` holds to the layer's budget. */
  releaseOoo(s: TcpSocket): void {
    this.oooBytes -= s.oooBytes;
    s.oooBytes = 0;
  }

  /** Use the peer's MSS option (0: absent, so 536, RFC 9293 §3.7.1), within our path MTU. */
  setPeerMss(s: TcpSocket, mss: number): void {
    const peer = mss === 0 ? TCP_DEFAULT_MSS : mss;
    s.sendMss = Math.max(1, Math.min(peer, s.advMss));
  }

  /** Return true when the window could grow enough to be worth an update (RFC 9293 §3.8.6.2.2). */
  windowUpdateDue(s: TcpSocket): boolean {
    if (s.state < TcpState.Established || s.finRcvd) return false;
    const cur = Math.max(0, seqDiff(s.rcvAdv, s.rcvNxt));
    const cap = Math.min(s.recvBuf.free, TCP_MAX_WINDOW * 2 ** s.rcvWscale);
    return cap - cur >= this.swsThreshold(s) && cap >= 2 * cur;
  }

  /**
   * Return the window to advertise and move RCV.ADV. The receiver's silly-window
   * avoidance (RFC 9293 §3.8.6.2.2): the right edge moves only by at least
   * min(buffer / 2, MSS), and never moves back.
   */
  private advertiseWindow(s: TcpSocket): number {
    let wnd = seqDiff(s.rcvAdv, s.rcvNxt);
    if (wnd < 0) wnd = 0;
    const shift = s.rcvWscale;
    const cap = Math.min(s.recvBuf.free, TCP_MAX_WINDOW * 2 ** shift);
    if (cap - wnd >= this.swsThreshold(s)) wnd = cap;
    // RFC 7323 §2.3: the field is the window shifted right. As Linux does (ALIGN in
    // __tcp_select_window), round up, so that the last bytes of the buffer are not scaled
    // away and the window closes to exactly zero; what arrives past the free space is
    // dropped (input.ts) and sent again. RCV.ADV never moves back (RFC 7323 §2.4).
    const unit = 2 ** shift;
    // A full buffer shows a zero window even when RCV.ADV lies a little ahead (§2.4).
    let field = Math.ceil(Math.min(wnd, s.recvBuf.free) / unit);
    if (field > TCP_MAX_WINDOW) field = TCP_MAX_WINDOW;
    const edge = seqAdd(s.rcvNxt, field * unit);
    if (seqLt(s.rcvAdv, edge) || seqLt(s.rcvAdv, s.rcvNxt)) s.rcvAdv = edge;
    return field;
  }

  /**
   * Return the window of a SYN or SYN-ACK: never scaled (RFC 7323 §2.2), so at most 65535.
   * A SYN-ACK offers it from RCV.NXT, so RCV.ADV moves there: data that follows the
   * handshake at once is inside the window.
   */
  private synWindow(s: TcpSocket, flags: number): number {
    // A half-open child has no buffer yet (allocBuffers): offer the one it will get.
    const w = Math.min(s.hasRecvBuf ? s.recvBuf.free : s.recvBufSize, TCP_MAX_WINDOW);
    if (flags & TCP_ACK) {
      const edge = seqAdd(s.rcvNxt, w);
      if (seqLt(s.rcvAdv, edge)) s.rcvAdv = edge;
    }
    return w;
  }

  private swsThreshold(s: TcpSocket): number {
    return Math.min(s.recvBuf.capacity >>> 1, s.advMss);
  }

  /**
   * Write one segment of `s` into an outgoing frame: `len` bytes of the send buffer from
   * `dataOff`, the ACK field when `flags` has ACK, our window, the MSS option on a SYN.
   * Return false when IPv4 could not take it. For want of a device frame (NoBufs) the
   * socket is noted as blocked and `poll` runs its output again, so callers leave their
   * state as it was (nothing was sent); for other reasons (no route) the retransmission
   * timer recovers.
   */
  emitSegment(s: TcpSocket, seq: number, flags: number, dataOff: number, len: number, now: Millis): boolean {
    const o = this.out;
    o.srcPort = s.localPort;
    o.dstPort = s.remotePort;
    o.seqNumber = seq;
    o.ackNumber = flags & TCP_ACK ? s.rcvNxt : 0;
    o.flags = flags;
    o.urgentPointer = 0;
    fillSegmentOptions(s, o, flags, now, this.sackScratch, sackBlocksToSend(s));
    o.payloadLength = len;
    const hl = tcpBufferLen(o);
    const ip = this.host.ip;
    // A segment of more than one MSS is a super-segment the device cuts up (TSO; output.ts
    // sends one only when s.tsoMaxBytes allows).
    const seg = segmentMss(s);
    const at = len > seg && s.tsoMaxBytes > 0 ? ip.beginTso(s.remoteAddr, hl + len, s.localAddr, seg, now) : ip.begin(s.remoteAddr, IPPROTO_TCP, hl + len, s.localAddr, now);
    if (at < 0) {
      if (at === -IpErr.NoBufs) this.noteBlocked(s);
      return false;
    }
    // What the segment tells the peer is recorded only now that it goes out.
    // RFC 7323 §2.2: the window of a SYN or SYN-ACK is never scaled.
    o.windowLen = flags & TCP_RST ? 0 : flags & TCP_SYN ? this.synWindow(s, flags) : this.advertiseWindow(s);
    if (flags & TCP_ACK) {
      s.lastAckSent = s.rcvNxt;
      // Any ACK sent answers what a delayed ACK was waiting for (RFC 1122 §4.2.3.2).
      if (s.delackTimer.isArmed()) this.timers.cancel(s.delackTimer);
    }
    if (len > 0) s.sendBuf.peek(dataOff, ip.bytes, at + hl, len);
    emitTcp(o, ip.bytes, at, ip.srcAddr, ip.dstAddr, ip.checksumOffload);
    ip.commit(now);
    const c = this.counters.Tcp;
    c.OutSegs++;
    if ((len > 0 || flags & (TCP_SYN | TCP_FIN)) && seqLt(seq, s.sndMax)) {
      c.RetransSegs++;
      s.totalRetrans++;
    }
    if (flags & TCP_RST) c.OutRsts++;
    return true;
  }

  /** Send a RST (with ACK when `withAck`) from `localAddr`:`localPort` to `remoteAddr`:`remotePort`. */
  sendRst(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, seq: number, ack: number, withAck: boolean, now: Millis): void {
    const o = this.out;
    o.srcPort = localPort;
    o.dstPort = remotePort;
    o.seqNumber = seq;
    o.ackNumber = withAck ? ack : 0;
    o.flags = TCP_RST | (withAck ? TCP_ACK : 0);
    o.windowLen = 0;
    o.urgentPointer = 0;
    clearTcpOptions(o);
    o.payloadLength = 0;
    const ip = this.host.ip;
    const at = ip.begin(remoteAddr, IPPROTO_TCP, tcpBufferLen(o), localAddr, now);
    if (at < 0) return;
    emitTcp(o, ip.bytes, at, ip.srcAddr, ip.dstAddr, ip.checksumOffload);
    ip.commit(now);
    this.counters.Tcp.OutSegs++;
    this.counters.Tcp.OutRsts++;
  }

  /**
   * Answer a segment for which there is no connection (RFC 9293 §3.10.7.1, CLOSED): a RST
   * is dropped; otherwise <SEQ=SEG.ACK><CTL=RST> when it has an ACK, else
   * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
   */
  private rejectClosed(seg: TcpRepr, localAddr: number, remoteAddr: number, now: Millis): void {
    if (seg.flags & TCP_RST) return;
    if (seg.flags & TCP_ACK) this.sendRst(localAddr, seg.dstPort, remoteAddr, seg.srcPort, seg.ackNumber, 0, false, now);
    else this.sendRst(localAddr, seg.dstPort, remoteAddr, seg.srcPort, 0, seqAdd(seg.seqNumber, tcpSeqLen(seg)), true, now);
  }

  /**
   * Send a segment that belongs to no TCB (a SYN cookie's SYN-ACK): `flags`, `window`
   * as given (unscaled), the options of `opt` (MSS when > 0, window scale when >= 0,
   * SACK-permitted, timestamps when present), no data.
   */
  sendBare(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, seq: number, ack: number, flags: number, window: number, opt: Readonly<BareOptions>, now: Millis): void {
    const o = this.ctl;
    o.windowScale = opt.windowScale;
    o.sackPermitted = opt.sackPermitted;
    o.tsPresent = opt.tsPresent;
    o.tsVal = opt.tsVal;
    o.tsEcr = opt.tsEcr;
    o.srcPort = localPort;
    o.dstPort = remotePort;
    o.seqNumber = seq;
    o.ackNumber = flags & TCP_ACK ? ack : 0;
    o.flags = flags;
    o.windowLen = window;
    o.urgentPointer = 0;
    o.mss = opt.mss;
    o.payloadLength = 0;
    const ip = this.host.ip;
    const at = ip.begin(remoteAddr, IPPROTO_TCP, tcpBufferLen(o), localAddr, now);
    if (at < 0) return;
    emitTcp(o, ip.bytes, at, ip.srcAddr, ip.dstAddr, ip.checksumOffload);
    ip.commit(now);
    this.counters.Tcp.OutSegs++;
  }

  /** Return the window shift `s` offers: enough for the largest buffer auto-tuning may reach (RFC 7323 §2.2). */
  rcvWscaleFor(s: TcpSocket): number {
    const cfg = this.config;
    return cfg.windowScaling ? chooseRcvWscale(s.recvBufLocked ? s.recvBufSize : Math.max(s.recvBufSize, cfg.recvBufMax)) : 0;
  }

  /** Return the timestamp clock offset of the connection with this 4-tuple (a keyed hash, no clock; RFC 7323 §5.4 allows any origin). */
  tsOffsetFor(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
    return this.isnGen.isn(remoteAddr, remotePort, localAddr, localPort, 0);
  }

  /** Return the MSS we advertise to `remoteAddr` (its path MTU less 40). */
  advMssFor(remoteAddr: number): number {
    return Math.min(this.host.mtuFor(remoteAddr) - IP_TCP_HEADERS, 65495);
  }

  /** Active OPEN (RFC 9293 §3.10.1): pick addresses, ISN and MSS, send the SYN. Return -InProgress or a negated code. */
  openActive(s: TcpSocket, addr: number, port: number, now: Millis): number {
    const src = s.localAddr !== 0 ? s.localAddr : this.host.sourceAddressFor(addr);
    if (src === 0) return -TcpErr.NoRoute;
    const bound = s.portHeld;
    if (!bound) {
      let r = this.bindPort(s, 0);
      if (r === -TcpErr.AddrNotAvail && this.timeWait.size > 0) r = this.bindPortOverTimeWait(s, src, addr, port, now);
      if (r < 0) return r;
    }
    if (this.lookup(src, s.localPort, addr, port) !== null) return -TcpErr.AddrInUse;
    const tw = this.timeWait.size > 0 ? this.timeWait.find(src, s.localPort, addr, port) : -1;
    if (tw >= 0 && !this.twReusable(tw, bound, now)) return -TcpErr.AddrInUse;
    s.localAddr = src;
    s.remoteAddr = addr;
    s.remotePort = port;
    this.initConnection(s, now);
    if (tw >= 0) this.reuseTimeWait(s, tw);
    s.sendMss = Math.min(TCP_DEFAULT_MSS, s.advMss);
    this.setState(s, TcpState.SynSent);
    s.synSentAt = now;
    this.hash(s);
    this.counters.Tcp.ActiveOpens++;
    tcpOutput(s, now);
    this.flushEvents();
    this.wake();
    return -TcpErr.InProgress;
  }

  /**
   * Take over TIME-WAIT entry `i` for `s`, which connects with the same 4-tuple (Linux's
   * tcp_twsk_unique): the ISN starts past anything the old connection sent, and TS.Recent
   * carries over so the peer's old segments still fail PAWS.
   */
  private reuseTimeWait(s: TcpSocket, i: number): void {
    const tw = this.timeWait;
    let iss = seqAdd(tw.sndNxt(i), 65535 + 2);
    if (iss === 0) iss = 1;
    s.iss = iss;
    s.sndUna = iss;
    s.sndNxt = iss;
    s.sndMax = iss;
    s.sndBufSeq = seqAdd(iss, 1);
    s.tsRecent = tw.tsRecent(i);
    s.tsRecentAt = tw.tsRecentAt(i);
    this.counters.TcpExt.TWRecycled++;
    this.endTimeWait(i);
  }

  /** Passive OPEN's second half: a connection in SYN-RECEIVED for a SYN that reached listener `l`. */
  openPassive(l: TcpSocket, localAddr: number, remoteAddr: number, seg: TcpRepr, now: Millis): TcpSocket | null {
    const c = new TcpSocket(this);
    c.localAddr = localAddr;
    c.localPort = l.localPort;
    c.remoteAddr = remoteAddr;
    c.remotePort = seg.srcPort;
    c.noDelay = l.noDelay;
    c.inheritOptions(l);
    c.parent = l;
    this.initConnection(c, now);
    if (c.advMss <= 0) return null;
    c.irs = seg.seqNumber;
    c.rcvNxt = seqAdd(seg.seqNumber, 1);
    c.rcvAdv = c.rcvNxt;
    this.setPeerMss(c, seg.mss);
    c.sndWnd = seg.windowLen;
    c.maxSndWnd = seg.windowLen;
    c.sndWl1 = seg.seqNumber;
    c.sndWl2 = 0;
    // RFC 7323 §2.2, §3.2, RFC 2018 §2: the options of the SYN decide what the SYN-ACK offers.
    negotiateSynOptions(c, seg, now);
    c.state = TcpState.SynReceived;
    l.synQueueLen++;
    this.hash(c);
    this.counters.Tcp.PassiveOpens++;
    return c;
  }

  /**
   * Complete a SYN the forwarder took (TcpSynForwarder): a connection from `localAddr`:
   * `syn.dstPort` to `remoteAddr`:`syn.srcPort` in SYN-RECEIVED, with no listener, its
   * SYN-ACK sent; return it, or null when the 4-tuple is taken or there is no route back.
   * `localAddr` need not be the host's (transparent mode). `syn`: the SYN as parsed
   * (a copy the forwarder kept). The caller sets `onReadiness` and waits for Writable.
   */
  acceptForwarded(syn: Readonly<TcpRepr>, localAddr: number, remoteAddr: number, now: Millis): TcpSocket | null {
    if (this.lookup(localAddr, syn.dstPort, remoteAddr, syn.srcPort) !== null) return null;
    const c = new TcpSocket(this);
    c.localAddr = localAddr;
    c.localPort = syn.dstPort;
    c.remoteAddr = remoteAddr;
    c.remotePort = syn.srcPort;
    c.noDelay = true;
    this.initConnection(c, now);
    if (c.advMss <= 0) return null;
    c.irs = syn.seqNumber;
    c.rcvNxt = seqAdd(syn.seqNumber, 1);
    c.rcvAdv = c.rcvNxt;
    this.setPeerMss(c, syn.mss);
    c.sndWnd = syn.windowLen;
    c.maxSndWnd = syn.windowLen;
    c.sndWl1 = syn.seqNumber;
    c.sndWl2 = 0;
    negotiateSynOptions(c, syn, now);
    c.state = TcpState.SynReceived;
    this.hash(c);
    this.counters.Tcp.PassiveOpens++;
    tcpOutput(c, now);
    this.flushEvents();
    this.wake();
    return c;
  }

  /** Fill the parts of a TCB common to both opens: buffers, MSS, ISN (RFC 6528). */
  private initConnection(s: TcpSocket, now: Millis): void {
    // A passive child gets its buffers when the handshake completes: a SYN flood then costs
    // the listener a TCB per half-open connection, not two buffers.
    if (s.parent === null) this.allocBuffers(s);
    // RFC 7323 §2.2: the shift we offer covers the largest buffer auto-tuning may reach.
    s.rcvWscale = this.rcvWscaleFor(s);
    s.rcvqSpace = Math.min(s.recvBufSize, 10 * 1460);
    s.rcvqTime = now;
    const mtu = this.host.mtuFor(s.remoteAddr);
    s.advMss = Math.min(mtu - IP_TCP_HEADERS, 65495);
    if (s.userMss > 0 && s.userMss < s.advMss) s.advMss = s.userMss; // TCP_MAXSEG (Linux's user_mss)
    // TSO: the path's device segments super-segments for us (output.ts sizes them).
    s.tsoMaxBytes = this.config.tso ? this.host.tsoMaxFor(s.remoteAddr) : 0;
    const iss = this.synIsn >= 0 ? this.synIsn : this.isnGen.isn(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, now);
    s.iss = iss;
    // The timestamp offset: the keyed hash of the reversed 4-tuple, no clock (RFC 7323 §5.4 allows any origin).
    s.tsOffset = this.tsOffsetFor(s.localAddr, s.localPort, s.remoteAddr, s.remotePort);
    s.tsLast = (Math.floor(now) + s.tsOffset) >>> 0;
    s.sndUna = iss;
    s.sndNxt = iss;
    s.sndMax = iss;
    s.sndBufSeq = seqAdd(iss, 1);
  }

  /**
   * Give `s` the send and receive rings it lacks. They hold no bytes until data comes
   * (ByteRing takes an array at its first write and gives it back when it empties); the
   * out-of-order assembler comes only with out-of-order data (assemblerFor).
   */
  private allocBuffers(s: TcpSocket): void {
    if (!s.hasSendBuf) s.sendBuf = new ByteRing(s.sendBufSize);
    if (!s.hasRecvBuf) s.recvBuf = new ByteRing(s.recvBufSize);
  }

  /** Return `s`'s out-of-order assembler, taking one (from the layer's spares) when it has none. */
  assemblerFor(s: TcpSocket): Assembler {
    let a = s.ooo;
    if (a === null) {
      a = this.spareAssemblers.pop() ?? new Assembler(this.config.maxHoles);
      s.ooo = a;
    }
    return a;
  }

  /** Take `s`'s assembler back (it holds no range any more, or the connection ended); up to 64 wait as spares. */
  releaseAssembler(s: TcpSocket): void {
    const a = s.ooo;
    if (a === null) return;
    a.clear();
    s.ooo = null;
    if (this.spareAssemblers.length < 64) this.spareAssemblers.push(a);
  }

  /** Bind `s` to `port` (0: an ephemeral port) at `s.localAddr`; return 0 or -AddrInUse / -AddrNotAvail. */
  bindPort(s: TcpSocket, port: number): number {
    if (port === 0) {
      const { ephemeralLow: low, ephemeralHigh: high } = this.host.config;
      for (let i = 0, n = high - low + 1; i < n; i++) {
        // The range may have changed since (the ip_local_port_range sysctl): restart inside it.
        const p = this.cursor < low || this.cursor > high ? low : this.cursor;
        this.cursor = p >= high ? low : p + 1;
        if (!this.ports.has(p) && !this.timeWait.portUsed(p)) {
          this.linkPort(s, p);
          return 0;
        }
      }
      return -TcpErr.AddrNotAvail;
    }
    for (let o = this.ports.get(port) ?? null; o !== null; o = o.portNext) {
      const overlap = o.localAddr === 0 || s.localAddr === 0 || o.localAddr === s.localAddr;
      if (overlap && !(s.reuseAddr && o.reuseAddr && o.state !== TcpState.Listen)) return -TcpErr.AddrInUse;
    }
    // A connection in TIME-WAIT holds its port as a socket would (SO_REUSEADDR on both shares it).
    if (this.timeWait.portConflict(port, s.localAddr, s.reuseAddr)) return -TcpErr.AddrInUse;
    this.linkPort(s, port);
    return 0;
  }

  /**
   * The ephemeral range is used up: take a port that only TIME-WAIT entries hold, when none
   * of them has this 4-tuple or the one that has may be reused (Linux's connect() shares a
   * port among destinations and takes a TIME-WAIT 4-tuple by tcp_tw_reuse). Bounded: one
   * pass over the range.
   */
  private bindPortOverTimeWait(s: TcpSocket, src: number, addr: number, port: number, now: Millis): number {
    const { ephemeralLow: low, ephemeralHigh: high } = this.host.config;
    for (let p = low; p <= high; p++) {
      if (this.ports.has(p)) continue;
      const tw = this.timeWait.find(src, p, addr, port);
      if (tw < 0 || this.twReusable(tw, false, now)) {
        this.linkPort(s, p);
        return 0;
      }
    }
    return -TcpErr.AddrNotAvail;
  }

  /**
   * May connect() take TIME-WAIT entry `i`'s 4-tuple? Linux's tcp_twsk_unique: only when the
   * old connection had timestamps (PAWS then drops its old duplicates); for a socket bound
   * to its port beforehand, always then; for an ephemeral port, by tcp_tw_reuse (2:
   * loopback only) once its last timestamp is at least a second old.
   */
  private twReusable(i: number, bound: boolean, now: Millis): boolean {
    const tw = this.timeWait;
    if (!tw.tsOk(i)) return false;
    if (bound) return true;
    const mode = this.config.twReuse;
    const la = tw.localAddr(i);
    const ra = tw.remoteAddr(i);
    const loopback = la === ra || la >>> 24 === 127 || ra >>> 24 === 127;
    if (mode === 0 || (mode === 2 && !loopback)) return false;
    return now - tw.tsRecentAt(i) >= 1000;
  }

  private linkPort(s: TcpSocket, port: number): void {
    s.localPort = port;
    s.portNext = this.ports.get(port) ?? null;
    this.ports.set(port, s);
    s.portHeld = true;
    if (this.flowObserver !== null) this.flowObserver.portAdded(port);
  }

  private unbindPort(s: TcpSocket): void {
    const port = s.localPort;
    let prev: TcpSocket | null = null;
    let o = this.ports.get(port) ?? null;
    while (o !== null && o !== s) {
      prev = o;
      o = o.portNext;
    }
    if (o !== null) {
      if (prev !== null) prev.portNext = s.portNext;
      else if (s.portNext !== null) this.ports.set(port, s.portNext);
      else this.ports.delete(port);
    }
    s.portNext = null;
    s.portHeld = false;
    if (this.flowObserver !== null) this.flowObserver.portRemoved(port);
  }

  /** Return the listener for a segment to `addr`:`port`: one bound to `addr` before one bound to any address. */
  private lookupListener(addr: number, port: number): TcpSocket | null {
    let any: TcpSocket | null = null;
    for (let o = this.ports.get(port) ?? null; o !== null; o = o.portNext) {
      if (o.state !== TcpState.Listen) continue;
      if (o.localAddr === addr) return o;
      if (o.localAddr === 0) any = o;
    }
    return any;
  }

  /** Call `fn` for every listener and bound socket, then every connection (for ss and diagnostics; allocates nothing). */
  forEachSocket(fn: (s: TcpSocket) => void): void {
    for (const head of this.ports.values()) {
      for (let o: TcpSocket | null = head; o !== null; o = o.portNext) if (!o.hashed) fn(o);
    }
    for (let b = 0; b < this.buckets.length; b++) {
      for (let s: TcpSocket | null = this.buckets[b]!; s !== null; s = s.hashNext) fn(s);
    }
  }

  /** Return the connection with this 4-tuple, or null. */
  lookup(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): TcpSocket | null {
    for (let s: TcpSocket | null = this.buckets[bucketOf(localAddr, localPort, remoteAddr, remotePort, this.hashBits)]!; s !== null; s = s.hashNext) {
      if (s.localPort === localPort && s.remotePort === remotePort && s.localAddr === localAddr && s.remoteAddr === remoteAddr) return s;
    }
    return null;
  }

  private hash(s: TcpSocket): void {
    if (this.connections >= 2 * this.buckets.length && this.hashBits < 24) this.rehash(this.hashBits + 1);
    const b = bucketOf(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, this.hashBits);
    s.hashNext = this.buckets[b]!;
    this.buckets[b] = s;
    s.hashed = true;
    this.connections++;
    if (this.flowObserver !== null) this.flowObserver.flowAdded(s.localAddr, s.localPort, s.remoteAddr, s.remotePort);
  }

  /** Move every connection to a table of 2^bits buckets (bounded: one pass over the old table). */
  private rehash(bits: number): void {
    const old = this.buckets;
    const next = new Array<TcpSocket | null>(1 << bits).fill(null);
    for (let i = 0; i < old.length; i++) {
      for (let s: TcpSocket | null = old[i]!; s !== null; ) {
        const after: TcpSocket | null = s.hashNext;
        const b = bucketOf(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, bits);
        s.hashNext = next[b]!;
        next[b] = s;
        s = after;
      }
    }
    this.buckets = next;
    this.hashBits = bits;
  }

  /** Take `s` out of the 4-tuple table without telling the observer (its TIME-WAIT entry holds the flow now). */
  private unhashQuiet(s: TcpSocket): void {
    const o = this.flowObserver;
    this.flowObserver = null;
    this.unhash(s);
    this.flowObserver = o;
  }

  /** Take `s` out of the port table without telling the observer (its TIME-WAIT entry holds the port now). */
  private unlinkPortQuiet(s: TcpSocket): void {
    const o = this.flowObserver;
    this.flowObserver = null;
    this.unbindPort(s);
    this.flowObserver = o;
  }

  private unhash(s: TcpSocket): void {
    const b = bucketOf(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, this.hashBits);
    let prev: TcpSocket | null = null;
    for (let o: TcpSocket | null = this.buckets[b]!; o !== null; prev = o, o = o.hashNext) {
      if (o !== s) continue;
      if (prev === null) this.buckets[b] = s.hashNext;
      else prev.hashNext = s.hashNext;
      break;
    }
    s.hashNext = null;
    s.hashed = false;
    this.connections--;
    if (this.flowObserver !== null) this.flowObserver.flowRemoved(s.localAddr, s.localPort, s.remoteAddr, s.remotePort);
  }

  /**
   * Call the readiness callbacks of the sockets marked since the last flush. Bounded: each
   * socket once per round, at most 4 rounds. Not reentrant: a callback whose call flushes
   * again (connect from a callback: openActive) returns at once, and the running flush calls
   * what it marked in its next round.
   */
  private flushEvents(): void {
    if (this.flushing) return;
    this.flushing = true;
    const d = this.dirty;
    for (let round = 0; round < 4 && d.length > 0; round++) {
      const n = d.length;
      for (let i = 0; i < n; i++) {
        const s = d.at(i);
        s.eventPending = false;
        const cb = s.onReadiness;
        if (cb === null) continue;
        try {
          cb(s);
        } catch (err) {
          queueMicrotask(() => {
            throw err;
          });
        }
      }
      // Drop the n called (the callbacks may have marked more).
      d.dropFront(n);
    }
    this.flushing = false;
  }
}

/**
 * A FIFO of sockets that never gives its array back: `length = 0` would let V8 trim the
 * backing store, and the next push allocate a new one (once per poll, on every host).
 */
class SocketQueue {
  private readonly items: (TcpSocket | null)[] = [];
  length = 0;

  push(s: TcpSocket): void {
    this.items[this.length++] = s;
  }

  /** Return the socket at `i` (< length). */
  at(i: number): TcpSocket {
    return this.items[i]!;
  }

  /** Remove the first `n` (<= length), keeping the order of the rest. */
  dropFront(n: number): void {
    const a = this.items;
    const rest = this.length - n;
    for (let i = 0; i < rest; i++) a[i] = a[n + i]!;
    for (let i = rest; i < this.length; i++) a[i] = null;
    this.length = rest;
  }
}

function bucketOf(la: number, lp: number, ra: number, rp: number, bits: number): number {
  let h = Math.imul(la ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(ra, 0xc2b2ae35) ^ ((lp << 16) | rp);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> (32 - bits);
}
